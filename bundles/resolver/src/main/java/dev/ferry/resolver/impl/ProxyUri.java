package dev.ferry.resolver.impl;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.proxy.ProxyServer.Scheme;
import java.util.Locale;

/**
 * One entry of a proxy list in Chromium's proxy URI form ({@code ProxyUriToProxyServer}):
 * {@code [scheme://]host[:port]} or {@code direct://}. Schemes: {@code http}, {@code https}, {@code socks4},
 * {@code socks5}, and {@code socks}, which is SOCKS5 when written out (as in Chromium); an entry without a scheme
 * takes the list's default, which is SOCKS4 in a {@code socks=} list and HTTP everywhere else. A missing port is
 * the scheme's default: 80, 443 or 1080.
 */
final class ProxyUri {

    private ProxyUri() {
    }

    /** @throws IllegalArgumentException quoting the entry and saying what is wrong with it */
    static ProxyServer parse(String entry, Scheme defaultScheme) {
        String text = entry.trim();
        Scheme scheme = defaultScheme;
        String rest = text;
        int schemeEnd = text.indexOf("://");
        if (schemeEnd >= 0) {
            String name = text.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            rest = text.substring(schemeEnd + 3);
            if (name.equals("direct")) {
                if (!rest.isEmpty()) {
                    throw bad(entry, "direct:// takes no host");
                }
                return ProxyServer.DIRECT;
            }
            scheme = scheme(entry, name);
        }
        // Tolerate the trailing slash of a pasted URL ("http://proxy:3128/"), nothing more.
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        if (rest.isEmpty()) {
            throw bad(entry, "no host");
        }
        if (rest.indexOf('@') >= 0 || rest.indexOf('/') >= 0) {
            throw bad(entry, "expected [scheme://]host[:port], without user info or path");
        }
        HostAndPort hostAndPort;
        try {
            hostAndPort = HostAndPort.parse(rest, scheme.defaultPort());
        } catch (IllegalArgumentException e) {
            throw bad(entry, e.getMessage());
        }
        checkHost(entry, hostAndPort.host());
        return ProxyServer.of(scheme, hostAndPort.host(), hostAndPort.port());
    }

    private static Scheme scheme(String entry, String name) {
        switch (name) {
            case "http":
                return Scheme.HTTP;
            case "https":
                return Scheme.HTTPS;
            case "socks4":
                return Scheme.SOCKS4;
            case "socks":
            case "socks5":
                return Scheme.SOCKS5;
            default:
                throw bad(entry, "unknown proxy scheme '" + name
                        + "' (known: http, https, socks4, socks5, socks, direct)");
        }
    }

    private static void checkHost(String entry, String host) {
        if (host.indexOf(':') >= 0) {
            if (IpLiteral.parseIpv6(host) == null) {
                throw bad(entry, "'" + host + "' is not an IPv6 address");
            }
            return;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_')) {
                throw bad(entry, "'" + c + "' cannot appear in a host name");
            }
        }
    }

    private static IllegalArgumentException bad(String entry, String why) {
        return new IllegalArgumentException("proxy '" + entry.trim() + "': " + why);
    }
}
