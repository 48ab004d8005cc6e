package dev.ferry.engine.impl;

import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.spi.ListenerClosing;
import dev.ferry.api.spi.PoolKey;
import dev.ferry.api.spi.ServerCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the exchanges of one exchange channel, one at a time: a forwarded request streams to the origin over a
 * pooled connection and its response streams back; a CONNECT becomes a tunnel. Reading from the client pauses while
 * the origin cannot take more, and between exchanges until the response is done; messages the codec had already
 * decoded wait in a backlog, in order.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {

    private enum State {
        /** Waiting for a request. */
        IDLE,
        /** A request is being forwarded and its response relayed. */
        FORWARDING,
        /** A CONNECT waits for its connect job. */
        CONNECTING,
        /** An error was answered; the rest of the request body is dropped. */
        DISCARDING,
        /** The connection is closing or handed over to a tunnel. */
        CLOSED
    }

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeHandler.class);
    private static final AttributeKey<Boolean> CLIENT_CODEC = AttributeKey.valueOf("dev.ferry.engine.clientCodec");

    private final ExchangeServices services;
    private final ServerCodec codec;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private State state = State.IDLE;

    /** The current exchange, or the last one while IDLE. */
    private Exchange ex;
    private OutgoingRequest outgoing;
    private Channel origin;
    private PoolKey key;
    private boolean originWasReused;
    private boolean responseStarted;
    private boolean informational;
    private boolean originReusable;

    ExchangeHandler(ExchangeServices services, ServerCodec codec) {
        this.services = services;
        this.codec = codec;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.CLOSED) {
            ReferenceCountUtil.release(msg);
        } else if (!backlog.isEmpty() || (state != State.IDLE && ex.requestDone)
                || (state == State.CONNECTING && msg instanceof ByteBuf)) {
            // Decoded before we paused reading: it belongs to a later exchange (or, after a CONNECT, to the tunnel).
            backlog.add(msg);
            ctx.channel().config().setAutoRead(false);
        } else {
            dispatch(msg);
        }
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest) {
            HttpRequest request = (HttpRequest) msg;
            if (request.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                beginExchange(request);
                reject(ProxyError.malformedRequest(request.decoderResult().cause()), true);
                return;
            }
            onRequest(request);
        }
        if (msg instanceof HttpContent) {
            onRequestBody((HttpContent) msg);
        } else if (!(msg instanceof HttpRequest)) {
            LOG.debug("Dropping unexpected {} on {}", msg.getClass().getName(), ctx.channel());
            ReferenceCountUtil.release(msg);
        }
    }

    private void beginExchange(HttpRequest request) {
        ex = new Exchange(request);
        responseStarted = false;
        informational = false;
        originReusable = false;
        outgoing = null;
    }

    private void onRequest(HttpRequest request) {
        beginExchange(request);
        boolean connect = HttpMethod.CONNECT.equals(request.method());
        RequestTarget parsed;
        try {
            parsed = connect ? RequestTarget.authority(request.uri()) : RequestTarget.absolute(request.uri());
        } catch (IllegalArgumentException e) {
            reject(new ProxyError(ProxyErrorType.HTTP_REQUEST_ERROR, e.getMessage()), connect);
            return;
        }
        ProxyServer proxy = services.resolver.get().resolve(parsed.resolverUrl()).first();
        ex.upstream = proxy.toString();
        key = new PoolKey(proxy, parsed.destination());
        ctx.channel().config().setAutoRead(false);
        if (connect) {
            state = State.CONNECTING;
            codec.tunnelRequested(ctx.pipeline());
            services.pool.connectTunnel(key, ctx.channel().eventLoop()).addListener(this::onTunnelConnected);
            return;
        }
        state = State.FORWARDING;
        services.headers.forward(request.headers());
        request.headers().set(HttpHeaderNames.HOST, parsed.hostHeader());
        request.setUri(proxy.isDirect() ? parsed.originForm() : parsed.absoluteForm());
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        outgoing = new OutgoingRequest(request);
        services.pool.acquire(key, ctx.channel().eventLoop()).addListener(this::onOriginConnected);
    }

    private void onRequestBody(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (state == State.FORWARDING) {
            ex.bytesIn += content.content().readableBytes();
            if (origin == null) {
                outgoing.hold(content);
            } else {
                origin.write(content, origin.voidPromise());
                if (!origin.isWritable()) {
                    ctx.channel().config().setAutoRead(false);
                }
            }
        } else {
            content.release();
        }
        if (!last) {
            return;
        }
        ex.requestDone = true;
        if (state == State.FORWARDING) {
            ctx.channel().config().setAutoRead(false);
            if (origin != null) {
                origin.flush();
            }
        } else if (state == State.DISCARDING) {
            endExchange();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (origin != null) {
            origin.flush();
        }
        ctx.fireChannelReadComplete();
    }

    private void onOriginConnected(Future<?> future) {
        if (state != State.FORWARDING) {
            if (future.isSuccess()) {
                ((Channel) future.getNow()).close();
            }
            return;
        }
        if (!future.isSuccess()) {
            failBeforeResponse(ProxyError.upstream(future.cause(), key.destination().toString()));
            return;
        }
        origin = (Channel) future.getNow();
        originWasReused = origin.attr(CLIENT_CODEC).setIfAbsent(Boolean.TRUE) != null;
        if (!originWasReused) {
            services.clientCodec.configure(origin.pipeline());
        }
        origin.pipeline().addLast(OriginHandler.NAME, new OriginHandler(this, origin));
        outgoing.sendTo(origin);
        origin.flush();
        if (!ex.requestDone && origin.isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** The origin connection drained: read more of the request body. */
    void originWritable() {
        if (state == State.FORWARDING && !ex.requestDone) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && origin != null) {
            origin.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    void onResponseHead(Channel ch, HttpResponse response) {
        if (ch != origin || state != State.FORWARDING) {
            return;
        }
        if (response.decoderResult().isFailure()) {
            originFailed(ch, new ProxyException(new ProxyError(ProxyErrorType.HTTP_PROTOCOL_ERROR,
                    "malformed response from " + describeOrigin() + ": " + response.decoderResult().cause())));
            return;
        }
        services.headers.forward(response.headers());
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            if (response.status().code() == 101) {
                originFailed(ch, new ProxyException(new ProxyError(ProxyErrorType.HTTP_PROTOCOL_ERROR,
                        describeOrigin() + " switched protocols, which this proxy does not relay")));
                return;
            }
            // 100 Continue and friends go to the client as they are; the final response follows.
            informational = true;
            ctx.write(response, ctx.voidPromise());
            return;
        }
        informational = false;
        responseStarted = true;
        originReusable = HttpUtil.isKeepAlive(response);
        ex.frameResponse(response);
        ctx.write(response, ctx.voidPromise());
    }

    void onResponseBody(Channel ch, HttpContent content) {
        if (ch != origin || state != State.FORWARDING) {
            // What a failed or replaced origin connection still delivers is not the client's.
            content.release();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (informational) {
            ctx.write(content, ctx.voidPromise());
            informational = !last;
            return;
        }
        ex.bytesOut += content.content().readableBytes();
        ctx.write(content, ctx.voidPromise());
        if (last) {
            ctx.flush();
            endExchange();
        } else if (!ctx.channel().isWritable()) {
            origin.config().setAutoRead(false);
        }
    }

    void flushToClient() {
        ctx.flush();
    }

    /** The origin connection {@code ch} failed or closed (cause null) before the exchange was complete. */
    void originFailed(Channel ch, Throwable cause) {
        if (ch != origin || state != State.FORWARDING) {
            return;
        }
        if (originWasReused && !responseStarted && !informational && ex.requestDone
                && outgoing.retryable(ex.bytesIn)) {
            // An idle connection the origin closed as we reused it: nothing was answered, nothing is lost.
            LOG.debug("{} {} {}: reused connection to {} closed before a response; retrying once on another",
                    ctx.channel().remoteAddress(), ex.method, ex.target, describeOrigin());
            closeOrigin();
            outgoing.rearm();
            services.pool.acquire(key, ctx.channel().eventLoop()).addListener(this::onOriginConnected);
            return;
        }
        ProxyError error = cause instanceof ProxyException ? ((ProxyException) cause).error()
                : ProxyError.upstream(cause == null ? new PrematureChannelClosureException() : cause,
                        describeOrigin());
        if (!responseStarted) {
            failBeforeResponse(error);
            return;
        }
        // Part of the response is out: closing is the only honest end for the client.
        LOG.warn("{} {} {}: {} after the response started; closing the client connection", ctx.channel()
                .remoteAddress(), ex.method, ex.target, error);
        closeOrigin();
        ex.log(ctx.channel().remoteAddress());
        state = State.CLOSED;
        ctx.close();
    }

    private void failBeforeResponse(ProxyError error) {
        closeOrigin();
        releasePending();
        LOG.warn("{} {} {}: {}", ctx.channel().remoteAddress(), ex.method, ex.target, error);
        reject(error, !ex.requestDone);
    }

    /** Answers the current request with an error; closes the connection when asked or when it cannot continue. */
    private void reject(ProxyError error, boolean close) {
        ex.status = error.status();
        boolean closing = close || !ex.keepAlive || state == State.CONNECTING;
        if (state == State.IDLE) {
            LOG.info("{} {} {}: {}", ctx.channel().remoteAddress(), ex.method, ex.target, error);
        }
        ChannelFuture written = ctx.writeAndFlush(error.toResponse(ctx.alloc(), ExchangeServices.PSEUDONYM, closing));
        if (closing) {
            ex.log(ctx.channel().remoteAddress());
            state = State.CLOSED;
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        state = State.DISCARDING;
        if (ex.requestDone) {
            endExchange();
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** The response is complete (or an error answered): log, hand back the origin, go on with the next request. */
    private void endExchange() {
        ex.log(ctx.channel().remoteAddress());
        if (origin != null) {
            Channel ch = origin;
            origin = null;
            ch.pipeline().remove(OriginHandler.NAME);
            ch.config().setAutoRead(true);
            if (originReusable && ex.requestDone) {
                services.pool.release(ch);
            } else {
                ch.close();
            }
        }
        if (!ex.requestDone || !ex.keepAlive) {
            // A response that came before the whole request leaves the connection unusable.
            state = State.CLOSED;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        state = State.IDLE;
        while (state == State.IDLE || (state != State.CLOSED && !ex.requestDone)) {
            Object next = backlog.poll();
            if (next == null) {
                break;
            }
            dispatch(next);
        }
        if (state == State.IDLE) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void onTunnelConnected(Future<?> future) {
        if (state != State.CONNECTING) {
            if (future.isSuccess()) {
                ((Channel) future.getNow()).close();
            }
            return;
        }
        if (!future.isSuccess()) {
            ProxyError error = ProxyError.upstream(future.cause(), key.destination().toString());
            LOG.warn("{} CONNECT {}: {}", ctx.channel().remoteAddress(), ex.target, error);
            reject(error, true);
            return;
        }
        state = State.CLOSED;
        ctx.pipeline().remove(this);
        TunnelHandoff.start(ctx.channel(), (Channel) future.getNow(), codec, services.relay, backlog, ex);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ListenerClosing) {
            // Finish the exchange in flight, then close; an idle connection closes now.
            if (ex != null) {
                ex.keepAlive = false;
            }
            if (state == State.IDLE && backlog.isEmpty()) {
                state = State.CLOSED;
                ctx.close();
            }
            return;
        }
        if (evt instanceof IdleStateEvent) {
            if (state == State.IDLE && backlog.isEmpty()) {
                LOG.debug("Closing idle client connection {}", ctx.channel());
                state = State.CLOSED;
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state == State.FORWARDING || state == State.CONNECTING) {
            ex.log(ctx.channel().remoteAddress());
        }
        state = State.CLOSED;
        closeOrigin();
        releasePending();
        for (Object msg; (msg = backlog.poll()) != null;) {
            ReferenceCountUtil.release(msg);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Client connection {} failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    private void closeOrigin() {
        if (origin != null) {
            Channel ch = origin;
            origin = null;
            ch.close();
        }
    }

    private void releasePending() {
        if (outgoing != null) {
            outgoing.release();
        }
    }

    private String describeOrigin() {
        return ex.upstream.equals("DIRECT") ? "origin" : ex.upstream;
    }
}
