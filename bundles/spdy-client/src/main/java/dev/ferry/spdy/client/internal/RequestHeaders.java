package dev.ferry.spdy.client.internal;

import io.netty.handler.codec.spdy.DefaultSpdyHeaders;
import io.netty.handler.codec.spdy.SpdyHeaders;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The header blocks of the SYN_STREAMs Chrome sends to a SPDY proxy. Built and validated on the caller's thread, so a
 * bad URL or header is an {@link IllegalArgumentException} for the caller, never a failure on the event loop.
 */
final class RequestHeaders {

    private static final String VERSION = "HTTP/1.1";

    private RequestHeaders() {
    }

    /**
     * A request for an {@code http://} URL: {@code :path} is the full URL (what Chrome sends to a proxy),
     * {@code :host} the URL's authority.
     */
    static SpdyHeaders request(String method, String absoluteUrl, Map<String, String> extra) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(absoluteUrl, "absoluteUrl");
        if (method.isEmpty() || !method.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new IllegalArgumentException("not an HTTP method: '" + method + "'");
        }
        URI uri;
        try {
            uri = new URI(absoluteUrl);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + absoluteUrl + " (" + e.getMessage() + ")", e);
        }
        String scheme = uri.getScheme();
        if ("https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("https:// goes through a tunnel: use connect(\"host:443\") for "
                    + absoluteUrl);
        }
        if (!"http".equalsIgnoreCase(scheme) || uri.getHost() == null) {
            throw new IllegalArgumentException("not an absolute http:// URL: " + absoluteUrl);
        }
        String authority = uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":method", method);
        headers.put(":path", "http://" + authority + path + query);
        headers.put(":version", VERSION);
        headers.put(":host", authority);
        headers.put(":scheme", "http");
        return build(headers, extra);
    }

    /** A CONNECT: {@code :path} and {@code :host} are {@code host:port}; no {@code :scheme}. */
    static SpdyHeaders connect(String hostPort, Map<String, String> extra) {
        checkHostPort(hostPort);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":method", "CONNECT");
        headers.put(":path", hostPort);
        headers.put(":version", VERSION);
        headers.put(":host", hostPort);
        return build(headers, extra);
    }

    static void checkHostPort(String hostPort) {
        Objects.requireNonNull(hostPort, "hostPort");
        int colon = hostPort.lastIndexOf(':');
        String port = colon < 0 ? "" : hostPort.substring(colon + 1);
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
        if (host.isEmpty() || (host.contains(":") && !bracketed) || port.isEmpty() || port.length() > 5
                || !port.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(port) < 1
                || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("expected host:port (port 1-65535, IPv6 in brackets), got '"
                    + hostPort + "'");
        }
    }

    private static SpdyHeaders build(Map<String, String> headers, Map<String, String> extra) {
        if (extra != null) {
            for (Map.Entry<String, String> header : extra.entrySet()) {
                String name = Objects.requireNonNull(header.getKey(), "header name").toLowerCase(Locale.ROOT);
                if (name.equals("host")) {
                    name = ":host";
                }
                if (header.getValue() == null) {
                    headers.remove(name);
                } else {
                    headers.put(name, header.getValue());
                }
            }
        }
        SpdyHeaders spdy = new DefaultSpdyHeaders(true);
        for (Map.Entry<String, String> header : headers.entrySet()) {
            try {
                spdy.add(header.getKey(), header.getValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("header " + header.getKey() + ": " + e.getMessage(), e);
            }
        }
        return spdy;
    }
}
