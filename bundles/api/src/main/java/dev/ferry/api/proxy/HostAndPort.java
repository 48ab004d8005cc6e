package dev.ferry.api.proxy;

import java.util.Locale;
import java.util.Objects;

/** A host name or IP literal and a port, as found in a request target or proxy rule. */
public final class HostAndPort {

    private final String host;
    private final int port;

    private HostAndPort(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public static HostAndPort of(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1-65535: " + port);
        }
        return new HostAndPort(host.toLowerCase(Locale.ROOT), port);
    }

    /**
     * Parses {@code host}, {@code host:port}, {@code [v6]} or {@code [v6]:port}. The port must be all digits and in
     * range; a missing port takes {@code defaultPort} (pass -1 to require one). The host may not contain brackets,
     * control characters or spaces.
     */
    public static HostAndPort parse(String text, int defaultPort) {
        Objects.requireNonNull(text, "text");
        String host;
        String portText = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unterminated IPv6 literal in '" + text + "'");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (rest.charAt(0) != ':') {
                    throw new IllegalArgumentException("junk after IPv6 literal in '" + text + "'");
                }
                portText = rest.substring(1);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(':') != colon) {
                throw new IllegalArgumentException("IPv6 literal must be in brackets: '" + text + "'");
            }
            host = colon >= 0 ? text.substring(0, colon) : text;
            portText = colon >= 0 ? text.substring(colon + 1) : null;
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host in '" + text + "'");
        }
        // No name or address has brackets, and a host with one would not read back from its own toString()
        if (host.indexOf('[') >= 0 || host.indexOf(']') >= 0) {
            throw new IllegalArgumentException("bracket inside the host in '" + text + "'");
        }
        // Nor control characters or spaces, which no header (Host, Via) may carry either.
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new IllegalArgumentException(String.format("control character or space (0x%02x) in the host "
                        + "'%s'", (int) c, host.replaceAll("\\p{Cntrl}", "?")));
            }
        }
        int port;
        if (portText == null) {
            if (defaultPort < 0) {
                throw new IllegalArgumentException("missing port in '" + text + "'");
            }
            port = defaultPort;
        } else {
            port = parsePort(portText, text);
        }
        return of(host, port);
    }

    private static int parsePort(String portText, String whole) {
        if (portText.isEmpty() || portText.length() > 5) {
            throw new IllegalArgumentException("bad port in '" + whole + "'");
        }
        for (int i = 0; i < portText.length(); i++) {
            if (portText.charAt(i) < '0' || portText.charAt(i) > '9') {
                throw new IllegalArgumentException("bad port in '" + whole + "'");
            }
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1-65535 in '" + whole + "'");
        }
        return port;
    }

    /** Formats host and port, bracketing IPv6 literals. */
    public static String format(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostAndPort && ((HostAndPort) o).port == port && ((HostAndPort) o).host.equals(host);
    }

    @Override
    public int hashCode() {
        return host.hashCode() * 31 + port;
    }

    @Override
    public String toString() {
        return format(host, port);
    }
}
