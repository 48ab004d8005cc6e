package dev.ferry.h2.impl;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.fuzz.CannedExchange;
import dev.ferry.fuzz.LeakWatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameReader;
import io.netty.handler.codec.http2.Http2EventAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.util.converter.Converters;

/**
 * HTTP/2 bytes from a client into the codec's server pipeline (Netty's frame codec, {@link H2ServerSession} and its
 * stream channels), behind exchange handlers that answer, stall, close or tunnel. Whatever the client sends: nothing
 * escapes the pipeline, every byte the proxy sends reads back as well-formed HTTP/2 (frames and HPACK), a stream whose
 * exchange answered or closed is told so (HEADERS or RST_STREAM) unless the client reset it or a GOAWAY ended the
 * connection, and every buffer is released.
 */
class H2FramesFuzzTest {

    private static final LeakWatch LEAKS = new LeakWatch("H2FramesFuzzTest");
    /** Small limits, so that the fuzzer reaches them. */
    private static final H2Limits LIMITS = Converters.standardConverter().convert(Map.of(
            "maxConcurrentStreams", 4, "streamWindowBytes", 4096, "connectionWindowBytes", 65535,
            "maxHeaderListBytes", 2048, "maxResetsPerWindow", 20, "maxResetsSentPerWindow", 20,
            "maxQueuedControlFrames", 50)).to(H2Limits.class);

    @FuzzTest(maxDuration = "20s")
    void frames(FuzzedDataProvider data) throws Http2Exception {
        H2ServerCodec codec = new H2ServerCodec(LIMITS);
        List<CannedExchange> exchanges = new ArrayList<>();
        EmbeddedChannel connection = new EmbeddedChannel();
        CompositeByteBuf sent = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        try (FuzzedH2Frames frames = new FuzzedH2Frames(data)) {
            codec.configure(connection.pipeline(), () -> {
                CannedExchange exchange = new CannedExchange(data.pickValue(CannedExchange.Behaviour.values()),
                        codec, ch -> ((H2StreamChannel) ch).streamId());
                exchanges.add(exchange);
                return exchange;
            });
            connection.writeInbound(frames.preface());
            int count = data.consumeInt(1, 30);
            for (int i = 0; i < count && connection.isOpen() && data.remainingBytes() > 0; i++) {
                connection.writeInbound(frames.next());
                connection.runPendingTasks();
                drain(connection, sent);
            }
            connection.checkException();
            connection.close();
            connection.runPendingTasks();
            drain(connection, sent);
            Told told = read(sent);
            told.assertEveryAnswer(exchanges, frames.resetByClient, sent);
        } finally {
            sent.release();
            connection.finishAndReleaseAll();
        }
        LEAKS.afterInput();
    }

    private static void drain(EmbeddedChannel connection, CompositeByteBuf sent) {
        for (Object out; (out = connection.readOutbound()) != null;) {
            if (!(out instanceof ByteBuf)) {
                ReferenceCountUtil.release(out);
                throw new AssertionError("the pipeline wrote something that is not bytes: " + out);
            }
            sent.addComponent(true, (ByteBuf) out);
        }
    }

    /** Reads what the proxy sent as a client would (frames, HPACK); a frame it cannot read fails the input. */
    private static Told read(ByteBuf sent) throws Http2Exception {
        Told told = new Told();
        EmbeddedChannel reading = new EmbeddedChannel(new ChannelOutboundHandlerAdapter());
        ChannelHandlerContext ctx = reading.pipeline().firstContext();
        try (DefaultHttp2FrameReader reader = new DefaultHttp2FrameReader(true)) {
            // As large as the fuzzed client's SETTINGS may have allowed the proxy to go.
            reader.configuration().frameSizePolicy().maxFrameSize(0xFFFFFF);
            reader.configuration().headersConfiguration().maxHeaderTableSize(1 << 20);
            ByteBuf all = sent.duplicate();
            while (all.isReadable()) {
                int before = all.readableBytes();
                reader.readFrame(ctx, all, told);
                if (all.readableBytes() == before) {
                    break; // a frame cut short: the connection closed mid-write, as it may
                }
            }
        } finally {
            reading.finishAndReleaseAll();
        }
        return told;
    }

    /** What the client heard of its streams. */
    private static final class Told extends Http2EventAdapter {
        final Set<Integer> streams = new HashSet<>();
        boolean goAway;

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                boolean endOfStream) {
            streams.add(streamId);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int dependency,
                short weight, boolean exclusive, int padding, boolean endOfStream) {
            streams.add(streamId);
        }

        @Override
        public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
            streams.add(streamId);
        }

        @Override
        public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
            goAway = true;
        }

        void assertEveryAnswer(List<CannedExchange> exchanges, Set<Integer> resetByClient, ByteBuf sent) {
            if (goAway) {
                return; // the connection ended: the client knows every stream after the last one is gone
            }
            for (CannedExchange exchange : exchanges) {
                if (exchange.owesClientNews && !streams.contains(exchange.streamId)
                        && !resetByClient.contains(exchange.streamId)) {
                    throw new AssertionError("stream " + exchange.streamId + " was answered or closed by its "
                            + "exchange, but the client got neither HEADERS nor RST_STREAM for it ("
                            + sent.readableBytes() + " bytes sent)");
                }
            }
        }
    }
}
