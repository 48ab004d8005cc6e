package dev.ferry.api.proxy;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a connection goes next: straight to the origin ({@link #DIRECT}) or through an upstream proxy.
 * Immutable, with equals/hashCode fit to key a connection pool.
 */
public final class ProxyServer {

    /** The proxy scheme, as in Chromium's {@code ProxyServer::Scheme}. */
    public enum Scheme {
        DIRECT(0), HTTP(80), HTTPS(443), SOCKS4(1080), SOCKS5(1080);

        private final int defaultPort;

        Scheme(int defaultPort) {
            this.defaultPort = defaultPort;
        }

        public int defaultPort() {
            return defaultPort;
        }
    }

    public static final ProxyServer DIRECT = new ProxyServer(Scheme.DIRECT, null, 0);

    private final Scheme scheme;
    private final String host;
    private final int port;

    private ProxyServer(Scheme scheme, String host, int port) {
        this.scheme = scheme;
        this.host = host;
        this.port = port;
    }

    public static ProxyServer of(Scheme scheme, String host, int port) {
        Objects.requireNonNull(scheme, "scheme");
        if (scheme == Scheme.DIRECT) {
            return DIRECT;
        }
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("proxy host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("proxy port out of range 1-65535: " + port);
        }
        return new ProxyServer(scheme, host.toLowerCase(Locale.ROOT), port);
    }

    /**
     * Parses {@code [scheme://]host[:port]} or {@code direct://}; the scheme defaults to http and the port to the
     * scheme's default.
     */
    public static ProxyServer parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.trim();
        Scheme scheme = Scheme.HTTP;
        int sep = s.indexOf("://");
        if (sep >= 0) {
            String name = s.substring(0, sep).toLowerCase(Locale.ROOT);
            s = s.substring(sep + 3);
            switch (name) {
                case "direct": return DIRECT;
                case "http": scheme = Scheme.HTTP; break;
                case "https": scheme = Scheme.HTTPS; break;
                case "socks4": scheme = Scheme.SOCKS4; break;
                case "socks": case "socks5": scheme = Scheme.SOCKS5; break;
                default: throw new IllegalArgumentException("unknown proxy scheme '" + name + "' in '" + text + "'");
            }
        }
        if (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        HostAndPort hp = HostAndPort.parse(s, scheme.defaultPort());
        return of(scheme, hp.host(), hp.port());
    }

    public Scheme scheme() {
        return scheme;
    }

    public boolean isDirect() {
        return scheme == Scheme.DIRECT;
    }

    /** The proxy's host, or null for DIRECT. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ProxyServer)) {
            return false;
        }
        ProxyServer other = (ProxyServer) o;
        return scheme == other.scheme && port == other.port && Objects.equals(host, other.host);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheme, host, port);
    }

    /** Chromium's PAC-style form: {@code DIRECT}, {@code PROXY host:port}, {@code HTTPS host:port}, ... */
    @Override
    public String toString() {
        if (isDirect()) {
            return "DIRECT";
        }
        return scheme.name().toLowerCase(Locale.ROOT) + "://" + HostAndPort.format(host, port);
    }
}
