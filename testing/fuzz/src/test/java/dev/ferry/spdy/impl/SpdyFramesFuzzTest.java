package dev.ferry.spdy.impl;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.fuzz.CannedExchange;
import dev.ferry.fuzz.LeakWatch;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeadersFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.util.converter.Converters;

/**
 * SPDY/3.1 frame sequences into the server session ({@link SpdyServerSession} and its stream channels), behind
 * exchange handlers that answer, stall, close or tunnel. Whatever the frames: nothing escapes the pipeline, every frame
 * the proxy sends encodes and decodes as well-formed SPDY, a stream whose exchange answered or closed is told so
 * (SYN_REPLY or RST_STREAM) unless the client reset it or a GOAWAY ended the session, and every buffer is released.
 */
class SpdyFramesFuzzTest {

    private static final LeakWatch LEAKS = new LeakWatch("SpdyFramesFuzzTest");
    /** Small limits, so that the fuzzer reaches them. */
    private static final SpdyLimits LIMITS = Converters.standardConverter().convert(Map.of(
            "maxConcurrentStreams", 4, "streamWindowBytes", 4096, "sessionWindowBytes", 65536,
            "maxDataFrameBytes", 1024)).to(SpdyLimits.class);

    @FuzzTest(maxDuration = "20s")
    void frames(FuzzedDataProvider data) {
        SpdyServerCodec codec = new SpdyServerCodec(LIMITS);
        List<CannedExchange> exchanges = new ArrayList<>();
        FuzzedFrames frames = new FuzzedFrames(data);
        EmbeddedChannel connection = new EmbeddedChannel();
        List<Object> sent = new ArrayList<>();
        try {
            connection.pipeline().addLast(new SpdyServerSession(LIMITS, () -> {
                CannedExchange exchange = new CannedExchange(data.pickValue(CannedExchange.Behaviour.values()),
                        codec, ch -> ((SpdyStreamChannel) ch).streamId());
                exchanges.add(exchange);
                return exchange;
            }, codec));
            int count = data.consumeInt(1, 30);
            for (int i = 0; i < count && connection.isOpen() && data.remainingBytes() > 0; i++) {
                SpdyFrame frame = frames.next();
                connection.writeInbound(frame);
                connection.runPendingTasks();
                drain(connection, sent);
            }
            connection.checkException();
            connection.close();
            connection.runPendingTasks();
            drain(connection, sent);
            assertWellFormed(sent);
            assertToldOfEveryAnswer(sent, exchanges, frames.resetByClient);
        } finally {
            sent.forEach(ReferenceCountUtil::release);
            connection.finishAndReleaseAll();
        }
        LEAKS.afterInput();
    }

    private static void drain(EmbeddedChannel connection, List<Object> sent) {
        for (Object frame; (frame = connection.readOutbound()) != null;) {
            sent.add(frame);
        }
    }

    /** Netty's SPDY/3.1 codec encodes what was sent and decodes it back without a complaint. */
    private static void assertWellFormed(List<Object> sent) {
        EmbeddedChannel encoder = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        EmbeddedChannel decoder = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        try {
            for (Object frame : sent) {
                if (frame instanceof ByteBuf && !((ByteBuf) frame).isReadable()) {
                    continue; // an empty write: flushes what is queued before the session closes, sends nothing
                }
                if (!(frame instanceof SpdyFrame)) {
                    throw new AssertionError("the session sent something that is no SPDY frame: " + frame);
                }
                encoder.writeOutbound(ReferenceCountUtil.retain(frame));
                for (ByteBuf bytes; (bytes = encoder.readOutbound()) != null;) {
                    decoder.writeInbound(bytes);
                }
            }
            decoder.checkException();
            for (Object frame; (frame = decoder.readInbound()) != null;) {
                try {
                    if (frame instanceof SpdyHeadersFrame && (((SpdyHeadersFrame) frame).isInvalid()
                            || ((SpdyHeadersFrame) frame).isTruncated())) {
                        throw new AssertionError("a header block the client cannot read: " + frame);
                    }
                } finally {
                    ReferenceCountUtil.release(frame);
                }
            }
        } finally {
            encoder.finishAndReleaseAll();
            decoder.finishAndReleaseAll();
        }
    }

    private static void assertToldOfEveryAnswer(List<Object> sent, List<CannedExchange> exchanges,
            Set<Integer> resetByClient) {
        Set<Integer> told = new HashSet<>();
        for (Object frame : sent) {
            if (frame instanceof SpdyGoAwayFrame) {
                return; // the session ended: the client knows every stream after the last good one is gone
            }
            if (frame instanceof SpdySynReplyFrame) {
                told.add(((SpdySynReplyFrame) frame).streamId());
            } else if (frame instanceof SpdyRstStreamFrame) {
                told.add(((SpdyRstStreamFrame) frame).streamId());
            }
        }
        for (CannedExchange exchange : exchanges) {
            if (exchange.owesClientNews && !told.contains(exchange.streamId)
                    && !resetByClient.contains(exchange.streamId)) {
                throw new AssertionError("stream " + exchange.streamId + " was answered or closed by its exchange, "
                        + "but the client got neither SYN_REPLY nor RST_STREAM for it: " + sent);
            }
        }
    }
}
