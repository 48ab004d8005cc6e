package dev.ferry.api.upstream;

import java.io.IOException;

/**
 * The proxy reached one of its own limits for the moment (e.g. the number of requests waiting for a blocking proxy
 * resolver): nothing is wrong with the request or the destination, and a retry once the load drops may succeed.
 * Answered {@code 503} with {@code Proxy-Status: error=proxy_internal_error}; the message names the setting.
 */
public class LimitReachedException extends IOException {

    private static final long serialVersionUID = 1L;

    /** @param message what is full, naming the setting that limits it */
    public LimitReachedException(String message) {
        super(message);
    }
}
