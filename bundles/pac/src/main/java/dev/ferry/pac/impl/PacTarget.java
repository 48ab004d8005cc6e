package dev.ferry.pac.impl;

import java.net.URI;
import java.util.Locale;

/**
 * The two arguments {@code FindProxyForURL(url, host)} receives for a target URL. Like Chromium, an https URL is cut
 * down to {@code https://host[:port]/} so that scripts (possibly fetched from the network) never learn paths or
 * query strings of encrypted requests; the port stays only when the URL names it. Other URLs go as they are.
 */
final class PacTarget {

    private final String url;
    private final String host;

    private PacTarget(String url, String host) {
        this.url = url;
        this.host = host;
    }

    /** @throws IllegalArgumentException when the URL has no host */
    static PacTarget of(URI target) {
        String host = hostOf(target);
        if ("https".equalsIgnoreCase(target.getScheme())) {
            String authority = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
            String port = target.getPort() >= 0 ? ":" + target.getPort() : "";
            return new PacTarget("https://" + authority + port + "/", host);
        }
        return new PacTarget(target.toString(), host);
    }

    /** The host without IPv6 brackets, lower case; also for names java.net.URI refuses as hosts (e.g. with '_'). */
    private static String hostOf(URI target) {
        String host = target.getHost();
        if (host == null) {
            host = hostFromAuthority(target.getRawAuthority());
        }
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("URL has no host: " + target);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.toLowerCase(Locale.ROOT);
    }

    private static String hostFromAuthority(String authority) {
        if (authority == null) {
            return null;
        }
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            return close < 0 ? null : hostPort.substring(0, close + 1);
        }
        int colon = hostPort.indexOf(':');
        return colon < 0 ? hostPort : hostPort.substring(0, colon);
    }

    String url() {
        return url;
    }

    String host() {
        return host;
    }
}
