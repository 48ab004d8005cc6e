package dev.ferry.engine.impl;

import dev.ferry.api.codec.ListenerClosing;
import dev.ferry.api.codec.ServerCodec;
import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.spi.LingeringClose;
import dev.ferry.api.spi.TunnelRelay;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ServiceUnavailableException;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.api.upstream.UpstreamRequest;
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
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.List;
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
        /** The exchange hooks (plugins) decide about the request; what the client sends meanwhile waits. */
        CHECKING,
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
    /** How long a connection answered with an error and a close waits for its client to close first. */
    private static final int LINGER_AFTER_ERROR_SECONDS = 2;

    private final ExchangeServices services;
    private final ServerCodec codec;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private State state = State.IDLE;

    /** The current exchange, or the last one while IDLE. */
    private Exchange ex;
    private OutgoingRequest outgoing;
    private RequestTarget target;
    /** The upstream connection of the exchange being forwarded, while it has one. */
    private UpstreamLease lease;
    /** {@code lease}'s channel, for telling its callbacks from those of connections given up. */
    private Channel origin;
    private OriginHandler originHandler;
    /** The hooks' decision on the current request, cancelled when the client leaves before it is made. */
    private Future<HookRun.Outcome> pendingCheck;
    /** The connector's work for the current exchange, cancelled when the client leaves before it is done. */
    private Future<UpstreamLease> pendingConnect;
    /** The listener closed: this connection ends after its current or next exchange (not a state: it spans them). */
    private boolean draining;

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
        } else if (!backlog.isEmpty() || state == State.CHECKING || (state != State.IDLE && ex.requestDone)
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
        ex = new Exchange(request, codec.protocol());
        if (draining) {
            ex.keepAlive = false;
        }
        originHandler = null;
        outgoing = null;
        lease = null;
    }

    private void onRequest(HttpRequest request) {
        beginExchange(request);
        boolean connect = HttpMethod.CONNECT.equals(request.method());
        try {
            target = connect ? RequestTarget.authority(request.uri()) : RequestTarget.absolute(request.uri());
        } catch (IllegalArgumentException e) {
            reject(new ProxyError(ProxyErrorType.HTTP_REQUEST_ERROR, e.getMessage()), connect);
            return;
        }
        // From here on what the client sends waits in the backlog until the request goes on (or is refused); reading
        // pauses only once something has to wait (channelRead), not for every request: each pause and resume is a
        // system call, and a client that does not pipeline sends nothing until the response.
        state = State.CHECKING;
        if (connect) {
            // What follows the CONNECT is tunnel data, whatever the hooks decide: the codec must not parse it.
            codec.tunnelRequested(ctx.pipeline());
        }
        List<ExchangeHooks.Ranked> chain = services.hooks.chain();
        if (chain.isEmpty()) {
            proceed(request, connect);
            return;
        }
        ClientRequest asked = ClientRequests.of(request, target, ctx.channel(), services.listenerName(),
                codec.protocol());
        ex.hooks = chain;
        ex.request = asked;
        pendingCheck = HookRun.start(chain, asked, ctx.executor(), services.hooks.timeoutMillis());
        pendingCheck.addListener(f -> {
            if (f.isCancelled() || state != State.CHECKING) {
                return;
            }
            pendingCheck = null;
            onChecked(request, connect, asked, ((HookRun.Outcome) f.getNow()));
            replayBacklog();
        });
    }

    /** The hooks decided: the request goes on as they left it, or is answered with their refusal or failure. */
    private void onChecked(HttpRequest request, boolean connect, ClientRequest asked, HookRun.Outcome outcome) {
        // Not IDLE: reject() would log the answer again; the line below (or HookRun's, for a failure) says why.
        state = State.DISCARDING;
        if (outcome.failure != null) {
            reject(outcome.failure, connect);
            return;
        }
        if (outcome.refusal != null) {
            ex.request = outcome.request;
            ex.user = outcome.request.user();
            ProxyError refusal = ProxyError.refused(outcome.refusal);
            LOG.info("{} {} {}: {} (plugin {})", ctx.channel().remoteAddress(), ex.method, ex.target, refusal,
                    outcome.refusedBy);
            reject(refusal, connect);
            return;
        }
        ClientRequest decided = outcome.request;
        ex.request = decided;
        ex.user = decided.user();
        if (!decided.target().equals(asked.target())) {
            target = connect ? RequestTarget.authority(decided.target()) : RequestTarget.absolute(decided.target());
        }
        ClientRequests.writeBack(asked, decided, request);
        proceed(request, connect);
    }

    /** What the client sent while the hooks decided, taken as if it arrived now. */
    private void replayBacklog() {
        if (!backlog.isEmpty()) {
            // Taken out first: channelRead backlogs again what still has to wait (a pipelined next request).
            ArrayDeque<Object> held = new ArrayDeque<>(backlog);
            backlog.clear();
            for (Object msg; (msg = held.poll()) != null;) {
                channelRead(ctx, msg);
            }
        }
        if (state == State.IDLE && backlog.isEmpty()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** Forwards the request, or connects the tunnel, as the client (and the hooks) asked. */
    private void proceed(HttpRequest request, boolean connect) {
        String partition = services.partition(ctx.channel());
        if (connect) {
            state = State.CONNECTING;
            pendingConnect = services.connect(UpstreamRequest.tunnel(target.destination(), partition),
                    ctx.channel().eventLoop());
            pendingConnect.addListener(this::onTunnelConnected);
            return;
        }
        UpstreamRequest upstreamRequest;
        try {
            // Header values are validated as they are set: a target or a plugin's edit can still fail here.
            // (Upgrade is HTTP/1.1's, and HTTP/2's extended CONNECT comes as one; a SPDY stream has none.)
            String upgrade = codec.relaysUpgrades()
                    ? ProtocolUpgrade.requested(request, services.upgradeProtocols()) : null;
            services.headers.forward(request.headers());
            if (upgrade != null) {
                ProtocolUpgrade.restore(request.headers(), upgrade);
                ex.upgrade = upgrade;
            }
            request.headers().set(HttpHeaderNames.HOST, target.hostHeader());
            upstreamRequest = UpstreamRequest.http(target.resolverUrl(), target.destination(), partition);
        } catch (IllegalArgumentException e) {
            // Not forwarding: the body that follows is dropped, the answer closes the connection.
            ProxyError error = new ProxyError(ProxyErrorType.HTTP_REQUEST_ERROR, "request cannot be forwarded: "
                    + e.getMessage());
            LOG.info("{} {} {}: {}", ctx.channel().remoteAddress(), ex.method, ex.target, error);
            reject(error, true);
            return;
        }
        state = State.FORWARDING;
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        outgoing = new OutgoingRequest(request);
        pendingConnect = services.connect(upstreamRequest, ctx.channel().eventLoop());
        if (pendingConnect.isDone()) {
            // Failed at once (e.g. a resolver that throws): answered after the request's own end is read, as a
            // later failure would be, so that a keep-alive connection stays usable.
            ctx.executor().execute(() -> onOriginConnected(pendingConnect));
        } else {
            pendingConnect.addListener(this::onOriginConnected);
        }
    }

    private void onRequestBody(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            onMalformedBody(cause);
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (state == State.FORWARDING) {
            ex.bytesIn += content.content().readableBytes();
            if (origin == null) {
                outgoing.hold(content);
                if (content.content().isReadable()) {
                    // body bytes: no more until the origin is connected (onOriginConnected reads on)
                    ctx.channel().config().setAutoRead(false);
                }
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
            // (what the client sends next, a pipelined request, waits in the backlog: channelRead)
            if (origin != null) {
                origin.flush();
                originHandler.requestSent();
            }
        } else if (state == State.DISCARDING) {
            endExchange();
        }
    }

    /**
     * The request body cannot be parsed (a bad chunk size, say): where it ends is unknown, so nothing of it may reach
     * the origin as complete. Before the response started: 400 and close; after: both connections close.
     */
    private void onMalformedBody(Throwable cause) {
        if (state == State.FORWARDING && (originHandler == null || !originHandler.responseStarted())) {
            failBeforeResponse(ProxyError.malformedRequest(cause));
            return;
        }
        LOG.info("{} {} {}: malformed request body ({}); closing", ctx.channel().remoteAddress(), ex.method,
                ex.target, cause.toString());
        closeOrigin();
        releasePending();
        state = State.CLOSED;
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (origin != null) {
            origin.flush();
        }
        ctx.fireChannelReadComplete();
    }

    /** The connector's lease for the request, or the lease of its one retry. */
    private void onOriginConnected(Future<?> future) {
        // Not for this exchange any more: it was refused meanwhile (a malformed body, say), or ended.
        if (state != State.FORWARDING || future != pendingConnect) {
            if (future.isSuccess()) {
                ((UpstreamLease) future.getNow()).close();
            }
            return;
        }
        if (!future.isSuccess()) {
            ex.upstream = failedVia(future.cause());
            failBeforeResponse(ProxyError.upstream(future.cause(), target.destination().toString()));
            return;
        }
        UpstreamLease conn = (UpstreamLease) future.getNow();
        lease = conn;
        ex.upstream = conn.proxy().toString();
        origin = conn.channel();
        originHandler = new OriginHandler(this, origin, ctx, ex, services.headers, describeOrigin(),
                conn.absoluteForm(), services.responseTimeoutSeconds());
        origin.pipeline().addLast(OriginHandler.NAME, originHandler);
        outgoing.sendTo(origin, conn.absoluteForm() ? target.absoluteForm() : target.originForm(),
                conn.requestHeaders());
        origin.flush();
        if (ex.requestDone) {
            originHandler.requestSent();
        } else if (origin.isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** The proxy a failed connect went through last, for the access log. */
    private static String failedVia(Throwable cause) {
        return cause instanceof ConnectJobException ? ((ConnectJobException) cause).proxy().toString() : "-";
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

    /** Whether {@code ch} is the origin connection of the exchange being forwarded now. */
    boolean isForwardingTo(Channel ch) {
        return ch == origin && state == State.FORWARDING;
    }

    /** The origin's response has been relayed completely. */
    void responseComplete() {
        endExchange();
    }

    /** The origin connection {@code ch} failed or closed (cause null) before the exchange was complete. */
    void originFailed(Channel ch, Throwable cause) {
        if (ch != origin || state != State.FORWARDING) {
            return;
        }
        boolean responseStarted = originHandler.responseStarted();
        if (lease.reused() && !(cause instanceof ProxyException) && !responseStarted
                && !originHandler.informational() && ex.requestDone && outgoing.retryable(ex.bytesIn)) {
            // An idle connection the origin closed as we reused it: nothing was answered, nothing is lost. (An
            // answer the proxy refuses to relay is an answer: no retry for that.)
            LOG.debug("{} {} {}: reused connection to {} closed before a response; retrying once on another",
                    ctx.channel().remoteAddress(), ex.method, ex.target, describeOrigin());
            UpstreamLease lost = lease;
            lease = null;
            origin = null;
            outgoing.rearm();
            pendingConnect = lost.retry();
            pendingConnect.addListener(this::onOriginConnected);
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
        ex.failed(error);
        LOG.warn("{} {} {}: {} after the response started; closing the client connection", ctx.channel()
                .remoteAddress(), ex.method, ex.target, error);
        closeOrigin();
        ex.log(ctx.channel().remoteAddress());
        state = State.CLOSED;
        // What was relayed goes out first, so the client sees a response cut short rather than none.
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
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
        ex.failed(error);
        boolean closing = close || !ex.keepAlive || state == State.CONNECTING;
        if (state == State.IDLE) {
            LOG.info("{} {} {}: {}", ctx.channel().remoteAddress(), ex.method, ex.target, error);
        }
        // The state first: writing may run tasks that look at it (a connect that completed meanwhile).
        state = closing ? State.CLOSED : State.DISCARDING;
        ChannelFuture written = ctx.writeAndFlush(error.toResponse(ctx.alloc(), ExchangeServices.PSEUDONYM, closing));
        if (closing) {
            ex.log(ctx.channel().remoteAddress());
            written.addListener(f -> closeAfterAnswer());
            return;
        }
        if (ex.requestDone) {
            endExchange();
        } else {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * Ends the connection after an error answer without losing the answer: closing with unread request bytes (a body,
     * bytes sent behind a CONNECT) would reset the connection and take the answer with it. So the proxy stops
     * sending (FIN), reads and drops what still comes (state CLOSED releases it), and closes when the client does or
     * a moment later.
     */
    private void closeAfterAnswer() {
        // (A SPDY stream's answer ended the stream already: it closes at once, its close is its reset.)
        LingeringClose.afterAnswer(ctx.channel(), LINGER_AFTER_ERROR_SECONDS);
    }

    /** The response is complete (or an error answered): log, hand back the origin, go on with the next request. */
    private void endExchange() {
        ex.log(ctx.channel().remoteAddress());
        if (lease != null) {
            UpstreamLease done = lease;
            lease = null;
            origin = null;
            done.channel().pipeline().remove(OriginHandler.NAME);
            done.channel().config().setAutoRead(true);
            if (originHandler.reusable() && ex.requestDone) {
                done.release();
            } else {
                done.close();
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
                ((UpstreamLease) future.getNow()).close();
            }
            return;
        }
        if (!future.isSuccess()) {
            ex.upstream = failedVia(future.cause());
            ProxyError error = ProxyError.upstream(future.cause(), target.destination().toString());
            LOG.warn("{} CONNECT {}: {}", ctx.channel().remoteAddress(), ex.target, error);
            reject(error, true);
            return;
        }
        UpstreamLease conn = (UpstreamLease) future.getNow();
        TunnelRelay relay = services.relay.get();
        if (relay != null) {
            startTunnel(conn, relay);
            return;
        }
        // The relay went away since the connect began (its bundle being updated): wait for its successor.
        Future<TunnelRelay> waiting = services.relay.await(ctx.channel().eventLoop());
        waiting.addListener(f -> {
            if (state != State.CONNECTING) {
                conn.close();
            } else if (f.isSuccess()) {
                startTunnel(conn, waiting.getNow());
            } else {
                conn.close();
                ProxyError error = ProxyError.upstream(f.cause(), target.destination().toString());
                LOG.warn("{} CONNECT {}: {}", ctx.channel().remoteAddress(), ex.target, error);
                reject(error, true);
            }
        });
    }

    /**
     * The origin switched protocols as the client asked ({@code 101}, e.g. to a WebSocket): the client gets the 101,
     * and the two connections become a tunnel. Called from the origin's pipeline while its codec decodes the 101.
     */
    void upgradeAccepted(HttpResponse switching) {
        TunnelRelay relay = services.relay.get();
        if (relay == null) {
            failBeforeResponse(ProxyError.upstream(new ServiceUnavailableException(services.relay.toString(), 0),
                    target.destination().toString()));
            return;
        }
        // What the client sent behind its request is no HTTP any more: raw, it waits in the backlog for the tunnel.
        codec.tunnelRequested(ctx.pipeline());
        UpstreamLease conn = lease;
        lease = null;
        origin = null;
        state = State.CLOSED;
        ctx.pipeline().remove(this);
        TunnelHandoff.start(ctx.channel(), conn.channel(), codec, relay, backlog, ex, TunnelHandoff.switched(switching));
    }

    private void startTunnel(UpstreamLease conn, TunnelRelay relay) {
        state = State.CLOSED;
        ctx.pipeline().remove(this);
        ex.upstream = conn.proxy().toString();
        TunnelHandoff.start(ctx.channel(), conn.channel(), codec, relay, backlog, ex, TunnelHandoff.established());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ListenerClosing) {
            // The exchange in flight, or the next one, is answered with "Connection: close" and ends the connection.
            // An idle connection is not closed when another listener takes over: its client may be sending a request
            // this very moment, and that request would be lost. It closes at the idle timeout or the drain deadline,
            // whichever comes first. When the whole proxy stops it closes now (see ListenerClosing.STOPPING).
            draining = true;
            if (ex != null) {
                ex.keepAlive = false;
            }
            if (((ListenerClosing) evt).stopping() && state == State.IDLE && backlog.isEmpty()) {
                LOG.debug("Closing idle client connection {}: the proxy stops", ctx.channel());
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
        if (state == State.FORWARDING || state == State.CONNECTING || state == State.CHECKING) {
            ex.log(ctx.channel().remoteAddress());
        }
        state = State.CLOSED;
        if (pendingCheck != null) {
            pendingCheck.cancel(false);
        }
        if (pendingConnect != null) {
            // Gives up a queued or running connect job: its pool slot or waiting place goes to someone else.
            pendingConnect.cancel(false);
        }
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
        if (lease != null) {
            UpstreamLease gone = lease;
            lease = null;
            origin = null;
            gone.close();
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
