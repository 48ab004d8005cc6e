package dev.ferry.api.proxy;

import java.time.Instant;
import java.util.Objects;

/** A proxy marked bad after a failure: why, and from when it is tried first again. */
public final class ProxyRetryInfo {

    private final ProxyServer proxy;
    private final ProxyErrorType error;
    private final String details;
    private final Instant markedAt;
    private final Instant retryAt;

    public ProxyRetryInfo(ProxyServer proxy, ProxyErrorType error, String details, Instant markedAt,
            Instant retryAt) {
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.error = Objects.requireNonNull(error, "error");
        this.details = details == null ? "" : details;
        this.markedAt = Objects.requireNonNull(markedAt, "markedAt");
        this.retryAt = Objects.requireNonNull(retryAt, "retryAt");
    }

    public ProxyServer proxy() {
        return proxy;
    }

    public ProxyErrorType error() {
        return error;
    }

    /** A human-readable account of the failure, e.g. {@code connection refused by 127.0.0.1:3128}. */
    public String details() {
        return details;
    }

    public Instant markedAt() {
        return markedAt;
    }

    /** Until this instant the proxy goes to the end of every list it appears in. */
    public Instant retryAt() {
        return retryAt;
    }

    @Override
    public String toString() {
        return proxy + " bad until " + retryAt + " (" + error.token() + ": " + details + ")";
    }
}
