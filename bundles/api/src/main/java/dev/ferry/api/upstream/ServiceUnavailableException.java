package dev.ferry.api.upstream;

import java.io.IOException;

/**
 * A service the request needs is not running (its bundle is stopped or being updated) and did not come back within
 * the configured wait. Answered {@code 503} with {@code Proxy-Status: error=proxy_internal_error}.
 */
public class ServiceUnavailableException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param service what is missing and where it comes from, e.g. {@code the connection pool (dev.ferry.pool)}
     */
    public ServiceUnavailableException(String service, long waitedMillis) {
        super(service + " is not running (waited " + waitedMillis + " ms for it)");
    }
}
