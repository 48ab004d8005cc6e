package dev.ferry.engine.impl;

import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyResolutionException;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.LimitReachedException;
import dev.ferry.api.upstream.ServiceUnavailableException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.List;

/** A failed exchange: its RFC 9209 error type and a short explanation for the client and the log. */
final class ProxyError {

    private final ProxyErrorType type;
    private final String details;
    private final int status;
    /** Headers the answer carries besides Proxy-Status (a challenge's Proxy-Authenticate). */
    private final List<HeaderEdit> headers;

    ProxyError(ProxyErrorType type, String details) {
        this(type, details, type.status(), List.of());
    }

    private ProxyError(ProxyErrorType type, String details, int status, List<HeaderEdit> headers) {
        this.type = type;
        this.details = details;
        this.status = status;
        this.headers = headers;
    }

    /** A hook's DENY or CHALLENGE, answered as it asked. */
    static ProxyError refused(Verdict verdict) {
        return new ProxyError(verdict.errorType(), verdict.text(), verdict.status(), verdict.headerEdits());
    }

    /** Classifies a request the decoder could not parse. */
    static ProxyError malformedRequest(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return new ProxyError(ProxyErrorType.HTTP_REQUEST_HEADER_TOO_LARGE,
                    "request header section too large: " + cause.getMessage());
        }
        if (cause instanceof TooLongHttpLineException) {
            return new ProxyError(ProxyErrorType.HTTP_REQUEST_LINE_TOO_LONG,
                    "request line too long: " + cause.getMessage());
        }
        return new ProxyError(ProxyErrorType.HTTP_REQUEST_ERROR, "malformed request: " + cause.getMessage());
    }

    /** Classifies a failure to reach the destination or to get its response. */
    static ProxyError upstream(Throwable cause, String destination) {
        if (cause instanceof ServiceUnavailableException) {
            // The proxy's own part is missing for now (a bundle being updated): 503, worth a retry soon, not 500.
            return new ProxyError(ProxyErrorType.PROXY_INTERNAL_ERROR, cause.getMessage(), 503, List.of());
        }
        if (cause instanceof LimitReachedException) {
            return new ProxyError(ProxyErrorType.PROXY_RESOURCE_EXHAUSTED, cause.getMessage());
        }
        if (cause instanceof ConnectJobException) {
            // The pool classified it at the stage that failed.
            return new ProxyError(((ConnectJobException) cause).errorType(), cause.getMessage());
        }
        if (cause instanceof ProxyResolutionException) {
            return new ProxyError(ProxyErrorType.PROXY_CONFIGURATION_ERROR,
                    "cannot choose a proxy for " + destination + ": " + cause.getMessage());
        }
        if (cause instanceof UnknownHostException) {
            return new ProxyError(ProxyErrorType.DNS_ERROR, "cannot resolve " + destination);
        }
        if (cause instanceof ConnectTimeoutException) {
            return new ProxyError(ProxyErrorType.CONNECTION_TIMEOUT, "timed out connecting to " + destination);
        }
        if (cause instanceof NoRouteToHostException) {
            return new ProxyError(ProxyErrorType.DESTINATION_UNAVAILABLE, "no route to " + destination);
        }
        if (cause instanceof ConnectException) {
            return new ProxyError(ProxyErrorType.CONNECTION_REFUSED, "connection refused by " + destination);
        }
        if (cause instanceof PrematureChannelClosureException || cause instanceof ClosedChannelException) {
            return new ProxyError(ProxyErrorType.HTTP_RESPONSE_INCOMPLETE,
                    destination + " closed the connection before a complete response");
        }
        if (cause instanceof IOException) {
            return new ProxyError(ProxyErrorType.CONNECTION_TERMINATED,
                    "connection to " + destination + " failed: " + cause.getMessage());
        }
        return new ProxyError(ProxyErrorType.PROXY_INTERNAL_ERROR,
                "proxy failure reaching " + destination + ": " + cause);
    }

    ProxyErrorType type() {
        return type;
    }

    String details() {
        return details;
    }

    int status() {
        return status;
    }

    /** The {@code Proxy-Status} header value. */
    String proxyStatus(String pseudonym) {
        return pseudonym + "; error=" + type.token() + "; details=\"" + quote(details) + "\"";
    }

    /** A complete response: the status, a {@code Proxy-Status} header and a one-line text body. */
    FullHttpResponse toResponse(ByteBufAllocator alloc, String pseudonym, boolean close) {
        ByteBuf body = ByteBufUtil.writeUtf8(alloc, status + " " + HttpResponseStatus.valueOf(status)
                .reasonPhrase() + ": " + details + "\n");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(status), body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set("Proxy-Status", proxyStatus(pseudonym));
        for (HeaderEdit edit : headers) {
            switch (edit.op()) {
                case ADD:
                    response.headers().add(edit.name(), edit.value());
                    break;
                case SET:
                    response.headers().set(edit.name(), edit.value());
                    break;
                default:
                    response.headers().remove(edit.name());
            }
        }
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** Escapes for an RFC 8941 string: printable ASCII only, quotes and backslashes escaped. */
    private static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && out.length() < 256; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append('?');
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return status + " " + type.token() + ": " + details;
    }
}
