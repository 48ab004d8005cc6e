package dev.ferry.engine.impl;

import dev.ferry.api.proxy.HostAndPort;
import java.net.URI;
import java.util.Locale;

/**
 * Where a proxy request goes: the absolute-form target of a forwarded request ({@code http://host:port/path}) or the
 * authority-form target of a CONNECT ({@code host:port}).
 */
final class RequestTarget {

    private final HostAndPort destination;
    /** Origin-form path and query for forwarded requests; null for CONNECT. */
    private final String originForm;

    private RequestTarget(HostAndPort destination, String originForm) {
        this.destination = destination;
        this.originForm = originForm;
    }

    /** Parses a CONNECT target: {@code host:port} with the port required. */
    static RequestTarget authority(String target) {
        if (target.isEmpty() || target.indexOf('/') >= 0 || target.indexOf('@') >= 0) {
            throw new IllegalArgumentException("CONNECT target must be host:port, got '" + target + "'");
        }
        try {
            return new RequestTarget(HostAndPort.parse(target, -1), null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("CONNECT target must be host:port: " + e.getMessage(), e);
        }
    }

    /**
     * Parses an absolute-form {@code http://} (or {@code ws://}) target. Anything else (origin-form, {@code https://}, other schemes)
     * is not a request a forward proxy can serve this way.
     */
    static RequestTarget absolute(String target) {
        int schemeEnd = target.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException("request-target must be absolute-form (http://host/path) or a CONNECT, "
                    + "got '" + abbreviate(target) + "'");
        }
        String scheme = target.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        // ws:// is http:// for a WebSocket's opening handshake (RFC 6455 section 3), which some clients send a proxy
        // in absolute form; it goes on as http.
        if (!scheme.equals("http") && !scheme.equals("ws")) {
            throw new IllegalArgumentException("scheme '" + abbreviate(scheme) + "' is not forwarded; "
                    + (scheme.equals("https") || scheme.equals("wss") ? scheme + " URLs go through CONNECT"
                            : "only http:// (and ws://) is"));
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = authorityStart;
        while (authorityEnd < target.length() && "/?#".indexOf(target.charAt(authorityEnd)) < 0) {
            authorityEnd++;
        }
        String authority = target.substring(authorityStart, authorityEnd);
        if (authority.indexOf('@') >= 0) {
            throw new IllegalArgumentException("user info is not allowed in a request-target");
        }
        HostAndPort destination;
        try {
            destination = HostAndPort.parse(authority, 80);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad authority in request-target: " + e.getMessage(), e);
        }
        String rest = target.substring(authorityEnd);
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            rest = rest.substring(0, fragment);
        }
        if (rest.isEmpty() || rest.charAt(0) == '?') {
            rest = "/" + rest;
        }
        return new RequestTarget(destination, rest);
    }

    HostAndPort destination() {
        return destination;
    }

    String originForm() {
        return originForm;
    }

    boolean isConnect() {
        return originForm == null;
    }

    /** The Host header value for the origin: the port only when it is not the scheme's default. */
    String hostHeader() {
        String host = destination.host().indexOf(':') >= 0 ? "[" + destination.host() + "]" : destination.host();
        return destination.port() == 80 ? host : host + ":" + destination.port();
    }

    /** The URL a proxy resolver sees: the full URL for http, scheme, host and port only for tunnels. */
    URI resolverUrl() {
        if (isConnect()) {
            return URI.create("https://" + destination + "/");
        }
        try {
            return URI.create("http://" + destination + originForm);
        } catch (IllegalArgumentException e) {
            return URI.create("http://" + destination + "/");
        }
    }

    /** The absolute-form target, for forwarding through an upstream HTTP proxy. */
    String absoluteForm() {
        return "http://" + hostHeader() + originForm;
    }

    private static String abbreviate(String s) {
        return s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }
}
