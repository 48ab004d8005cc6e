package dev.ferry.h2.impl;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.HashSet;
import java.util.Set;

/**
 * The bytes an HTTP/2 client might send, made from fuzz data by Netty's own frame writer (so that HPACK state stays
 * consistent across the connection, and the proxy's decoder gets past the framing to the session): requests with
 * or without the pseudo-header fields a proxy needs, extended CONNECTs, bodies and trailers, resets, window updates
 * and settings at and past their limits, PING, GOAWAY, PRIORITY, and now and then bytes that are no frame at all.
 */
final class FuzzedH2Frames implements AutoCloseable {

    private static final String[] METHODS = {"GET", "POST", "CONNECT", "HEAD", "G T", ""};
    private static final String[] SCHEMES = {"http", "https", "ws", ""};
    private static final String[] AUTHORITIES = {"origin.test", "origin.test:443", "[::1", "", "origin.test:99999"};
    private static final String[] PATHS = {"/", "/a?b=c", "*", "", "/ws"};

    private final FuzzedDataProvider data;
    private final EmbeddedChannel wire = new EmbeddedChannel(new ChannelOutboundHandlerAdapter());
    private final ChannelHandlerContext ctx = wire.pipeline().firstContext();
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter(
            new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, true));
    /** Streams the client reset: the proxy owes them no answer. */
    final Set<Integer> resetByClient = new HashSet<>();
    private int lastStreamId = -1;

    FuzzedH2Frames(FuzzedDataProvider data) {
        this.data = data;
    }

    /** The client preface and its SETTINGS. */
    ByteBuf preface() {
        ByteBuf preface = io.netty.handler.codec.http2.Http2CodecUtil.connectionPrefaceBuf();
        writer.writeSettings(ctx, new Http2Settings(), wire.newPromise());
        return Unpooled.wrappedBuffer(preface, written());
    }

    /** The next frame's bytes, the caller's to pass on (or release). */
    ByteBuf next() {
        switch (data.consumeInt(0, 12)) {
            case 0:
            case 1:
            case 2:
                request();
                break;
            case 3:
            case 4:
                int length = data.consumeBoolean() ? data.consumeInt(0, 2000) : data.consumeInt(0, 20_000);
                writer.writeData(ctx, streamId(), Unpooled.buffer(length).writeZero(length),
                        data.consumeBoolean() ? 0 : data.consumeInt(0, 255), data.consumeBoolean(), wire.newPromise());
                break;
            case 5:
                int reset = streamId();
                resetByClient.add(reset);
                writer.writeRstStream(ctx, reset, data.consumeInt(0, 14), wire.newPromise());
                break;
            case 6:
                writer.writeWindowUpdate(ctx, data.consumeBoolean() ? 0 : streamId(),
                        data.consumeInt(0, Integer.MAX_VALUE), wire.newPromise());
                break;
            case 7:
                settings();
                break;
            case 8:
                writer.writePing(ctx, data.consumeBoolean(), data.consumeLong(), wire.newPromise());
                break;
            case 9:
                writer.writeGoAway(ctx, data.consumeInt(0, Integer.MAX_VALUE), data.consumeInt(0, 14),
                        Unpooled.EMPTY_BUFFER, wire.newPromise());
                break;
            case 10:
                Http2Headers trailers = new DefaultHttp2Headers(false).add("x-checksum", data.consumeAsciiString(8));
                writer.writeHeaders(ctx, streamId(), trailers, 0, data.consumeBoolean(), wire.newPromise());
                break;
            case 11:
                writer.writePriority(ctx, streamId(), data.consumeInt(0, 40), (short) data.consumeInt(1, 256),
                        data.consumeBoolean(), wire.newPromise());
                break;
            default:
                return Unpooled.wrappedBuffer(data.consumeBytes(data.consumeInt(1, 30)));
        }
        return written();
    }

    private void request() {
        int id = data.consumeInt(0, 7) > 0 ? Math.max(1, lastStreamId + 2) : data.consumeInt(1, 60);
        lastStreamId = Math.max(lastStreamId, id);
        Http2Headers headers = new DefaultHttp2Headers(false);
        String method = data.pickValue(METHODS);
        if (data.consumeInt(0, 9) > 0) {
            headers.method(method);
        }
        if (!method.equals("CONNECT") || data.consumeInt(0, 3) == 0) {
            headers.scheme(data.pickValue(SCHEMES)).path(data.consumeBoolean() ? data.pickValue(PATHS)
                    : data.consumeAsciiString(20));
        }
        if (data.consumeInt(0, 9) > 0) {
            headers.authority(data.consumeBoolean() ? data.pickValue(AUTHORITIES) : data.consumeAsciiString(20));
        }
        if (data.consumeInt(0, 5) == 0) {
            headers.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "websocket");
        }
        if (data.consumeBoolean()) {
            headers.add(data.pickValue(new String[] {"content-length", "cookie", "te", "host", "x-any"}),
                    data.consumeAsciiString(10));
        }
        writer.writeHeaders(ctx, id, headers, data.consumeBoolean() ? 0 : data.consumeInt(0, 255),
                data.consumeBoolean(), wire.newPromise());
    }

    private void settings() {
        if (data.consumeInt(0, 3) == 0) {
            writer.writeSettingsAck(ctx, wire.newPromise());
            return;
        }
        Http2Settings settings = new Http2Settings();
        try {
            if (data.consumeBoolean()) {
                settings.initialWindowSize(data.consumeInt(0, Integer.MAX_VALUE));
            }
            if (data.consumeBoolean()) {
                settings.maxFrameSize(data.consumeInt(16384, 1 << 20));
            }
            if (data.consumeBoolean()) {
                settings.headerTableSize(data.consumeInt(0, 65536));
            }
        } catch (IllegalArgumentException outOfRange) {
            // Netty will not write a setting out of its range; what was set before goes.
        }
        writer.writeSettings(ctx, settings, wire.newPromise());
    }

    /** Mostly an id in use (or just past it), sometimes any. */
    private int streamId() {
        return data.consumeBoolean() ? Math.max(1, lastStreamId - 2 * data.consumeInt(0, 3))
                : data.consumeInt(1, Integer.MAX_VALUE);
    }

    private ByteBuf written() {
        wire.flush();
        io.netty.buffer.CompositeByteBuf out = Unpooled.compositeBuffer();
        for (ByteBuf part; (part = wire.readOutbound()) != null;) {
            out.addComponent(true, part);
        }
        return out;
    }

    @Override
    public void close() {
        wire.finishAndReleaseAll();
    }
}
