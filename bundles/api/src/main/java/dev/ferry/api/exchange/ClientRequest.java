package dev.ferry.api.exchange;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A request as the client sent it (and as the hooks before this one left it): who sent it, on which listener and
 * protocol, the method and target, the headers, and the user an earlier hook established. Immutable; the engine
 * builds it, tests may too.
 */
public final class ClientRequest {

    private final InetSocketAddress client;
    private final InetSocketAddress local;
    private final String listener;
    private final String protocol;
    private final String method;
    private final String target;
    private final String host;
    private final int port;
    private final Headers headers;
    private final String user;

    private ClientRequest(Builder b) {
        this.client = Objects.requireNonNull(b.client, "client");
        this.local = Objects.requireNonNull(b.local, "local");
        this.listener = Objects.requireNonNull(b.listener, "listener");
        this.protocol = Objects.requireNonNull(b.protocol, "protocol");
        this.method = Objects.requireNonNull(b.method, "method");
        this.target = Objects.requireNonNull(b.target, "target");
        this.host = Objects.requireNonNull(b.host, "host");
        this.port = b.port;
        this.headers = Objects.requireNonNull(b.headers, "headers");
        this.user = b.user;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this request's values. */
    public Builder toBuilder() {
        return new Builder().client(client).local(local).listener(listener).protocol(protocol).method(method)
                .target(target, host, port).headers(headers).user(user);
    }

    /** The client's address. */
    public InetSocketAddress client() {
        return client;
    }

    /** The address the client connected to: the listener's socket. */
    public InetSocketAddress local() {
        return local;
    }

    /** The listener's name (its configuration's {@code name}). */
    public String listener() {
        return listener;
    }

    /** {@code http/1.1} or {@code spdy/3.1} (later {@code h2}). */
    public String protocol() {
        return protocol;
    }

    /** The method, e.g. {@code GET} or {@code CONNECT}. */
    public String method() {
        return method;
    }

    public boolean isConnect() {
        return "CONNECT".equals(method);
    }

    /** The absolute URL, or {@code host:port} for CONNECT. */
    public String target() {
        return target;
    }

    /** The destination host: a name or an IP literal (without brackets). */
    public String host() {
        return host;
    }

    /** The destination port. */
    public int port() {
        return port;
    }

    public Headers headers() {
        return headers;
    }

    /** The user an earlier hook authenticated, or null. */
    public String user() {
        return user;
    }

    @Override
    public String toString() {
        return client + " " + method + " " + target + (user == null ? "" : " (" + user + ")") + " on " + listener;
    }

    /** Builds a {@link ClientRequest}. */
    public static final class Builder {
        private InetSocketAddress client;
        private InetSocketAddress local;
        private String listener;
        private String protocol;
        private String method;
        private String target;
        private String host;
        private int port;
        private Headers headers = Headers.of(java.util.List.of());
        private String user;

        private Builder() {
        }

        public Builder client(InetSocketAddress client) {
            this.client = client;
            return this;
        }

        public Builder local(InetSocketAddress local) {
            this.local = local;
            return this;
        }

        public Builder listener(String listener) {
            this.listener = listener;
            return this;
        }

        public Builder protocol(String protocol) {
            this.protocol = protocol;
            return this;
        }

        public Builder method(String method) {
            this.method = method;
            return this;
        }

        /** The target as the client wrote it, and the destination it names. */
        public Builder target(String target, String host, int port) {
            this.target = target;
            this.host = host;
            this.port = port;
            return this;
        }

        public Builder headers(Headers headers) {
            this.headers = headers;
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public ClientRequest build() {
            return new ClientRequest(this);
        }
    }
}
