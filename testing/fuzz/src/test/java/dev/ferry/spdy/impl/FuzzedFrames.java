package dev.ferry.spdy.impl;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyHeadersFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySettingsFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyHeadersFrame;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;

/**
 * SPDY/3.1 frames a client might send, decoded by Netty's frame codec and handed to the session, made from fuzz data:
 * stream ids near the ones in use (so that DATA, RST_STREAM and WINDOW_UPDATE hit live streams), header blocks with
 * or without the required names, windows and settings at and past their limits, and the codec's invalid and
 * truncated marks.
 */
final class FuzzedFrames {

    private static final String[] METHODS = {"GET", "POST", "CONNECT", "HEAD", "PUT", "G(T", ""};
    private static final String[] PATHS = {"http://origin.test/a", "origin.test:443", "/relative", "http://[::1/",
        "http://origin.test:99999/", "https://origin.test/", ""};

    private final FuzzedDataProvider data;
    /** Streams the client reset: the proxy owes them no answer. */
    final java.util.Set<Integer> resetByClient = new java.util.HashSet<>();
    private int lastStreamId;

    FuzzedFrames(FuzzedDataProvider data) {
        this.data = data;
    }

    /** The next frame; its buffer, if any, is the caller's to pass on. */
    SpdyFrame next() {
        switch (data.consumeInt(0, 9)) {
            case 0:
            case 1:
                return synStream();
            case 2:
            case 3:
                return dataFrame();
            case 4:
                int reset = streamId();
                resetByClient.add(reset);
                return new DefaultSpdyRstStreamFrame(reset, data.consumeInt(1, 12));
            case 5:
                return new DefaultSpdyWindowUpdateFrame(data.consumeBoolean() ? 0 : streamId(),
                        data.consumeInt(1, Integer.MAX_VALUE));
            case 6:
                return settings();
            case 7:
                return new DefaultSpdyPingFrame(data.consumeInt());
            case 8:
                return headers();
            default:
                return data.consumeBoolean() ? new DefaultSpdyGoAwayFrame(streamId(), data.consumeInt(0, 3))
                        : new DefaultSpdySynReplyFrame(streamId());
        }
    }

    private SpdySynStreamFrame synStream() {
        int id = data.consumeBoolean() ? lastStreamId + 2 : data.consumeInt(1, 40);
        lastStreamId = Math.max(lastStreamId, id);
        SpdySynStreamFrame frame = new DefaultSpdySynStreamFrame(id, 0, (byte) data.consumeInt(0, 7));
        String method = data.pickValue(METHODS);
        String path = data.consumeBoolean() ? data.pickValue(PATHS) : data.consumeAsciiString(40);
        if (data.consumeBoolean()) {
            frame.headers().set(SpdyHeaders.HttpNames.METHOD, method);
        }
        frame.headers().set(SpdyHeaders.HttpNames.PATH, path);
        if (data.consumeBoolean()) {
            frame.headers().set(SpdyHeaders.HttpNames.VERSION, data.consumeBoolean() ? "HTTP/1.1" : "HTTP/2.0");
        }
        if (data.consumeBoolean()) {
            frame.headers().set(SpdyHeaders.HttpNames.HOST, data.consumeBoolean() ? "origin.test"
                    : data.consumeAsciiString(20));
        }
        frame.headers().set(SpdyHeaders.HttpNames.SCHEME, "http");
        if (data.consumeBoolean()) {
            frame.headers().add(data.consumeBoolean() ? "content-length" : "transfer-encoding",
                    data.consumeAsciiString(8));
        }
        frame.setLast(data.consumeBoolean());
        markFaults(frame);
        return frame;
    }

    private SpdyDataFrame dataFrame() {
        int length = data.consumeBoolean() ? data.consumeInt(0, 2048) : data.consumeInt(0, 70_000);
        SpdyDataFrame frame = new DefaultSpdyDataFrame(streamId(), Unpooled.buffer(length).writeZero(length));
        frame.setLast(data.consumeBoolean());
        return frame;
    }

    private SpdySettingsFrame settings() {
        SpdySettingsFrame frame = new DefaultSpdySettingsFrame();
        if (data.consumeBoolean()) {
            frame.setValue(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE, data.consumeInt());
        }
        if (data.consumeBoolean()) {
            frame.setValue(SpdySettingsFrame.SETTINGS_MAX_CONCURRENT_STREAMS, data.consumeInt(0, 1000));
        }
        return frame;
    }

    private SpdyHeadersFrame headers() {
        SpdyHeadersFrame frame = new DefaultSpdyHeadersFrame(streamId());
        frame.headers().set("x-trailer", data.consumeAsciiString(10));
        frame.setLast(data.consumeBoolean());
        markFaults(frame);
        return frame;
    }

    /** What Netty's decoder marks a header block with when it cannot read it, or when it is too large. */
    private void markFaults(SpdyHeadersFrame frame) {
        int fault = data.consumeInt(0, 15);
        if (fault == 0) {
            frame.setInvalid();
        } else if (fault == 1) {
            frame.setTruncated();
        }
    }

    /** Mostly an id in use (or just past it), sometimes any. */
    private int streamId() {
        return data.consumeBoolean() ? Math.max(1, lastStreamId - 2 * data.consumeInt(0, 3))
                : data.consumeInt(1, Integer.MAX_VALUE);
    }
}
