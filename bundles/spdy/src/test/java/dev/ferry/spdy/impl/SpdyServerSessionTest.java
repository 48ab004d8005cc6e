package dev.ferry.spdy.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySessionStatus;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyWindowUpdateFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

public class SpdyServerSessionTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    /** What one stream's exchange handler saw. */
    static final class Seen {
        Channel channel;
        final List<Object> messages = new ArrayList<>();
        final List<Object> events = new ArrayList<>();
    }

    private final List<Seen> exchanges = new ArrayList<>();
    private SpdyServerCodec codec;
    private EmbeddedChannel connection;
    private boolean readOnArrival = true;

    static SpdyLimits limits(Map<String, Object> overrides) {
        return Converters.standardConverter().convert(overrides).to(SpdyLimits.class);
    }

    @Before
    public void open() {
        start(limits(Map.of()));
    }

    private void start(SpdyLimits limits) {
        codec = new SpdyServerCodec(limits);
        connection = new EmbeddedChannel();
        connection.pipeline().addLast(new SpdyServerSession(limits, () -> new ChannelInboundHandlerAdapter() {
            private final Seen seen = new Seen();

            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                seen.channel = ctx.channel();
                ctx.channel().config().setAutoRead(readOnArrival);
                exchanges.add(seen);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                seen.messages.add(msg);
                if (msg instanceof HttpRequest && "CONNECT".equals(((HttpRequest) msg).method().name())) {
                    codec.tunnelRequested(ctx.pipeline());
                }
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                seen.events.add(evt);
            }
        }, codec));
        SpdySettingsFrame settings = connection.readOutbound();
        assertEquals(limits.maxConcurrentStreams(),
                settings.getValue(SpdySettingsFrame.SETTINGS_MAX_CONCURRENT_STREAMS));
        assertEquals(65536, settings.getValue(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE));
        SpdyWindowUpdateFrame session = connection.readOutbound();
        assertEquals(0, session.streamId());
        assertEquals((1 << 20) - 65536, session.deltaWindowSize());
    }

    @After
    public void close() {
        for (Seen seen : exchanges) {
            seen.messages.forEach(ReferenceCountUtil::release);
        }
        connection.finishAndReleaseAll();
    }

    private static SpdySynStreamFrame syn(int id, String method, String path, boolean last) {
        SpdySynStreamFrame frame = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
        frame.headers().set(SpdyHeaders.HttpNames.METHOD, method).set(SpdyHeaders.HttpNames.PATH, path)
                .set(SpdyHeaders.HttpNames.VERSION, "HTTP/1.1").set(SpdyHeaders.HttpNames.HOST, "origin.test")
                .set(SpdyHeaders.HttpNames.SCHEME, "http").set("user-agent", "test");
        frame.setLast(last);
        return frame;
    }

    private static SpdyDataFrame data(int id, String text, boolean last) {
        SpdyDataFrame frame = new DefaultSpdyDataFrame(id, Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
        frame.setLast(last);
        return frame;
    }

    private <T> T next(Class<T> type) {
        Object frame = connection.readOutbound();
        assertTrue("expected " + type.getSimpleName() + ", got " + frame, type.isInstance(frame));
        return type.cast(frame);
    }

    @Test
    public void aStreamBecomesAnExchangeAndItsResponseFramesEndWithFin() {
        connection.writeInbound(syn(1, "GET", "http://origin.test/a", true));
        Seen seen = exchanges.get(0);
        HttpRequest request = (HttpRequest) seen.messages.get(0);
        assertEquals("http://origin.test/a", request.uri());
        assertEquals("origin.test", request.headers().get("host"));
        assertEquals("test", request.headers().get("user-agent"));
        assertFalse(request.headers().contains("transfer-encoding"));
        assertTrue(seen.messages.get(1) instanceof LastHttpContent);

        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
        response.headers().set("Content-Length", 5).set("Connection", "keep-alive").set("X-Origin", "yes");
        seen.channel.writeAndFlush(response);
        SpdySynReplyFrame reply = next(SpdySynReplyFrame.class);
        assertEquals("200 OK", reply.headers().getAsString(SpdyHeaders.HttpNames.STATUS));
        assertEquals("yes", reply.headers().getAsString("x-origin"));
        assertNull("connection headers stay out of SPDY", reply.headers().get("connection"));
        assertFalse(reply.isLast());
        SpdyDataFrame body = next(SpdyDataFrame.class);
        assertEquals("hello", body.content().toString(StandardCharsets.US_ASCII));
        assertTrue(body.isLast());
        body.release();
        connection.runPendingTasks();
        assertFalse("a complete stream closes", seen.channel.isOpen());
        assertNull("no reset for a complete stream", connection.readOutbound());
    }

    @Test
    public void requestBodyArrivesAsContentAndIsCreditedBackAsItIsRead() {
        readOnArrival = false;
        connection.writeInbound(syn(1, "POST", "http://origin.test/up", false));
        Seen seen = exchanges.get(0);
        assertTrue("nothing delivered before the handler reads", seen.messages.isEmpty());
        String chunk = "x".repeat(20000);
        connection.writeInbound(data(1, chunk, false), data(1, chunk, false));
        assertTrue(seen.messages.isEmpty());
        assertNull("no window update for bytes the proxy has not passed on", connection.readOutbound());

        seen.channel.read();
        HttpRequest request = (HttpRequest) seen.messages.get(0);
        assertEquals("chunked", request.headers().get("transfer-encoding"));
        seen.channel.read();
        seen.channel.read();
        assertEquals(20000, ((HttpContent) seen.messages.get(2)).content().readableBytes());
        SpdyWindowUpdateFrame update = next(SpdyWindowUpdateFrame.class);
        assertEquals(1, update.streamId());
        assertEquals(40000, update.deltaWindowSize());
    }

    @Test
    public void dataOverTheStreamWindowIsAFlowControlError() {
        readOnArrival = false;
        connection.writeInbound(syn(1, "POST", "http://origin.test/up", false));
        connection.writeInbound(data(1, "y".repeat(65536), false));
        connection.writeInbound(data(1, "z", false));
        SpdyRstStreamFrame rst = next(SpdyRstStreamFrame.class);
        assertEquals(1, rst.streamId());
        assertEquals(SpdyStreamStatus.FLOW_CONTROL_ERROR, rst.status());
        assertFalse(exchanges.get(0).channel.isOpen());
    }

    @Test
    public void dataForAnUnknownStreamIsInvalidStream() {
        connection.writeInbound(data(7, "stray", false));
        SpdyRstStreamFrame rst = next(SpdyRstStreamFrame.class);
        assertEquals(7, rst.streamId());
        assertEquals(SpdyStreamStatus.INVALID_STREAM, rst.status());
        assertTrue(connection.isOpen());
    }

    @Test
    public void anEvenOrReusedStreamIdEndsTheSessionWithProtocolError() {
        connection.writeInbound(syn(3, "GET", "http://origin.test/", true));
        connection.writeInbound(syn(1, "GET", "http://origin.test/", true));
        SpdyGoAwayFrame goAway = next(SpdyGoAwayFrame.class);
        assertEquals(SpdySessionStatus.PROTOCOL_ERROR, goAway.status());
        assertEquals(3, goAway.lastGoodStreamId());
        assertFalse(connection.isOpen());
    }

    @Test
    public void aBadHeaderBlockEndsTheSessionWithProtocolError() {
        SpdySynStreamFrame broken = syn(1, "GET", "http://origin.test/", true);
        broken.setInvalid();
        connection.writeInbound(broken);
        SpdyGoAwayFrame goAway = next(SpdyGoAwayFrame.class);
        assertEquals(SpdySessionStatus.PROTOCOL_ERROR, goAway.status());
        assertTrue("no exchange for a broken stream", exchanges.isEmpty());
        assertFalse(connection.isOpen());
    }

    @Test
    public void aSynStreamWithoutItsPseudoHeadersIsResetAndTheSessionGoesOn() {
        SpdySynStreamFrame noPath = syn(1, "GET", "http://origin.test/", true);
        noPath.headers().remove(SpdyHeaders.HttpNames.PATH);
        connection.writeInbound(noPath);
        assertEquals(SpdyStreamStatus.PROTOCOL_ERROR, next(SpdyRstStreamFrame.class).status());
        connection.writeInbound(syn(3, "GET", "http://origin.test/", true));
        assertEquals(1, exchanges.size());
        assertTrue(connection.isOpen());
    }

    @Test
    public void streamsBeyondTheLimitAreRefused() {
        connection.finishAndReleaseAll();
        exchanges.clear();
        start(limits(Map.of("maxConcurrentStreams", 2)));
        connection.writeInbound(syn(1, "GET", "http://origin.test/", true), syn(3, "GET", "http://origin.test/", true),
                syn(5, "GET", "http://origin.test/", true));
        SpdyRstStreamFrame rst = next(SpdyRstStreamFrame.class);
        assertEquals(5, rst.streamId());
        assertEquals(SpdyStreamStatus.REFUSED_STREAM, rst.status());
        assertEquals(2, exchanges.size());
    }

    @Test
    public void aStreamTheClientSawEndNoLongerCountsAgainstTheLimit() {
        connection.finishAndReleaseAll();
        exchanges.clear();
        start(limits(Map.of("maxConcurrentStreams", 1)));
        connection.writeInbound(syn(1, "GET", "http://origin.test/", true));
        Seen first = exchanges.get(0);
        first.channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT));
        assertTrue(next(SpdySynReplyFrame.class).isLast());
        assertTrue("its channel closes in a task that has not run yet", first.channel.isOpen());

        connection.writeInbound(syn(3, "GET", "http://origin.test/", true));

        assertEquals("the client's next stream is taken, not refused", 2, exchanges.size());
        assertNull(connection.readOutbound());
    }

    @Test
    public void pingsFromTheClientAreAnswered() {
        connection.writeInbound(new DefaultSpdyPingFrame(9));
        assertEquals(9, next(SpdyPingFrame.class).id());
        connection.writeInbound(new DefaultSpdyPingFrame(10));
        assertNull("an even id answers a ping of ours", connection.readOutbound());
    }

    @Test
    public void responsesWaitForTheStreamWindow() {
        connection.writeInbound(syn(1, "GET", "http://origin.test/big", true));
        Channel stream = exchanges.get(0).channel;
        stream.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        stream.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[100_000])));
        // Four full frames and their overhead reach the connection's high water mark before the window is spent; the
        // flush that drains the connection, within the stream's own write, must not leave the last 32 bytes behind.
        next(SpdySynReplyFrame.class);
        int sent = 0;
        for (Object frame; (frame = connection.readOutbound()) != null;) {
            sent += ((SpdyDataFrame) frame).content().readableBytes();
            assertFalse(((SpdyDataFrame) frame).isLast());
            ReferenceCountUtil.release(frame);
        }
        assertEquals("the initial window", 65536, sent);
        connection.writeInbound(new DefaultSpdyWindowUpdateFrame(1, 40000));
        assertNull("the session window is spent too", connection.readOutbound());
        connection.writeInbound(new DefaultSpdyWindowUpdateFrame(0, 40000));
        int rest = 0;
        boolean fin = false;
        for (Object frame; (frame = connection.readOutbound()) != null;) {
            rest += ((SpdyDataFrame) frame).content().readableBytes();
            fin = ((SpdyDataFrame) frame).isLast();
            ReferenceCountUtil.release(frame);
        }
        assertEquals(100_000 - 65536, rest);
        assertTrue(fin);
    }

    @Test
    public void connectStreamsCarryRawBytesBothWaysWithHalfClose() {
        connection.writeInbound(syn(1, "CONNECT", "origin.test:443", false));
        Seen seen = exchanges.get(0);
        assertEquals("origin.test:443", ((HttpRequest) seen.messages.get(0)).uri());
        seen.channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                new HttpResponseStatus(200, "Connection established")));
        SpdySynReplyFrame reply = next(SpdySynReplyFrame.class);
        assertFalse("the tunnel stays open", reply.isLast());
        assertEquals("200 Connection established", reply.headers().getAsString(SpdyHeaders.HttpNames.STATUS));

        connection.writeInbound(data(1, "client hello", true));
        ByteBuf raw = (ByteBuf) seen.messages.get(1);
        assertEquals("client hello", raw.toString(StandardCharsets.US_ASCII));
        assertTrue(seen.events.contains(ChannelInputShutdownEvent.INSTANCE));

        seen.channel.writeAndFlush(Unpooled.copiedBuffer("server hello", StandardCharsets.US_ASCII));
        SpdyDataFrame down = next(SpdyDataFrame.class);
        assertEquals("server hello", down.content().toString(StandardCharsets.US_ASCII));
        down.release();
        ((io.netty.channel.socket.DuplexChannel) seen.channel).shutdownOutput();
        SpdyDataFrame fin = next(SpdyDataFrame.class);
        assertTrue(fin.isLast());
        connection.runPendingTasks();
        assertFalse("both sides finished: the stream is done", seen.channel.isOpen());
    }

    @Test
    public void closingAnUnfinishedStreamResetsIt() {
        connection.writeInbound(syn(1, "GET", "http://origin.test/", true));
        exchanges.get(0).channel.close();
        SpdyRstStreamFrame rst = next(SpdyRstStreamFrame.class);
        assertEquals(SpdyStreamStatus.CANCEL, rst.status());
    }

    @Test
    public void codecShutdownSendsGoAwayAndLetsStreamsFinish() {
        connection.writeInbound(syn(1, "GET", "http://origin.test/", true));
        codec.sessionOpened(sessionOf(connection));
        codec.deactivate();
        connection.runPendingTasks();
        SpdyGoAwayFrame goAway = next(SpdyGoAwayFrame.class);
        assertEquals(SpdySessionStatus.OK, goAway.status());
        assertEquals(1, goAway.lastGoodStreamId());
        assertTrue("in-flight stream still open", exchanges.get(0).channel.isOpen());
        connection.writeInbound(syn(3, "GET", "http://origin.test/", true));
        assertEquals(SpdyStreamStatus.REFUSED_STREAM, next(SpdyRstStreamFrame.class).status());
        exchanges.get(0).channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.NO_CONTENT));
        assertTrue(next(SpdySynReplyFrame.class).isLast());
        connection.runPendingTasks();
        assertFalse("the session closes once its last stream is done", connection.isOpen());
    }

    private static SpdyServerSession sessionOf(EmbeddedChannel channel) {
        return channel.pipeline().get(SpdyServerSession.class);
    }
}
