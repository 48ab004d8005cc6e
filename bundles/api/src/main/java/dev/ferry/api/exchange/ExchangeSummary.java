package dev.ferry.api.exchange;

import dev.ferry.api.proxy.ProxyErrorType;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One exchange or tunnel, once it has ended: the request as the hooks left it (its user included), the status the
 * client got, the bytes each way, when it started and how long it took, the upstream used, and the
 * {@code Proxy-Status} error if the proxy answered or ended it with one. Enough to write an access log line or count
 * metrics. Immutable.
 */
public final class ExchangeSummary {

    private final ClientRequest request;
    private final int status;
    private final long bytesFromClient;
    private final long bytesToClient;
    private final Instant started;
    private final Duration duration;
    private final String upstream;
    private final ProxyErrorType error;
    private final String errorDetails;

    private ExchangeSummary(Builder b) {
        this.request = Objects.requireNonNull(b.request, "request");
        this.status = b.status;
        this.bytesFromClient = b.bytesFromClient;
        this.bytesToClient = b.bytesToClient;
        this.started = Objects.requireNonNull(b.started, "started");
        this.duration = Objects.requireNonNull(b.duration, "duration");
        this.upstream = b.upstream;
        this.error = b.error;
        this.errorDetails = b.errorDetails;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The request as the last hook left it; {@link ClientRequest#user()} is the authenticated user, if any. */
    public ClientRequest request() {
        return request;
    }

    /** The final status the client got ({@code 200} for an established tunnel), or 0 if it got none. */
    public int status() {
        return status;
    }

    /** Body bytes (tunnel bytes, for a CONNECT) received from the client. */
    public long bytesFromClient() {
        return bytesFromClient;
    }

    /** Body bytes (tunnel bytes, for a CONNECT) sent to the client. */
    public long bytesToClient() {
        return bytesToClient;
    }

    /** When the request arrived. */
    public Instant started() {
        return started;
    }

    /** From the request's arrival to the exchange's (or tunnel's) end. */
    public Duration duration() {
        return duration;
    }

    /** The way out: {@code DIRECT}, an upstream proxy as a URI ({@code http://host:port}), or null if none was used. */
    public String upstream() {
        return upstream;
    }

    /** The {@code Proxy-Status} error the proxy answered (or ended the exchange) with, or null. */
    public ProxyErrorType error() {
        return error;
    }

    /** The error's details, as the client saw them, or null. */
    public String errorDetails() {
        return errorDetails;
    }

    @Override
    public String toString() {
        return request + " -> " + status + (error == null ? "" : " " + error.token()) + ", " + bytesFromClient
                + " bytes in, " + bytesToClient + " out, " + duration.toMillis() + " ms via " + upstream;
    }

    /** Builds an {@link ExchangeSummary}. */
    public static final class Builder {
        private ClientRequest request;
        private int status;
        private long bytesFromClient;
        private long bytesToClient;
        private Instant started;
        private Duration duration;
        private String upstream;
        private ProxyErrorType error;
        private String errorDetails;

        private Builder() {
        }

        public Builder request(ClientRequest request) {
            this.request = request;
            return this;
        }

        public Builder status(int status) {
            this.status = status;
            return this;
        }

        public Builder bytes(long fromClient, long toClient) {
            this.bytesFromClient = fromClient;
            this.bytesToClient = toClient;
            return this;
        }

        public Builder timing(Instant started, Duration duration) {
            this.started = started;
            this.duration = duration;
            return this;
        }

        public Builder upstream(String upstream) {
            this.upstream = upstream;
            return this;
        }

        public Builder error(ProxyErrorType error, String details) {
            this.error = error;
            this.errorDetails = details;
            return this;
        }

        public ExchangeSummary build() {
            return new ExchangeSummary(this);
        }
    }
}
