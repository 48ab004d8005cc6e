package dev.ferry.spdy.impl;

import dev.ferry.api.codec.ListenerClosing;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySettingsFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
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
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one SPDY/3.1 session: turns SYN_STREAMs into {@link SpdyStreamChannel}s served by exchange
 * handlers, routes DATA to them within the receive windows, keeps the send windows, and answers PING, SETTINGS and
 * GOAWAY. Errors that break the session end it with GOAWAY PROTOCOL_ERROR; errors of one stream reset that stream.
 */
final class SpdyServerSession extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SpdyServerSession.class);

    /** The session's limits, read once: a configuration proxy costs a reflective call per read. */
    private final int maxConcurrentStreams;
    private final int streamWindowBytes;
    private final int sessionWindowBytes;
    private final int maxDataFrameBytes;
    private final Supplier<ChannelHandler> exchangeHandlers;
    private final SpdyServerCodec codec;
    private final IntObjectMap<SpdyStreamChannel> streams = new IntObjectHashMap<>();
    private ChannelHandlerContext ctx;
    private int lastStreamId;
    private int initialSendWindow = ReceiveWindows.DEFAULT_WINDOW;
    private int sessionSendWindow = ReceiveWindows.DEFAULT_WINDOW;
    private ReceiveWindows receiveWindows;
    private boolean goingAway;

    SpdyServerSession(SpdyLimits limits, Supplier<ChannelHandler> exchangeHandlers, SpdyServerCodec codec) {
        this.maxConcurrentStreams = limits.maxConcurrentStreams();
        this.streamWindowBytes = limits.streamWindowBytes();
        this.sessionWindowBytes = limits.sessionWindowBytes();
        this.maxDataFrameBytes = limits.maxDataFrameBytes();
        this.exchangeHandlers = exchangeHandlers;
        this.codec = codec;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        codec.sessionOpened(this);
        SpdySettingsFrame settings = new DefaultSpdySettingsFrame();
        settings.setValue(SpdySettingsFrame.SETTINGS_MAX_CONCURRENT_STREAMS, maxConcurrentStreams);
        settings.setValue(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE, streamWindowBytes);
        ctx.write(settings);
        receiveWindows = new ReceiveWindows(streamWindowBytes, sessionWindowBytes,
                (streamId, delta) -> ctx.writeAndFlush(new DefaultSpdyWindowUpdateFrame(streamId, delta),
                        ctx.voidPromise()));
        receiveWindows.open();
        ctx.flush();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof SpdyDataFrame) {
                onData((SpdyDataFrame) msg);
            } else if (msg instanceof SpdySynStreamFrame) {
                onSynStream((SpdySynStreamFrame) msg);
            } else if (msg instanceof SpdySynReplyFrame) {
                sendReset(((SpdySynReplyFrame) msg).streamId(), SpdyStreamStatus.PROTOCOL_ERROR);
            } else if (msg instanceof SpdyHeadersFrame) {
                onHeaders((SpdyHeadersFrame) msg);
            } else if (msg instanceof SpdyWindowUpdateFrame) {
                onWindowUpdate((SpdyWindowUpdateFrame) msg);
            } else if (msg instanceof SpdyRstStreamFrame) {
                SpdyStreamChannel stream = streams.get(((SpdyRstStreamFrame) msg).streamId());
                if (stream != null) {
                    stream.remoteReset();
                }
            } else if (msg instanceof SpdySettingsFrame) {
                onSettings((SpdySettingsFrame) msg);
            } else if (msg instanceof SpdyPingFrame) {
                onPing((SpdyPingFrame) msg);
            } else if (msg instanceof SpdyGoAwayFrame) {
                goingAway = true;
                closeIfDrained();
            }
            // Unknown frame types are ignored, as SPDY requires.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onSynStream(SpdySynStreamFrame frame) {
        int id = frame.streamId();
        if (frame.isInvalid() || frame.isTruncated()) {
            goAway(SpdySessionStatus.PROTOCOL_ERROR, "bad or oversized header block on SYN_STREAM " + id);
            return;
        }
        if (id % 2 == 0 || id <= lastStreamId) {
            goAway(SpdySessionStatus.PROTOCOL_ERROR, "SYN_STREAM id " + id + " is not a new odd id");
            return;
        }
        lastStreamId = id;
        int open = openStreams();
        if (goingAway || open >= maxConcurrentStreams) {
            LOG.debug("{}: refusing stream {} ({} open, going away: {})", ctx.channel(), id, open, goingAway);
            sendReset(id, SpdyStreamStatus.REFUSED_STREAM);
            flush();
            return;
        }
        HttpRequest request;
        try {
            request = SpdyMessages.toRequest(frame);
        } catch (IllegalArgumentException e) {
            LOG.info("{}: stream {} reset: {}", ctx.channel().remoteAddress(), id, e.getMessage());
            sendReset(id, SpdyStreamStatus.PROTOCOL_ERROR);
            flush();
            return;
        }
        SpdyStreamChannel stream = new SpdyStreamChannel(ctx.channel(), this, receiveWindows, id,
                HttpMethod.CONNECT.equals(request.method()), initialSendWindow, maxDataFrameBytes);
        stream.pipeline().addLast(exchangeHandlers.get());
        streams.put(id, stream);
        ctx.channel().eventLoop().register(stream).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                LOG.warn("{}: cannot register stream {}: {}", ctx.channel(), id, f.cause().toString());
                stream.reset(SpdyStreamStatus.INTERNAL_ERROR);
            }
        });
        stream.receive(request);
        if (frame.isLast()) {
            stream.receiveFin();
        }
    }

    private void onData(SpdyDataFrame frame) {
        int id = frame.streamId();
        int length = frame.content().readableBytes();
        SpdyStreamChannel stream = streams.get(id);
        boolean mayReceive = stream != null && !stream.remoteFinReceived();
        switch (receiveWindows.admit(mayReceive ? stream.receiveWindow() : null, length)) {
            case SESSION_OVERRUN:
                goAway(SpdySessionStatus.PROTOCOL_ERROR, "DATA overran the session window by "
                        + receiveWindows.sessionOverrun(length) + " bytes");
                return;
            case STREAM_OVERRUN:
                LOG.info("{}: stream {} overran its window; FLOW_CONTROL_ERROR", ctx.channel().remoteAddress(), id);
                stream.reset(SpdyStreamStatus.FLOW_CONTROL_ERROR);
                flush();
                return;
            case ACCEPTED:
            default:
                break;
        }
        if (!mayReceive) {
            sendReset(id, stream == null ? SpdyStreamStatus.INVALID_STREAM : SpdyStreamStatus.STREAM_ALREADY_CLOSED);
            flush();
            return;
        }
        stream.receiveData(frame.content().retain(), frame.isLast());
    }

    private void onHeaders(SpdyHeadersFrame frame) {
        if (frame.isInvalid() || frame.isTruncated()) {
            goAway(SpdySessionStatus.PROTOCOL_ERROR, "bad or oversized header block on HEADERS "
                    + frame.streamId());
            return;
        }
        SpdyStreamChannel stream = streams.get(frame.streamId());
        if (stream == null) {
            sendReset(frame.streamId(), SpdyStreamStatus.INVALID_STREAM);
            flush();
        } else if (frame.isLast()) {
            // Trailers are not passed on; their FIN is.
            stream.receiveFin();
        }
    }

    private void onWindowUpdate(SpdyWindowUpdateFrame frame) {
        int id = frame.streamId();
        if (id == 0) {
            long updated = (long) sessionSendWindow + frame.deltaWindowSize();
            if (updated > Integer.MAX_VALUE) {
                goAway(SpdySessionStatus.PROTOCOL_ERROR, "session window grew past 2^31-1");
                return;
            }
            sessionSendWindow = (int) updated;
            resumeAll();
            return;
        }
        SpdyStreamChannel stream = streams.get(id);
        if (stream == null) {
            return; // the stream may have just ended; not an error
        }
        if (!stream.addSendWindow(frame.deltaWindowSize())) {
            stream.reset(SpdyStreamStatus.FLOW_CONTROL_ERROR);
            flush();
            return;
        }
        stream.resumeWrites();
    }

    private void onSettings(SpdySettingsFrame frame) {
        if (frame.isSet(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE)) {
            int window = frame.getValue(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE);
            int delta = window - initialSendWindow;
            initialSendWindow = window;
            for (SpdyStreamChannel stream : new ArrayList<>(streams.values())) {
                if (!stream.addSendWindow(delta)) {
                    stream.reset(SpdyStreamStatus.FLOW_CONTROL_ERROR);
                }
            }
            resumeAll();
        }
    }

    private void onPing(SpdyPingFrame frame) {
        // Clients ping with odd ids; an even id would be the answer to a ping of ours.
        if ((frame.id() & 1) == 1) {
            ctx.writeAndFlush(new DefaultSpdyPingFrame(frame.id()));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof SpdyProtocolException || cause.getCause() instanceof SpdyProtocolException) {
            goAway(SpdySessionStatus.PROTOCOL_ERROR, "malformed frame: " + cause.getMessage());
        } else {
            LOG.debug("SPDY session {} failed: {}", ctx.channel(), cause.toString());
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (streams.isEmpty()) {
                goAway(SpdySessionStatus.OK, "idle");
            }
            return;
        }
        if (evt instanceof ListenerClosing) {
            goAway(SpdySessionStatus.OK, "listener closing");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            resumeAll();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        codec.sessionClosed(this);
        for (SpdyStreamChannel stream : new ArrayList<>(streams.values())) {
            stream.remoteReset();
        }
        ctx.fireChannelInactive();
    }

    /**
     * Stops taking new streams: GOAWAY with the last stream id; streams in flight finish, then the session closes.
     * Errors close at once.
     */
    void goAway(SpdySessionStatus status, String reason) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> goAway(status, reason));
            return;
        }
        if (!goingAway || status != SpdySessionStatus.OK) {
            LOG.info("{}: GOAWAY {} after stream {}: {}", ctx.channel().remoteAddress(), status, lastStreamId, reason);
        }
        goingAway = true;
        var sent = ctx.writeAndFlush(new DefaultSpdyGoAwayFrame(lastStreamId, status));
        if (status != SpdySessionStatus.OK) {
            sent.addListener(ChannelFutureListener.CLOSE);
        } else {
            closeIfDrained();
        }
    }

    /** Streams the client may not have seen end yet (the map holds hardly more than the limit: counting is cheap). */
    private int openStreams() {
        int open = 0;
        for (SpdyStreamChannel stream : streams.values()) {
            if (stream.occupiesSlot()) {
                open++;
            }
        }
        return open;
    }

    private void closeIfDrained() {
        if (goingAway && streams.isEmpty()) {
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void resumeAll() {
        for (SpdyStreamChannel stream : new ArrayList<>(streams.values())) {
            stream.resumeWrites();
        }
    }

    // ---- for the streams ----

    void streamClosed(SpdyStreamChannel stream) {
        streams.remove(stream.streamId());
        closeIfDrained();
        flush();
    }

    void write(SpdyFrame frame) {
        ctx.write(frame, ctx.voidPromise());
    }

    void flush() {
        ctx.flush();
    }

    void sendReset(int streamId, SpdyStreamStatus status) {
        ctx.write(new DefaultSpdyRstStreamFrame(streamId, status), ctx.voidPromise());
    }

    int sessionSendWindow() {
        return sessionSendWindow;
    }

    void takeSessionSendWindow(int bytes) {
        sessionSendWindow -= bytes;
    }
}
