package dev.ferry.spdy.impl;

import static dev.ferry.spdy.impl.SpdyServerSessionTest.limits;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.codec.spdy.SpdyWindowUpdateFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Changed limits reach the sessions opened after the change, through the codec's own pipeline (frame codec and
 * session) talking to a client-side frame codec over bytes; sessions opened before keep the limits they announced.
 * The default DATA frame size, in bytes on that pipeline.
 */
public class SpdyLiveLimitsTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private final List<Session> sessions = new ArrayList<>();

    /** One client connection: the codec's server pipeline and a client frame codec, bytes moved by hand. */
    private final class Session {
        final EmbeddedChannel server = new EmbeddedChannel();
        final EmbeddedChannel client = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        final List<Object> exchangeMessages = new ArrayList<>();
        final List<Channel> streams = new ArrayList<>();
        int exchanges;

        Session(SpdyServerCodec codec) {
            codec.configure(server.pipeline(), () -> new ChannelInboundHandlerAdapter() {
                @Override
                public void handlerAdded(ChannelHandlerContext ctx) {
                    exchanges++;
                    streams.add(ctx.channel());
                }

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    exchangeMessages.add(msg);
                }
            });
            sessions.add(this);
            toClient();
        }

        /** The client opens stream {@code id}: a GET with FIN. */
        void open(int id) {
            open(id, "");
        }

        /** The same, with a header {@code x-pad} of {@code padding} (when not empty). */
        void open(int id, String padding) {
            SpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
            syn.headers().set(SpdyHeaders.HttpNames.METHOD, "GET").set(SpdyHeaders.HttpNames.PATH,
                    "http://origin.test/").set(SpdyHeaders.HttpNames.VERSION, "HTTP/1.1")
                    .set(SpdyHeaders.HttpNames.HOST, "origin.test").set(SpdyHeaders.HttpNames.SCHEME, "http");
            if (!padding.isEmpty()) {
                syn.headers().set("x-pad", padding);
            }
            syn.setLast(true);
            client.writeOutbound(syn);
            for (ByteBuf bytes; (bytes = client.readOutbound()) != null; ) {
                server.writeInbound(bytes);
            }
            toClient();
        }

        private void toClient() {
            for (ByteBuf bytes; (bytes = server.readOutbound()) != null; ) {
                client.writeInbound(bytes);
            }
        }

        <T> T next(Class<T> type) {
            Object frame = client.readInbound();
            assertTrue("expected " + type.getSimpleName() + ", got " + frame, type.isInstance(frame));
            return type.cast(frame);
        }

        void close() {
            exchangeMessages.forEach(ReferenceCountUtil::release);
            server.finishAndReleaseAll();
            client.finishAndReleaseAll();
        }
    }

    @After
    public void close() {
        sessions.forEach(Session::close);
    }

    @Test
    public void sessionsOpenedAfterAChangeGetTheNewLimitsAndOpenSessionsKeepTheirs() {
        SpdyServerCodec codec = new SpdyServerCodec(limits(Map.of("maxConcurrentStreams", 1)));
        Session before = new Session(codec);
        SpdySettingsFrame announcedBefore = before.next(SpdySettingsFrame.class);

        codec.modified(limits(Map.of("maxConcurrentStreams", 2, "streamWindowBytes", 131072,
                "sessionWindowBytes", 4 << 20)));
        Session after = new Session(codec);

        assertEquals(1, announcedBefore.getValue(SpdySettingsFrame.SETTINGS_MAX_CONCURRENT_STREAMS));
        assertEquals(65536, announcedBefore.getValue(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE));
        SpdySettingsFrame announcedAfter = after.next(SpdySettingsFrame.class);
        assertEquals(2, announcedAfter.getValue(SpdySettingsFrame.SETTINGS_MAX_CONCURRENT_STREAMS));
        assertEquals(131072, announcedAfter.getValue(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE));
        assertEquals((4 << 20) - 65536, after.next(SpdyWindowUpdateFrame.class).deltaWindowSize());
        before.next(SpdyWindowUpdateFrame.class);

        before.open(1);
        before.open(3);
        assertEquals("the session from before still allows one stream", 1, before.exchanges);
        SpdyRstStreamFrame refused = before.next(SpdyRstStreamFrame.class);
        assertEquals(3, refused.streamId());
        assertEquals(SpdyStreamStatus.REFUSED_STREAM, refused.status());

        after.open(1);
        after.open(3);
        assertEquals("the new session allows two", 2, after.exchanges);
        assertNull(after.client.readInbound());
        after.open(5);
        assertEquals(SpdyStreamStatus.REFUSED_STREAM, after.next(SpdyRstStreamFrame.class).status());
    }

    @Test
    public void theFrameCodecOfANewSessionGetsTheChangedHeaderBlockLimit() {
        SpdyServerCodec codec = new SpdyServerCodec(limits(Map.of()));
        Session before = new Session(codec);
        codec.modified(limits(Map.of("maxHeaderBlockBytes", 1024)));
        Session after = new Session(codec);
        String padding = "p".repeat(2000);

        before.open(1, padding);
        after.open(1, padding);
        assertEquals("within the 64 KiB the session started with", 1, before.exchanges);
        assertTrue("over the 1 KiB of the new configuration", !after.server.isOpen() && after.exchanges == 0);
    }

    @Test
    public void aChangeOutOfRangeIsRefusedAndTheLimitsInForceStay() {
        SpdyServerCodec codec = new SpdyServerCodec(limits(Map.of("maxConcurrentStreams", 1)));
        codec.modified(limits(Map.of("maxConcurrentStreams", 50, "maxDataFrameBytes", 1 << 24)));
        Session session = new Session(codec);
        assertEquals(1, session.next(SpdySettingsFrame.class).getValue(
                SpdySettingsFrame.SETTINGS_MAX_CONCURRENT_STREAMS));
    }

    @Test
    public void byDefaultAFullDataFrameWithItsHeaderIsOneTlsRecordOfBytes() {
        Session session = new Session(new SpdyServerCodec(limits(Map.of())));
        session.next(SpdySettingsFrame.class);
        session.next(SpdyWindowUpdateFrame.class);
        session.open(1);
        Channel stream = session.streams.get(0);
        stream.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        stream.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[40_000])));

        List<Integer> written = new ArrayList<>();
        for (ByteBuf bytes; (bytes = session.server.readOutbound()) != null; ) {
            written.add(bytes.readableBytes());
            bytes.release();
        }
        // SYN_REPLY, then DATA frames: TLS seals at most 16,384 bytes of plaintext in a record (RFC 8446 5.1)
        assertEquals(List.of(16_384, 16_384, 8 + 40_000 - 2 * (16_384 - 8)), written.subList(1, written.size()));
    }
}
