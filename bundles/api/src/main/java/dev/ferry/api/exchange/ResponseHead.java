package dev.ferry.api.exchange;

import java.util.Objects;

/** The head of a response on its way from the origin (or upstream proxy) to the client: status and headers. */
public final class ResponseHead {

    private final int status;
    private final Headers headers;

    private ResponseHead(int status, Headers headers) {
        this.status = status;
        this.headers = Objects.requireNonNull(headers, "headers");
    }

    /** @param status the final status code (200-599) */
    public static ResponseHead of(int status, Headers headers) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("a final response's status is 200-599, not " + status);
        }
        return new ResponseHead(status, headers);
    }

    public int status() {
        return status;
    }

    /** The headers as the origin sent them, less hop-by-hop headers, with the edits of earlier hooks. */
    public Headers headers() {
        return headers;
    }

    @Override
    public String toString() {
        return status + " " + headers;
    }
}
