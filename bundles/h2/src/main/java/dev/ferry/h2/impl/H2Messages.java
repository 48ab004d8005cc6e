package dev.ferry.h2.impl;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Headers.PseudoHeaderName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Translation between HTTP/2 header blocks and the HTTP/1.1 messages an exchange handler reads and writes
 * (RFC 9113 section 8.3 for the request pseudo-header fields, 8.5 for CONNECT).
 */
final class H2Messages {

    private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final SecureRandom KEYS = new SecureRandom();
    /** HTTP/1 connection headers: they have no meaning in HTTP/2 and a response carrying one is malformed. */
    private static final Set<String> CONNECTION_SPECIFIC = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade");

    private H2Messages() {
    }

    /**
     * The request a HEADERS frame opens. {@code :scheme}, {@code :authority} and {@code :path} become an absolute
     * target ({@code http://host:port/path}), so the stream is forwarded as an absolute-URI request would be; a
     * CONNECT has {@code :authority} only and becomes {@code CONNECT host:port}. A body without a length is marked
     * chunked so that an HTTP/1.1 hop can frame it.
     *
     * @param endStream whether the HEADERS frame ended the stream (no body follows)
     * @throws IllegalArgumentException naming what is missing or not allowed
     */
    static HttpRequest toRequest(Http2Headers headers, boolean endStream) {
        CharSequence method = required(headers, PseudoHeaderName.METHOD);
        CharSequence authority = headers.authority();
        CharSequence protocol = protocolOf(headers);
        String target;
        if (protocol != null) {
            return toUpgrade(headers, protocol);
        }
        if (HttpMethod.CONNECT.asciiName().contentEquals(method)) {
            if (headers.scheme() != null || headers.path() != null) {
                throw new IllegalArgumentException("CONNECT with :scheme or :path (RFC 9113 section 8.5)");
            }
            target = required(headers, PseudoHeaderName.AUTHORITY).toString();
        } else {
            CharSequence scheme = required(headers, PseudoHeaderName.SCHEME);
            CharSequence path = required(headers, PseudoHeaderName.PATH);
            if (authority == null || authority.length() == 0) {
                authority = headers.get(HttpHeaderNames.HOST);
            }
            if (authority == null || authority.length() == 0) {
                throw new IllegalArgumentException("request without :authority or host (a proxy needs the target)");
            }
            target = "*".contentEquals(path) ? scheme + "://" + authority
                    : scheme + "://" + authority + path;
        }
        HttpRequest request;
        try {
            request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method.toString()), target);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad request '" + method + " " + target + "': " + e.getMessage(), e);
        }
        copyRegular(headers, request.headers());
        if (authority != null && authority.length() > 0) {
            request.headers().set(HttpHeaderNames.HOST, authority);
        }
        if (!endStream && !HttpMethod.CONNECT.equals(request.method()) && !HttpUtil.isContentLengthSet(request)) {
            HttpUtil.setTransferEncodingChunked(request, true);
        }
        return request;
    }

    /** The {@code :protocol} of an extended CONNECT (RFC 8441), or null. */
    static CharSequence protocolOf(Http2Headers headers) {
        return headers.get(PseudoHeaderName.PROTOCOL.value());
    }

    /**
     * An extended CONNECT (RFC 8441: {@code :method CONNECT}, {@code :protocol}, {@code :scheme}, {@code :authority},
     * {@code :path}) as the HTTP/1.1 Upgrade an origin understands: {@code GET http://authority/path} with
     * {@code Upgrade: <protocol>} and {@code Connection: Upgrade}. A WebSocket gets the {@code Sec-WebSocket-Key}
     * HTTP/2 does not carry (RFC 8441 section 5); the stream checks the origin's accept against it. The request has no
     * body: what the client sends next is the new protocol's.
     */
    private static HttpRequest toUpgrade(Http2Headers headers, CharSequence protocol) {
        if (!HttpMethod.CONNECT.asciiName().contentEquals(headers.method())) {
            throw new IllegalArgumentException(":protocol on a " + headers.method() + " (RFC 8441: CONNECT only)");
        }
        CharSequence scheme = required(headers, PseudoHeaderName.SCHEME);
        CharSequence path = required(headers, PseudoHeaderName.PATH);
        CharSequence authority = required(headers, PseudoHeaderName.AUTHORITY);
        HttpRequest request;
        try {
            request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, scheme + "://" + authority + path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad extended CONNECT to '" + scheme + "://" + authority + path + "': "
                    + e.getMessage(), e);
        }
        copyRegular(headers, request.headers());
        request.headers().set(HttpHeaderNames.HOST, authority)
                .set(HttpHeaderNames.UPGRADE, protocol)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                .remove(HttpHeaderNames.CONTENT_LENGTH);
        if (HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(protocol)) {
            byte[] nonce = new byte[16];
            KEYS.nextBytes(nonce);
            request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_KEY, Base64.getEncoder().encodeToString(nonce));
        }
        return request;
    }

    /**
     * Whether {@code accept} is the origin's proof (RFC 6455 section 4.2.2) that it read {@code key}: base64 of the
     * SHA-1 of the key and the protocol's GUID.
     */
    static boolean acceptsKey(String key, String accept) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest).equals(accept == null ? null : accept.trim());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }

    /** Trailers of a request body, as HTTP/1.1 trailer fields. */
    static void copyTrailers(Http2Headers trailers, HttpHeaders into) {
        copyRegular(trailers, into);
    }

    /**
     * Every field but the pseudo-header fields. HTTP/2 may split {@code cookie} into several fields; HTTP/1.1 wants
     * one, joined with "; " (RFC 9113 section 8.2.3).
     */
    private static void copyRegular(Http2Headers headers, HttpHeaders into) {
        StringBuilder cookie = null;
        for (Map.Entry<CharSequence, CharSequence> header : headers) {
            CharSequence name = header.getKey();
            if (name.length() > 0 && name.charAt(0) == ':') {
                continue;
            }
            if (HttpHeaderNames.COOKIE.contentEqualsIgnoreCase(name)) {
                cookie = cookie == null ? new StringBuilder() : cookie.append("; ");
                cookie.append(header.getValue());
                continue;
            }
            into.add(name, header.getValue());
        }
        if (cookie != null) {
            into.set(HttpHeaderNames.COOKIE, cookie.toString());
        }
    }

    private static CharSequence required(Http2Headers headers, PseudoHeaderName name) {
        CharSequence value = headers.get(name.value());
        if (value == null || value.length() == 0) {
            throw new IllegalArgumentException("request without " + name.value());
        }
        return value;
    }

    /**
     * The HEADERS block of a response: {@code :status} and the fields, lower-cased, without HTTP/1 connection
     * headers (nor those the {@code Connection} header names). A 2xx to a CONNECT carries no length
     * (RFC 9110 section 9.3.6): what follows is the tunnel.
     */
    static Http2Headers toHeaders(HttpResponse response, boolean connectEstablished) {
        Http2Headers headers = new DefaultHttp2Headers();
        headers.status(response.status().codeAsText());
        HttpHeaders fields = response.headers();
        Set<String> named = connectionNamed(fields);
        for (Map.Entry<String, String> header : fields) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (CONNECTION_SPECIFIC.contains(name) || named.contains(name)
                    || connectEstablished && name.equals("content-length")) {
                continue;
            }
            headers.add(name, header.getValue());
        }
        return headers;
    }

    /**
     * The {@code 200} that tells an extended CONNECT's client its stream now carries the new protocol, from the
     * origin's {@code 101}: its fields but the HTTP/1.1 handshake's own ({@code Upgrade}, {@code Connection},
     * {@code Sec-WebSocket-Accept}); {@code Sec-WebSocket-Protocol} and {@code -Extensions} stay.
     */
    static Http2Headers toSwitched(HttpResponse switching) {
        Http2Headers headers = new DefaultHttp2Headers();
        headers.status(HttpResponseStatus.OK.codeAsText());
        for (Map.Entry<String, String> header : switching.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!CONNECTION_SPECIFIC.contains(name) && !name.equals("sec-websocket-accept")
                    && !name.equals("content-length")) {
                headers.add(name, header.getValue());
            }
        }
        return headers;
    }

    /** Trailer fields of a response body, lower-cased, connection headers left out. */
    static Http2Headers toTrailers(HttpHeaders trailers) {
        Http2Headers headers = new DefaultHttp2Headers();
        for (Map.Entry<String, String> header : trailers) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!CONNECTION_SPECIFIC.contains(name)) {
                headers.add(name, header.getValue());
            }
        }
        return headers;
    }

    private static Set<String> connectionNamed(HttpHeaders fields) {
        String connection = fields.get(HttpHeaderNames.CONNECTION);
        if (connection == null) {
            return Set.of();
        }
        Set<String> named = new java.util.HashSet<>();
        for (String token : connection.split(",")) {
            named.add(token.trim().toLowerCase(Locale.ROOT));
        }
        return named;
    }
}
