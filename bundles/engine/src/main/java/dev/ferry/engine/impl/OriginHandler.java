package dev.ferry.engine.impl;

import dev.ferry.api.proxy.ProxyErrorType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The origin side of one forwarded exchange, on the origin connection's pipeline while the exchange lasts: relays the
 * response to the client (interim responses as they are, the final one framed for the client), pauses the origin
 * while the client cannot take more, and reports the end, the connection's writability and its failures to the
 * {@link ExchangeHandler}. Whatever arrives after the exchange gave this connection up is released.
 */
final class OriginHandler extends ChannelInboundHandlerAdapter {

    static final String NAME = "origin-exchange";

    private final ExchangeHandler exchange;
    private final Channel channel;
    private final ChannelHandlerContext client;
    private final Exchange ex;
    private final ForwardedHeaders headers;
    private final String originName;
    private final boolean viaProxy;
    private final int responseTimeoutSeconds;
    private boolean informational;
    private boolean responseStarted;
    private boolean reusable;
    /** The origin switched protocols: from here on raw bytes pass through to the tunnel relay behind this. */
    private boolean upgraded;
    /** Runs from the request's end until the response's head arrives. */
    private ScheduledFuture<?> responseDeadline;

    /**
     * @param originName how errors name the other end: {@code origin} or the upstream proxy
     * @param viaProxy whether requests go to an upstream HTTP proxy (in absolute form) rather than to the origin
     * @param responseTimeoutSeconds the listener's setting: how long the origin may take to start its response once
     *                               the whole request has gone to it
     */
    OriginHandler(ExchangeHandler exchange, Channel channel, ChannelHandlerContext client, Exchange ex,
            ForwardedHeaders headers, String originName, boolean viaProxy, int responseTimeoutSeconds) {
        this.exchange = exchange;
        this.channel = channel;
        this.client = client;
        this.ex = ex;
        this.headers = headers;
        this.originName = originName;
        this.viaProxy = viaProxy;
        this.responseTimeoutSeconds = responseTimeoutSeconds;
    }

    /**
     * The whole request has gone to the origin: its response must start within {@code responseTimeoutSeconds}, or
     * the client gets 504 and the connection is closed (an origin that accepted and never answers would otherwise
     * hold the exchange until the client gives up).
     */
    void requestSent() {
        if (responseDeadline != null || responseStarted || informational) {
            return;
        }
        responseDeadline = channel.eventLoop().schedule(() -> {
            responseDeadline = null;
            if (!responseStarted && !informational) {
                exchange.originFailed(channel, new ProxyException(new ProxyError(
                        ProxyErrorType.HTTP_RESPONSE_TIMEOUT, originName + " sent no response within "
                                + responseTimeoutSeconds + " s (responseTimeoutSeconds)")));
            }
        }, responseTimeoutSeconds, TimeUnit.SECONDS);
    }

