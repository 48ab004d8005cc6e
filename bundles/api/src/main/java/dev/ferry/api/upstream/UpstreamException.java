package dev.ferry.api.upstream;

import java.io.IOException;

/** An upstream proxy answered, but not with what the connect job needed (e.g. a CONNECT refused with 403). */
public class UpstreamException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int status;

    public UpstreamException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The upstream's HTTP status, or 0 when it did not send one. */
    public int status() {
        return status;
    }
}
