package dev.ferry.h2.impl;

import dev.ferry.api.codec.ListenerClosing;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2SettingsAckFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's side of one HTTP/2 connection, above Netty's {@link Http2FrameCodec} (which parses and writes frames,
 * keeps the HPACK tables, stream states, both directions of flow control, and enforces the flood limits): turns each
 * new stream into an {@link H2StreamChannel} served by an exchange handler and routes its frames to it. A request
 * that cannot be taken resets its stream (PROTOCOL_ERROR); errors that break the connection end it with the codec's
 * GOAWAY; a closing listener or codec ends it gracefully (GOAWAY NO_ERROR, streams in flight finish).
 */
final class H2ServerSession extends ChannelDuplexHandler {

    static final Logger LOG = LoggerFactory.getLogger(H2ServerSession.class);

    private final H2Limits limits;
    private final Supplier<ChannelHandler> exchangeHandlers;
    private final H2ServerCodec codec;
    private final Http2FrameCodec frames;
    private final IntObjectMap<H2StreamChannel> streams = new IntObjectHashMap<>();
    private ChannelHandlerContext ctx;
    private boolean goingAway;
    private boolean flushScheduled;

    H2ServerSession(H2Limits limits, Supplier<ChannelHandler> exchangeHandlers, H2ServerCodec codec,
            Http2FrameCodec frames) {
        this.limits = limits;
        this.exchangeHandlers = exchangeHandlers;
        this.codec = codec;
        this.frames = frames;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        codec.sessionOpened(this);
        widenCodecStreamLimit();
        // The connection window starts at 65535 whatever SETTINGS say; only a WINDOW_UPDATE on stream 0 widens it.
        int widen = limits.connectionWindowBytes() - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
        if (widen > 0) {
            ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(widen));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof Http2DataFrame) {
                onData((Http2DataFrame) msg);
            } else if (msg instanceof Http2HeadersFrame) {
                onHeaders((Http2HeadersFrame) msg);
            } else if (msg instanceof Http2ResetFrame) {
                H2StreamChannel stream = streams.get(((Http2ResetFrame) msg).stream().id());
                if (stream != null) {
                    stream.remoteReset();
                }
            } else if (msg instanceof Http2GoAwayFrame) {
                goingAway = true;
                closeIfDrained();
            } else if (msg instanceof Http2SettingsAckFrame) {
                widenCodecStreamLimit(); // the codec has just applied maxConcurrentStreams as its own bound again
            }
            // SETTINGS and PING are answered by the codec, WINDOW_UPDATE feeds its flow controller; unknown frame
            // types are ignored, as HTTP/2 requires.
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHeaders(Http2HeadersFrame frame) {
        Http2FrameStream id = frame.stream();
        H2StreamChannel stream = streams.get(id.id());
        if (stream != null) {
            if (!frame.isEndStream()) {
                LOG.info("{}: stream {} reset PROTOCOL_ERROR: a second HEADERS without END_STREAM",
                        ctx.channel().remoteAddress(), id.id());
                stream.reset(Http2Error.PROTOCOL_ERROR);
            } else {
                stream.receiveTrailers(frame.headers());
            }
            return;
        }
        if (goingAway || openStreams() >= limits.maxConcurrentStreams()) {
            sendReset(id, Http2Error.REFUSED_STREAM);
            flush();
            return;
        }
        boolean upgrade = H2Messages.protocolOf(frame.headers()) != null;
        HttpRequest request;
        try {
            if (upgrade && !limits.extendedConnect()) {
                // Netty's decoder lets :protocol through whatever the setting; RFC 8441 section 3 makes it an error.
                throw new IllegalArgumentException(":protocol without SETTINGS_ENABLE_CONNECT_PROTOCOL "
                        + "(extendedConnect = false)");
            }
            request = H2Messages.toRequest(frame.headers(), frame.isEndStream());
        } catch (IllegalArgumentException e) {
            LOG.info("{}: stream {} reset PROTOCOL_ERROR: {}", ctx.channel().remoteAddress(), id.id(),
                    e.getMessage());
            sendReset(id, Http2Error.PROTOCOL_ERROR);
            flush();
            return;
        }
        H2StreamChannel channel = new H2StreamChannel(ctx.channel(), this, id,
                HttpMethod.CONNECT.equals(request.method()));
        channel.pipeline().addLast(exchangeHandlers.get());
        streams.put(id.id(), channel);
        ctx.channel().eventLoop().register(channel).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                LOG.warn("{}: cannot register stream {}: {}", ctx.channel(), id.id(), f.cause().toString());
                channel.reset(Http2Error.INTERNAL_ERROR);
            }
        });
        if (upgrade) {
            channel.receiveUpgrade(request);
        } else {
            channel.receive(request);
        }
        if (frame.isEndStream()) {
            channel.receiveFin();
        }
    }

    private void onData(Http2DataFrame frame) {
        H2StreamChannel stream = streams.get(frame.stream().id());
        if (stream == null || stream.remoteFinReceived()) {
            // Its channel is gone (the stream was reset): nothing takes the bytes, the window comes back now.
            consumed(frame.stream(), frame.initialFlowControlledBytes());
            flush();
            return;
        }
        stream.receiveData(frame.content().retain(), frame.initialFlowControlledBytes(), frame.isEndStream());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2FrameStreamEvent) {
            Http2FrameStreamEvent event = (Http2FrameStreamEvent) evt;
            H2StreamChannel stream = streams.get(event.stream().id());
            if (stream == null) {
                return;
            }
            if (event.type() == Http2FrameStreamEvent.Type.Writability) {
                stream.resumeWrites();
            } else if (event.stream().state() == Http2Stream.State.CLOSED) {
                stream.codecClosed();
            }
            return;
        }
        if (evt instanceof IdleStateEvent) {
            if (streams.isEmpty()) {
                goAway("idle");
            }
            return;
        }
        if (evt instanceof ListenerClosing) {
            goAway("listener closing");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException) {
            Http2FrameStreamException error = (Http2FrameStreamException) cause;
            LOG.info("{}: stream {} reset {}: {}", ctx.channel().remoteAddress(), error.stream().id(), error.error(),
                    error.getCause() == null ? error.getMessage() : error.getCause().getMessage());
            H2StreamChannel stream = streams.get(error.stream().id());
            if (stream != null) {
                stream.reset(error.error());
            } else {
                sendReset(error.stream(), error.error());
            }
            flush();
            return;
        }
        Http2Exception connectionError = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (connectionError != null) {
            // The codec answers with GOAWAY naming the error and closes; this is the one line that says why.
            LOG.info("{}: GOAWAY {}: {}", ctx.channel().remoteAddress(), connectionError.error(),
                    connectionError.getMessage());
            return;
        }
        LOG.debug("HTTP/2 connection {} failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            for (H2StreamChannel stream : new ArrayList<>(streams.values())) {
                stream.resumeWrites();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        codec.sessionClosed(this);
        for (H2StreamChannel stream : new ArrayList<>(streams.values())) {
            stream.remoteReset();
        }
        ctx.fireChannelInactive();
    }

    /**
     * Someone else closes the connection (the listener's drain deadline, say): every stream still open ends now,
     * reset CANCEL. Without this Netty's codec would hold the close back while its streams are active (its graceful
     * shutdown, up to 30 s more), and the data they hold with it. The session's own close, once its streams are done,
     * does not come this way and keeps that grace for the frames still queued to the flow controller.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        for (H2StreamChannel stream : new ArrayList<>(streams.values())) {
            stream.reset(Http2Error.CANCEL);
        }
        ctx.flush();
        ctx.close(promise);
    }

    /**
     * Stops taking new streams: GOAWAY NO_ERROR naming the last stream taken; streams in flight finish, then the
     * connection closes.
     */
    void goAway(String reason) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> goAway(reason));
            return;
        }
        if (goingAway) {
            closeIfDrained();
            return;
        }
        goingAway = true;
        LOG.debug("{}: GOAWAY NO_ERROR: {}", ctx.channel().remoteAddress(), reason);
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        closeIfDrained();
    }

    /**
     * Netty's codec refuses streams beyond maxConcurrentStreams by its own count, which keeps a stream until the
     * write of its last frame completed: after the client may have read that frame and opened the next stream. So
     * {@link #onHeaders} enforces the limit as the client counts, and the codec's bound is only a backstop.
     */
    private void widenCodecStreamLimit() {
        frames.connection().remote().maxActiveStreams((int) Math.min(Integer.MAX_VALUE,
                2L * limits.maxConcurrentStreams()));
    }

    /** Streams the client may not have seen end yet (the map holds hardly more than the limit: counting is cheap). */
    private int openStreams() {
        int open = 0;
        for (H2StreamChannel stream : streams.values()) {
            if (stream.occupiesSlot()) {
                open++;
            }
        }
        return open;
    }

    private void closeIfDrained() {
        if (goingAway && streams.isEmpty()) {
            // The codec's close waits for the frames still queued to its flow controller.
            ctx.flush();
            ctx.close();
        }
    }

    // ---- for the streams ----

    void streamClosed(H2StreamChannel stream) {
        streams.remove(stream.streamId());
        flush();
        closeIfDrained();
    }

    void write(Http2FrameStream stream, Http2Headers headers, boolean endStream) {
        ctx.write(new DefaultHttp2HeadersFrame(headers, endStream).stream(stream));
    }

    /** {@code data} is the codec's to release. */
    void write(Http2FrameStream stream, ByteBuf data, boolean endStream) {
        ctx.write(new DefaultHttp2DataFrame(data, endStream).stream(stream));
    }

    /**
     * Flushes once the current event is done. Streams write while Netty's codec is still decoding a frame (a
     * WINDOW_UPDATE makes a stream writable, a request is answered at once); a flush then would let the codec write,
     * and maybe close, a stream the decoder still works on (it fails with a NullPointerException in 4.1.137).
     */
    void flush() {
        if (!flushScheduled) {
            flushScheduled = true;
            ctx.executor().execute(() -> {
                flushScheduled = false;
                ctx.flush();
            });
        }
    }

    void sendReset(Http2FrameStream stream, Http2Error error) {
        ctx.write(new DefaultHttp2ResetFrame(error).stream(stream));
    }

    /** Received bytes passed on (or never to be): the client may send as many more. */
    void consumed(Http2FrameStream stream, int bytes) {
        if (bytes > 0) {
            ctx.write(new DefaultHttp2WindowUpdateFrame(bytes).stream(stream));
        }
    }

    /** Whether the codec would send a DATA frame of this stream now (its window and the connection allow it). */
    boolean isWritable(Http2FrameStream stream) {
        if (!ctx.channel().isWritable()) {
            return false;
        }
        Http2Stream state = frames.connection().stream(stream.id());
        return state == null || frames.connection().remote().flowController().isWritable(state);
    }
}