    private void cancelResponseDeadline() {
        if (responseDeadline != null) {
            responseDeadline.cancel(false);
            responseDeadline = null;
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelResponseDeadline();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (upgraded) {
            if (msg instanceof ByteBuf) {
                ctx.fireChannelRead(msg);
            } else {
                // the decoder's end of the 101 (an empty last content), before it left the pipeline
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        // HttpClientCodec delivers heads and contents as separate messages; only contents hold buffers.
        if (msg instanceof HttpResponse && exchange.isForwardingTo(channel)) {
            onResponseHead((HttpResponse) msg);
        }
        if (msg instanceof HttpContent && exchange.isForwardingTo(channel)) {
            onResponseBody((HttpContent) msg);
        } else if (!(msg instanceof HttpResponse)) {
            // What a failed or replaced origin connection still delivers is not the client's.
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponseHead(HttpResponse response) {
        cancelResponseDeadline();
        if (response.decoderResult().isFailure()) {
            exchange.originFailed(channel, new ProxyException(new ProxyError(ProxyErrorType.HTTP_PROTOCOL_ERROR,
                    "malformed response from " + originName + ": " + response.decoderResult().cause())));
            return;
        }
        if (response.status().code() == 407 && viaProxy) {
            // Its Proxy-Authenticate is hop-by-hop: relayed, the 407 would ask the client for a password it cannot
            // give to that proxy.
            exchange.originFailed(channel, new ProxyException(new ProxyError(ProxyErrorType.UPSTREAM_AUTH_REQUIRED,
                    "upstream proxy " + originName + " demands authentication (407) for forwarded requests; "
                            + "dev.ferry.pool proxyCredentials has none it accepts")));
            return;
        }
        // Before the hop-by-hop headers go: "Connection: close" says the connection cannot serve another request,
        // "Upgrade" which protocol a 101 switches to.
        boolean keepAlive = HttpUtil.isKeepAlive(response);
        String offered = response.headers().get(HttpHeaderNames.UPGRADE);
        String switchedTo = ProtocolUpgrade.accepted(response, ex.upgrade);
        headers.forward(response.headers());
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            if (response.status().code() == 101) {
                switchProtocols(response, offered, switchedTo);
                return;
            }
            // 100 Continue and friends go to the client as they are; the final response follows.
            informational = true;
            client.write(response, client.voidPromise());
            return;
        }
        informational = false;
        responseStarted = true;
        reusable = keepAlive;
        if (!ex.hooks.isEmpty()) {
            ExchangeEvents.responseHead(ex.hooks, ex.request, response);
        }
        ex.frameResponse(response);
        client.write(response, client.voidPromise());
    }

    /** A 101: the tunnel the client asked for, or an error when it asked for no such thing. */
    private void switchProtocols(HttpResponse response, String offered, String switchedTo) {
        if (switchedTo == null) {
            exchange.originFailed(channel, new ProxyException(new ProxyError(ProxyErrorType.HTTP_PROTOCOL_ERROR,
                    originName + " switched protocols (to " + offered + ") though the client asked for "
                            + (ex.upgrade == null ? "no upgrade this proxy allows (upgradeProtocols)"
                                    : ex.upgrade))));
            return;
        }
        ProtocolUpgrade.restore(response.headers(), switchedTo);
        responseStarted = true;
        upgraded = true;
        // What follows the 101 is the new protocol's: the codec leaves. Its encoder goes at once (the client's bytes
        // go out raw from now on); its decoder, which is decoding this 101 right now, hands what it has buffered
        // behind it on (raw, through this handler) once this call returns, by when the relay is in place.
        ChannelHandler codec = channel.pipeline().get(HttpClientCodec.class);
        if (codec != null) {
            channel.pipeline().remove(codec);
        }
        exchange.upgradeAccepted(response);
    }

    private void onResponseBody(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            // A broken chunk or trailer ends the decoder's view of the body: not an end the client may see as one.
            Throwable cause = content.decoderResult().cause();
            content.release();
            exchange.originFailed(channel, new ProxyException(new ProxyError(ProxyErrorType.HTTP_PROTOCOL_ERROR,
                    "malformed response body from " + originName + ": " + cause)));
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (informational) {
            client.write(content, client.voidPromise());
            informational = !last;
            return;
        }
        ex.bytesOut += content.content().readableBytes();
        client.write(content, client.voidPromise());
        if (last) {
            client.flush();
            exchange.responseComplete();
        } else if (!client.channel().isWritable()) {
            channel.config().setAutoRead(false);
        }
    }

    /** Whether the final response's head has gone to the client. */
    boolean responseStarted() {
        return responseStarted;
    }

    /** Whether an interim (1xx) response is being relayed. */
    boolean informational() {
        return informational;
    }

    /** Whether the origin may keep the connection open after this response. */
    boolean reusable() {
        return reusable;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (upgraded) {
            ctx.fireChannelReadComplete();
            return;
        }
        client.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upgraded) {
            ctx.fireChannelWritabilityChanged();
            return;
        }
        if (ctx.channel().isWritable()) {
            exchange.originWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (upgraded) {
            ctx.fireChannelInactive();
            return;
        }
        exchange.originFailed(channel, null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (upgraded) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        exchange.originFailed(channel, cause);
    }
}
