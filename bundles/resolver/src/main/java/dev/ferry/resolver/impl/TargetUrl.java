package dev.ferry.resolver.impl;

import dev.ferry.api.proxy.HostAndPort;
import java.net.URI;
import java.util.Locale;

/**
 * The parts of a target URL that bypass rules look at: scheme, host (lowercased, IPv6 without brackets), effective
 * port, and the host's address bytes when it is an IP literal. Built from the URL text alone, never through DNS.
 */
final class TargetUrl {

    /** The effective port of a URL whose scheme has no known default and that names no port. */
    static final int NO_PORT = -1;

    private final String scheme;
    private final String host;
    private final int port;
    private final byte[] address;

    TargetUrl(String scheme, String host, int port) {
        this.scheme = scheme.toLowerCase(Locale.ROOT);
        String lower = host.toLowerCase(Locale.ROOT);
        this.host = lower.startsWith("[") && lower.endsWith("]") ? lower.substring(1, lower.length() - 1) : lower;
        this.port = port;
        this.address = IpLiteral.parse(this.host);
    }

    static TargetUrl of(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme();
        String host = url.getHost();
        int port = url.getPort();
        if (host == null && url.getRawAuthority() != null) {
            // java.net.URI leaves the host null for names it considers registry-based (an underscore, say);
            // the authority still names the host the request goes to.
            String authority = url.getRawAuthority();
            String hostAndPort = authority.substring(authority.lastIndexOf('@') + 1);
            int close = hostAndPort.lastIndexOf(']');
            int colon = hostAndPort.lastIndexOf(':');
            boolean hasPort = colon > close && (close >= 0 || hostAndPort.indexOf(':') == colon);
            host = hasPort ? hostAndPort.substring(0, colon) : hostAndPort;
            port = hasPort ? portOrNone(hostAndPort.substring(colon + 1)) : NO_PORT;
        }
        return new TargetUrl(scheme, host == null ? "" : host, port >= 0 ? port : defaultPort(scheme));
    }

    private static int portOrNone(String digits) {
        try {
            int port = Integer.parseInt(digits);
            return port >= 1 && port <= 65535 ? port : NO_PORT;
        } catch (NumberFormatException e) {
            return NO_PORT;
        }
    }

    private static int defaultPort(String scheme) {
        switch (scheme.toLowerCase(Locale.ROOT)) {
            case "http":
            case "ws":
                return 80;
            case "https":
            case "wss":
                return 443;
            case "ftp":
                return 21;
            default:
                return NO_PORT;
        }
    }

    String scheme() {
        return scheme;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    boolean isIpLiteral() {
        return address != null;
    }

    /** The host's 4 or 16 address bytes, or null when the host is a name. */
    byte[] address() {
        return address;
    }

    @Override
    public String toString() {
        return scheme + "://" + HostAndPort.format(host, Math.max(port, 0));
    }
}
