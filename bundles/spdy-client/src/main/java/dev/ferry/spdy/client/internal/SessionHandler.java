package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.GoAway;
import dev.ferry.spdy.client.SessionOptions;
import dev.ferry.spdy.client.SpdyStreamException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySettingsFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeadersFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyProtocolException;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySessionStatus;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyWindowUpdateFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The client side of a SPDY/3.1 session, between Netty's {@link SpdyFrameCodec} and the application: opens streams,
 * routes the proxy's frames to them, keeps both directions' flow-control windows, answers PINGs, and notices what
 * the proxy does against the protocol. All of its state lives on the channel's event loop; the methods the session
 * facade calls must run there.
 * <p>
 * Buffers: every inbound frame is released here, once, after it has been handled; DATA payloads are copied out first.
 * Outbound frames are owned by the codec once written.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter {

    private static final byte PRIORITY = 0;
    private static final int DEFAULT_WINDOW = SessionOptions.DEFAULT_WINDOW;

    private final SessionOptions options;
    private final Completions completions;
    private final Streams streams = new Streams();
    private final DataScheduler scheduler;
    private final ReceiveWindow sessionReceive;
    private final Map<Integer, Ping> pings = new HashMap<>();
    private int nextPingId = 1;
    private int peerInitialWindow = DEFAULT_WINDOW;
    private int peerMaxConcurrentStreams = Integer.MAX_VALUE;
    /** Why the session ended (GOAWAY sent, connection lost); null while it runs. */
    private String ended;
    private ChannelHandlerContext ctx;

    // Read by application threads.
    private final Map<Integer, Integer> settings = new ConcurrentHashMap<>();
    private final CompletableFuture<Map<Integer, Integer>> firstSettings = new CompletableFuture<>();
    private final CompletableFuture<GoAway> goAway = new CompletableFuture<>();
    private volatile GoAway goAwayReceived;
    private final Map<Integer, CompletableFuture<Integer>> resets = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    private static final class Ping {
        final long sentNanos;
        final CompletableFuture<Duration> result;

        Ping(long sentNanos, CompletableFuture<Duration> result) {
            this.sentNanos = sentNanos;
            this.result = result;
        }
    }

    SessionHandler(SessionOptions options, Completions completions) {
        this.options = options;
        this.completions = completions;
        this.scheduler = new DataScheduler(options.maxDataFrame());
        this.sessionReceive = new ReceiveWindow(options.sessionWindow());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    // ---- called by the session facade, on the event loop

    /** After TLS chose spdy/3.1: announce our windows. */
    void start() {
        if (options.streamWindow() != DEFAULT_WINDOW) {
            SpdySettingsFrame frame = new DefaultSpdySettingsFrame();
            frame.setValue(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE, options.streamWindow());
            ctx.write(frame);
        }
        int growth = options.sessionWindow() - DEFAULT_WINDOW;
        if (growth > 0) {
            ctx.write(new DefaultSpdyWindowUpdateFrame(0, growth));
        }
        ctx.flush();
    }

    void open(ClientStream stream) {
        String refusal = refusal();
        if (refusal != null) {
            stream.fail(new IOException(refusal), completions);
        } else if (options.respectMaxConcurrentStreams() && streams.openCount() >= peerMaxConcurrentStreams) {
            streams.enqueue(stream);
        } else {
            activate(stream);
        }
    }

    void enqueueData(ClientStream stream, byte[] chunk) {
        if (stream.state == StreamState.QUEUED || (stream.state.localOpen() && !stream.finRequested)) {
            stream.enqueue(chunk);
            sendData(stream);
        }
    }

    void finishLocal(ClientStream stream) {
        if (stream.state == StreamState.QUEUED || stream.state.localOpen()) {
            stream.finRequested = true;
            sendData(stream);
        }
    }

    /** The application read {@code bytes} of the stream: window credit for the session, and the stream if open. */
    void consumed(ClientStream stream, int bytes) {
        giveBackSession(bytes);
        if (stream.state.remoteOpen() && streams.get(stream.id()) == stream) {
            int delta = stream.receiveWindow.release(bytes);
            if (delta > 0) {
                ctx.writeAndFlush(new DefaultSpdyWindowUpdateFrame(stream.id(), delta));
            }
        }
    }

    /**
     * The application gave the stream up. Graceful (a tunnel's close): once the proxy has sent FIN, our FIN ends it;
     * otherwise, and always when not graceful, RST_STREAM CANCEL.
     */
    void cancel(ClientStream stream, boolean graceful, String detail) {
        if (stream.state == StreamState.QUEUED) {
            streams.dequeue(stream);
            stream.fail(new IOException("stream cancelled before it was sent: " + detail), completions);
        } else if (stream.state == StreamState.CLOSED) {
            return;
        } else if (graceful && !stream.state.remoteOpen()) {
            if (stream.outbound != null) {
                stream.outbound.fail(new IOException("stream " + stream.id() + ": " + detail));
            }
            finishLocal(stream);
        } else {
            reset(stream, SpdyStreamStatus.CANCEL, detail);
        }
    }

    void ping(CompletableFuture<Duration> result) {
        if (ended != null) {
            completions.fail(result, new IOException("session ended: " + ended));
            return;
        }
        int id = nextPingId;
        nextPingId += 2;
        pings.put(id, new Ping(System.nanoTime(), result));
        ctx.writeAndFlush(new DefaultSpdyPingFrame(id));
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
        if (ended == null) {
            end("session closed by the client");
            ctx.writeAndFlush(new DefaultSpdyGoAwayFrame(0, SpdySessionStatus.OK))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    // ---- read by application threads

    Map<Integer, Integer> settings() {
        return Map.copyOf(settings);
    }

    CompletableFuture<Map<Integer, Integer>> firstSettings() {
        return firstSettings;
    }

    GoAway goAwayReceived() {
        return goAwayReceived;
    }

    CompletableFuture<GoAway> goAway() {
        return goAway;
    }

    CompletableFuture<Integer> resetFuture(int streamId) {
        return resets.computeIfAbsent(streamId, id -> new CompletableFuture<>());
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    // ---- the proxy's frames

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof SpdyDataFrame) {
                onData((SpdyDataFrame) msg);
            } else if (msg instanceof SpdySynReplyFrame) {
                onSynReply((SpdySynReplyFrame) msg);
            } else if (msg instanceof SpdySynStreamFrame) {
                onSynStream((SpdySynStreamFrame) msg);
            } else if (msg instanceof SpdyHeadersFrame) {
                onHeaders((SpdyHeadersFrame) msg);
            } else if (msg instanceof SpdyWindowUpdateFrame) {
                onWindowUpdate((SpdyWindowUpdateFrame) msg);
            } else if (msg instanceof SpdyRstStreamFrame) {
                onRstStream((SpdyRstStreamFrame) msg);
            } else if (msg instanceof SpdySettingsFrame) {
                onSettings((SpdySettingsFrame) msg);
            } else if (msg instanceof SpdyPingFrame) {
                onPing((SpdyPingFrame) msg);
            } else if (msg instanceof SpdyGoAwayFrame) {
                onGoAway((SpdyGoAwayFrame) msg);
            }
            // Anything else (there is nothing else: the codec drops unknown frame types) is released unread.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onData(SpdyDataFrame frame) {
        int id = frame.streamId();
        int length = frame.content().readableBytes();
        if (!sessionReceive.take(length)) {
            sessionError("DATA of " + length + " bytes on stream " + id + " overran the session window");
            return;
        }
        ClientStream stream = streams.get(id);
        if (stream == null) {
            giveBackSession(length);
            unknownStream(id, "DATA");
            return;
        }
        if (!stream.replied) {
            giveBackSession(length);
            streamError(stream, SpdyStreamStatus.PROTOCOL_ERROR, "DATA before SYN_REPLY");
            return;
        }
        if (!stream.state.remoteOpen()) {
            giveBackSession(length);
            streamError(stream, SpdyStreamStatus.STREAM_ALREADY_CLOSED, "DATA after the proxy's FIN");
            return;
        }
        int window = stream.receiveWindow.remaining();
        if (!stream.receiveWindow.take(length)) {
            giveBackSession(length);
            streamError(stream, SpdyStreamStatus.FLOW_CONTROL_ERROR,
                    "DATA of " + length + " bytes with " + window + " left in the stream window");
            return;
        }
        if (length > 0 && !stream.inbound.offer(ByteBufUtil.getBytes(frame.content()))) {
            consumed(stream, length); // the application closed the body: the bytes count as read
        }
        if (frame.isLast()) {
            remoteFin(stream);
        }
    }

    private void onSynReply(SpdySynReplyFrame frame) {
        ClientStream stream = streams.get(frame.streamId());
        if (stream == null) {
            unknownStream(frame.streamId(), "SYN_REPLY");
            return;
        }
        if (stream.replied) {
            streamError(stream, SpdyStreamStatus.STREAM_IN_USE, "a second SYN_REPLY");
            return;
        }
        if (frame.isTruncated()) {
            reset(stream, SpdyStreamStatus.FRAME_TOO_LARGE,
                    "SYN_REPLY headers larger than maxHeaderSize " + options.maxHeaderSize());
            return;
        }
        Reply reply = frame.isInvalid() ? null : Reply.parse(frame);
        if (reply == null) {
            streamError(stream, SpdyStreamStatus.PROTOCOL_ERROR, frame.isInvalid() ? "invalid SYN_REPLY header block"
                    : "SYN_REPLY without a valid :status (" + frame.headers().getAsString(":status") + ")");
            return;
        }
        stream.replied = true;
        completions.complete(stream.reply, reply);
        if (frame.isLast()) {
            remoteFin(stream);
        }
    }

    private void onHeaders(SpdyHeadersFrame frame) {
        ClientStream stream = streams.get(frame.streamId());
        if (stream == null) {
            unknownStream(frame.streamId(), "HEADERS");
        } else if (!stream.replied) {
            streamError(stream, SpdyStreamStatus.PROTOCOL_ERROR, "HEADERS before SYN_REPLY");
        } else if (!stream.state.remoteOpen()) {
            streamError(stream, SpdyStreamStatus.STREAM_ALREADY_CLOSED, "HEADERS after the proxy's FIN");
        } else if (frame.isInvalid()) {
            streamError(stream, SpdyStreamStatus.PROTOCOL_ERROR, "invalid HEADERS header block");
        } else if (frame.isLast()) {
            // Trailing headers carry nothing the client uses; only their FIN matters.
            remoteFin(stream);
        }
    }

    private void onSynStream(SpdySynStreamFrame frame) {
        int id = frame.streamId();
        if ((id & 1) == 1) {
            violation("SYN_STREAM from the proxy with the client-side (odd) id " + id);
        }
        // Server push is not supported: refuse every stream the proxy opens.
        ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.REFUSED_STREAM));
    }

    private void onWindowUpdate(SpdyWindowUpdateFrame frame) {
        int id = frame.streamId();
        if (id == 0) {
            if (!scheduler.growSessionWindow(frame.deltaWindowSize())) {
                sessionError("WINDOW_UPDATE of " + frame.deltaWindowSize() + " grew the session window past 2^31-1");
                return;
            }
        } else {
            ClientStream stream = streams.get(id);
            if (stream == null) {
                return; // a stream that has just closed: nothing left to send on it
            }
            long grown = (long) stream.sendWindow + frame.deltaWindowSize();
            if (grown > Integer.MAX_VALUE) {
                streamError(stream, SpdyStreamStatus.FLOW_CONTROL_ERROR,
                        "WINDOW_UPDATE grew the stream window past 2^31-1");
                return;
            }
            stream.sendWindow = (int) grown;
            scheduler.add(stream);
        }
        scheduler.run(ctx, this::finSent);
    }

    private void onRstStream(SpdyRstStreamFrame frame) {
        int id = frame.streamId();
        int status = frame.status().code();
        completions.complete(resetFuture(id), status);
        ClientStream stream = streams.get(id);
        if (stream != null) {
            close(stream, false);
            stream.fail(new SpdyStreamException(id, status, true, null), completions);
        } else if ((id & 1) == 1 && !streams.givenOut(id)) {
            violation("RST_STREAM " + SpdyStreamException.statusName(status) + " for stream " + id
                    + ", which the client never opened");
        }
    }

    private void onSettings(SpdySettingsFrame frame) {
        for (Integer id : frame.ids()) {
            int value = frame.getValue(id);
            settings.put(id, value);
            if (id == SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE) {
                if (value < 0) {
                    violation("SETTINGS_INITIAL_WINDOW_SIZE " + value + " is negative");
                } else {
                    peerInitialWindowChanged(value);
                }
            } else if (id == SpdySettingsFrame.SETTINGS_MAX_CONCURRENT_STREAMS) {
                peerMaxConcurrentStreams = value < 0 ? Integer.MAX_VALUE : value;
            }
        }
        completions.complete(firstSettings, Map.copyOf(settings));
        activateQueued();
        scheduler.run(ctx, this::finSent);
    }

    private void peerInitialWindowChanged(int value) {
        int delta = value - peerInitialWindow;
        peerInitialWindow = value;
        for (ClientStream stream : streams.openStreams()) {
            long changed = (long) stream.sendWindow + delta;
            if (changed > Integer.MAX_VALUE) {
                streamError(stream, SpdyStreamStatus.FLOW_CONTROL_ERROR,
                        "SETTINGS_INITIAL_WINDOW_SIZE grew the stream window past 2^31-1");
                continue;
            }
            stream.sendWindow = (int) changed;
            scheduler.add(stream);
        }
    }

    private void onPing(SpdyPingFrame frame) {
        int id = frame.id();
        if ((id & 1) == 0) {
            ctx.writeAndFlush(new DefaultSpdyPingFrame(id));
            return;
        }
        Ping ping = pings.remove(id);
        if (ping != null) {
            completions.complete(ping.result, Duration.ofNanos(System.nanoTime() - ping.sentNanos));
        }
    }

    private void onGoAway(SpdyGoAwayFrame frame) {
        GoAway received = new GoAway(frame.lastGoodStreamId(), frame.status().code());
        goAwayReceived = received;
        completions.complete(goAway, received);
        for (ClientStream stream : streams.openStreams()) {
            if (stream.id() > received.lastGoodStreamId()) {
                close(stream, false);
                stream.fail(new IOException("stream " + stream.id() + " was not processed: the proxy sent "
                        + received), completions);
            }
        }
        failQueued("the proxy sent " + received);
    }

    // ---- connection events

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            scheduler.run(ctx, this::finSent);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof SpdyProtocolException) {
            sessionError("an invalid frame (" + root.getMessage() + ")");
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
        for (Ping ping : pings.values()) {
            completions.fail(ping.result, new IOException("session ended: " + ended));
        }
        pings.clear();
        super.channelInactive(ctx);
    }

    // ---- stream life

    private void activate(ClientStream stream) {
        int id;
        try {
            id = streams.takeId();
        } catch (IllegalStateException e) {
            stream.fail(new IOException(e.getMessage()), completions);
            return;
        }
        stream.activate(id, peerInitialWindow, options.streamWindow());
        streams.add(stream);
        SpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, PRIORITY);
        syn.setLast(stream.finOnSyn);
        syn.headers().add(stream.requestHeaders);
        ctx.writeAndFlush(syn).addListener(future -> {
            if (!future.isSuccess() && stream.state != StreamState.CLOSED) {
                close(stream, false);
                stream.fail(new IOException("SYN_STREAM for stream " + id + " could not be sent: " + future.cause(),
                        future.cause()), completions);
            }
        });
        sendData(stream);
    }

    private void activateQueued() {
        while (streams.hasQueued() && refusal() == null
                && (!options.respectMaxConcurrentStreams() || streams.openCount() < peerMaxConcurrentStreams)) {
            activate(streams.pollQueued());
        }
    }

    private void sendData(ClientStream stream) {
        if (stream.state != StreamState.QUEUED) {
            scheduler.add(stream);
            scheduler.run(ctx, this::finSent);
        }
    }

    private void finSent(ClientStream stream) {
        stream.state = stream.state.afterLocalFin();
        if (stream.state == StreamState.CLOSED) {
            close(stream, true);
        }
    }

    private void remoteFin(ClientStream stream) {
        stream.inbound.finish();
        stream.state = stream.state.afterRemoteFin();
        if (stream.state == StreamState.CLOSED) {
            close(stream, true);
        }
    }

    /** Forgets a stream that has ended; a slot under MAX_CONCURRENT_STREAMS frees up. */
    private void close(ClientStream stream, boolean peerFinished) {
        stream.state = StreamState.CLOSED;
        streams.remove(stream, peerFinished);
        activateQueued();
    }

    /** Resets a stream on the client's initiative. */
    private void reset(ClientStream stream, SpdyStreamStatus status, String detail) {
        ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(stream.id(), status));
        close(stream, false);
        stream.fail(new SpdyStreamException(stream.id(), status.code(), false, detail), completions);
    }

    /** The proxy broke the protocol on a stream. */
    private void streamError(ClientStream stream, SpdyStreamStatus status, String problem) {
        violation(problem + " on stream " + stream.id());
        reset(stream, status, problem);
    }

    /** A frame for a stream id not open here. */
    private void unknownStream(int id, String frameType) {
        if (streams.finishedByPeer(id)) {
            violation(frameType + " on stream " + id + " after the proxy's FIN");
            ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.STREAM_ALREADY_CLOSED));
        } else if (!streams.givenOut(id)) {
            violation(frameType + " on stream " + id + ", which the client never opened");
            ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.INVALID_STREAM));
        }
        // Otherwise a stream that was reset or reserved: frames still in flight are ignored.
    }

    /** The proxy broke the protocol for the whole session: GOAWAY PROTOCOL_ERROR and close. */
    private void sessionError(String problem) {
        violation(problem);
        if (ended == null) {
            end("the proxy sent " + problem);
            ctx.writeAndFlush(new DefaultSpdyGoAwayFrame(0, SpdySessionStatus.PROTOCOL_ERROR))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Marks the session ended and fails every stream still open or queued. */
    private void end(String reason) {
        ended = reason;
        IOException cause = new IOException("session ended: " + reason);
        for (ClientStream stream : streams.openStreams()) {
            close(stream, false);
            stream.fail(cause, completions);
        }
        failQueued(reason);
    }

    private void failQueued(String reason) {
        ClientStream queued;
        while ((queued = streams.pollQueued()) != null) {
            queued.fail(new IOException("stream not sent: " + reason), completions);
        }
    }

    /** Why no new stream may open, or null. */
    private String refusal() {
        if (ended != null) {
            return "session ended: " + ended;
        }
        GoAway received = goAwayReceived;
        if (received != null) {
            return "the proxy sent " + received + "; no new streams on this session";
        }
        return null;
    }

    private void giveBackSession(int bytes) {
        int delta = sessionReceive.release(bytes);
        if (delta > 0 && ended == null) {
            ctx.writeAndFlush(new DefaultSpdyWindowUpdateFrame(0, delta));
        }
    }

    private void violation(String problem) {
        violations.add(problem);
    }
}
