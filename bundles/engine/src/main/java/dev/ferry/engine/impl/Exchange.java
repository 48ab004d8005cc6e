package dev.ferry.engine.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.proxy.ProxyErrorType;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.List;

/** What the proxy knows about one exchange: for its framing decisions and for the access log line. */
final class Exchange {

    final long startNanos = System.nanoTime();
    final Instant started = Instant.now();
    final String method;
    final String target;
    /** The protocol the client speaks to the proxy on this exchange (its server codec's: http/1.1, spdy/3.1, h2). */
    final String protocol;
    final boolean http10;
    /** Whether the client connection stays open after this exchange. */
    boolean keepAlive;
    /** The proxy the exchange went through, as logged ({@code DIRECT}, {@code http://host:port}), or "-". */
    String upstream = "-";
    /** The whole request, body included, has been read from the client. */
    boolean requestDone;
    long bytesIn;
    long bytesOut;
    /** The user a plugin authenticated, or null. */
    String user;
    /** The exchange hooks this exchange took when it started (empty: none registered then). */
    List<ExchangeHooks.Ranked> hooks = List.of();
    /** The request as the hooks saw it last, while {@code hooks} is not empty. */
    ClientRequest request;
    /** The error the proxy answered or ended the exchange with, or null. */
    ProxyErrorType errorType;
    String errorDetails;
    /** The final status the client got, or 0 while there is none. */
    int status;
    /** The {@code Upgrade} forwarded with the request (a protocol the listener allows), or null. */
    String upgrade;

    Exchange(HttpRequest request, String protocol) {
        this.protocol = protocol;
        method = request.method().name();
        target = request.uri();
        keepAlive = HttpUtil.isKeepAlive(request);
        http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
    }

    /**
     * Records the final response's status and fixes how its body reaches the client: a body the origin ends by
     * closing becomes chunked for HTTP/1.1 clients (HTTP/1.0 clients get a close instead), and the connection
     * header says whether the client connection stays open.
     */
    void frameResponse(HttpResponse response) {
        status = response.status().code();
        boolean bodyless = HttpMethod.HEAD.name().equals(method) || status == 204 || status == 304;
        if (!bodyless && !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)) {
            if (http10) {
                keepAlive = false;
            } else {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
        }
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /** Records an error answer (or end) for the log and the hooks. */
    void failed(ProxyError error) {
        errorType = error.type();
        errorDetails = error.details();
    }

    /** The exchange has ended: its access log line, and the hooks' summary. Called once. */
    void log(SocketAddress client) {
        long now = System.nanoTime();
        AccessLog.log(client, method, target, status, bytesIn, bytesOut, now - startNanos, upstream, user,
                protocol);
        if (!hooks.isEmpty()) {
            ExchangeEvents.ended(this, now);
        }
    }
}
