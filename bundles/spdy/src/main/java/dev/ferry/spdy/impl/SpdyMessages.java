package dev.ferry.spdy.impl;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyHeadersFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Translation between SPDY header blocks and the HTTP messages an exchange handler reads and writes. */
final class SpdyMessages {

    /** Headers that describe an HTTP/1 connection and have no meaning (or are forbidden) in SPDY. */
    private static final Set<String> CONNECTION_SPECIFIC = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding");

    private SpdyMessages() {
    }

    /**
     * The request a SYN_STREAM opens: method, target ({@code :path}, an absolute URL or, for CONNECT, host:port) and
     * headers. A body without a length is marked chunked so that HTTP/1 hops can frame it.
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    static HttpRequest toRequest(SpdyHeadersFrame frame) {
        SpdyHeaders headers = frame.headers();
        String method = required(headers, SpdyHeaders.HttpNames.METHOD);
        String path = required(headers, SpdyHeaders.HttpNames.PATH);
        String version = required(headers, SpdyHeaders.HttpNames.VERSION);
        HttpRequest request;
        try {
            request = new DefaultHttpRequest(HttpVersion.valueOf(version), HttpMethod.valueOf(method), path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad request line '" + method + " " + path + " " + version + "': "
                    + e.getMessage(), e);
        }
        for (Map.Entry<CharSequence, CharSequence> header : headers) {
            String name = header.getKey().toString();
            if (name.startsWith(":")) {
                continue;
            }
            request.headers().add(name, header.getValue());
        }
        CharSequence host = headers.get(SpdyHeaders.HttpNames.HOST);
        if (host != null) {
            request.headers().set(HttpHeaderNames.HOST, host);
        }
        if (!frame.isLast() && !HttpMethod.CONNECT.equals(request.method())
                && !HttpUtil.isContentLengthSet(request)) {
            HttpUtil.setTransferEncodingChunked(request, true);
        } else if (!HttpUtil.isContentLengthSet(request)) {
            request.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        }
        return request;
    }

    private static String required(SpdyHeaders headers, CharSequence name) {
        String value = headers.getAsString(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("SYN_STREAM without " + name);
        }
        return value;
    }

    /** The SYN_REPLY that carries {@code response}'s status and headers, without the HTTP/1 connection headers. */
    static SpdySynReplyFrame toSynReply(int streamId, HttpResponse response) {
        SpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(streamId);
        SpdyHeaders headers = reply.headers();
        headers.set(SpdyHeaders.HttpNames.STATUS, response.status().toString());
        headers.set(SpdyHeaders.HttpNames.VERSION, HttpVersion.HTTP_1_1.text());
        for (Map.Entry<String, String> header : response.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!CONNECTION_SPECIFIC.contains(name)) {
                headers.add(name, header.getValue());
            }
        }
        return reply;
    }
}
