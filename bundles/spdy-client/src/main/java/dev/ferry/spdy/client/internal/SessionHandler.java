package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.GoAway;
import dev.ferry.spdy.client.SessionOptions;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyProtocolException;
import io.netty.handler.codec.spdy.SpdySessionStatus;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The client side of a SPDY/3.1 session, between Netty's {@link SpdyFrameCodec} and the application. It is the
 * session's Netty handler: it builds the collaborators that keep the session's state and hands them the proxy's
 * frames ({@link InboundFrames}), the connection's events and the session facade's calls; and it runs the session's
 * own life: started, then ended by the application, the proxy or the connection. All of its state lives on the
 * channel's event loop; the methods the session facade calls must run there.
 * <p>
 * Buffers: every inbound frame is released here, once, after it has been handled; DATA payloads are copied out first.
 * Outbound frames are owned by the codec once written.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter {

    private final SessionOptions options;
    private final Completions completions;
    private final Streams streams = new Streams();
    /** Read by application threads, so it exists before the channel does. */
    private final PeerObservations observations;
    /** Why the session ended (GOAWAY sent, connection lost); null while it runs. */
    private String ended;

    // Built in handlerAdded, as they write through the context; that is before any frame or facade call.
    private ChannelHandlerContext ctx;
    private FlowControl flowControl;
    private StreamLifecycle lifecycle;
    private ProtocolErrors errors;
    private Pings pings;
    private InboundFrames frames;

    SessionHandler(SessionOptions options, Completions completions) {
        this.options = options;
        this.completions = completions;
        this.observations = new PeerObservations(completions);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        DataScheduler scheduler = new DataScheduler(options.maxDataFrame());
        flowControl = new FlowControl(ctx, options, streams, scheduler, () -> ended != null);
        lifecycle = new StreamLifecycle(ctx, options, completions, streams, scheduler, flowControl, this::refusal);
        errors = new ProtocolErrors(ctx, streams, lifecycle, observations,
                reason -> endWithGoAway(reason, SpdySessionStatus.PROTOCOL_ERROR));
        pings = new Pings(ctx, completions);
        frames = new InboundFrames(ctx, options, completions, streams, lifecycle, flowControl, errors, pings,
                observations);
    }

    // ---- called by the session facade, on the event loop

    /** After TLS chose spdy/3.1: announce our windows. */
    void start() {
        flowControl.announceReceiveWindows();
    }

    void open(ClientStream stream) {
        lifecycle.open(stream);
    }

    void enqueueData(ClientStream stream, byte[] chunk) {
        lifecycle.enqueueData(stream, chunk);
    }

    void finishLocal(ClientStream stream) {
        lifecycle.finishLocal(stream);
    }

    /** The application read {@code bytes} of the stream. */
    void consumed(ClientStream stream, int bytes) {
        flowControl.consumed(stream, bytes);
    }

    /** The application gave the stream up; see {@link StreamLifecycle#cancel}. */
    void cancel(ClientStream stream, boolean graceful, String detail) {
        lifecycle.cancel(stream, graceful, detail);
    }

    void ping(CompletableFuture<Duration> result) {
        if (ended != null) {
            completions.fail(result, new IOException("session ended: " + ended));
            return;
        }
        pings.send(result);
    }

    int reserveStreamId() {
        return streams.takeId();
    }

    void sendFrame(SpdyFrame frame, ChannelPromise promise) {
        ctx.writeAndFlush(frame, promise);
    }

    /** Writes below the SPDY codec, straight into TLS. */
    void sendBytes(ByteBuf bytes, ChannelPromise promise) {
        ChannelHandlerContext codec = ctx.pipeline().context(SpdyFrameCodec.class);
        codec.writeAndFlush(bytes, promise);
    }

    int openStreams() {
        return streams.openCount() + streams.queuedCount();
    }

    /** The application closes the session: GOAWAY (OK), then close. */
    void shutdown() {
        if (!endWithGoAway("session closed by the client", SpdySessionStatus.OK)) {
            ctx.close();
        }
    }

    // ---- read by application threads

    Map<Integer, Integer> settings() {
        return observations.settings();
    }

    CompletableFuture<Map<Integer, Integer>> firstSettings() {
        return observations.firstSettings();
    }

    GoAway goAwayReceived() {
        return observations.goAwayReceived();
    }

    CompletableFuture<GoAway> goAway() {
        return observations.goAway();
    }

    CompletableFuture<Integer> resetFuture(int streamId) {
        return observations.resetFuture(streamId);
    }

    List<String> violations() {
        return observations.violations();
    }

    // ---- the proxy's frames

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            frames.dispatch(msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    // ---- connection events

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            lifecycle.sendPending();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof SpdyProtocolException) {
            errors.sessionError("an invalid frame (" + root.getMessage() + ")");
        } else {
            if (ended == null) {
                end(cause.toString());
            }
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (ended == null) {
            end("the connection closed");
        }
        pings.failAll(ended);
        super.channelInactive(ctx);
    }

    // ---- the session's end

    /**
     * Ends the session with GOAWAY {@code status}, closing the connection once it is written; false, and nothing
     * sent, when the session has ended already.
     */
    private boolean endWithGoAway(String reason, SpdySessionStatus status) {
        if (ended != null) {
            return false;
        }
        end(reason);
        ctx.writeAndFlush(new DefaultSpdyGoAwayFrame(0, status)).addListener(ChannelFutureListener.CLOSE);
        return true;
    }

    /** Marks the session ended and fails every stream still open or queued. */
    private void end(String reason) {
        ended = reason;
        lifecycle.failAll(reason);
    }

    /** Why no new stream may open, or null. */
    private String refusal() {
        if (ended != null) {
            return "session ended: " + ended;
        }
        GoAway received = observations.goAwayReceived();
        if (received != null) {
            return "the proxy sent " + received + "; no new streams on this session";
        }
        return null;
    }
}
