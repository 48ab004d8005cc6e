package dev.ferry.http1.impl;

import static dev.ferry.http1.impl.Http1ServerCodecTest.limits;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Changed limits reach new connections without a new codec: connections configured before a change keep parsing
 * with the limits they started with.
 */
public class Http1LiveLimitsTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    /** A header section of a little over 2000 bytes: over a 1024 limit, within a 4096 one. */
    private static final String BIG_HEADER = "X-Big: " + "x".repeat(2000) + "\r\n";

    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private final List<Object> received = new ArrayList<>();

    /** One connection's pipeline; what it decodes goes to {@code seen}. */
    private EmbeddedChannel serverConnection(Http1ServerCodec codec, List<Object> seen) {
        EmbeddedChannel ch = new EmbeddedChannel();
        codec.configure(ch.pipeline(), () -> collector(seen));
        channels.add(ch);
        return ch;
    }

    private EmbeddedChannel clientConnection(Http1ClientCodec codec, List<Object> seen) {
        EmbeddedChannel ch = new EmbeddedChannel();
        codec.configure(ch.pipeline());
        ch.pipeline().addLast(collector(seen));
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ((ByteBuf) ch.readOutbound()).release();
        channels.add(ch);
        return ch;
    }

    private ChannelInboundHandlerAdapter collector(List<Object> seen) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                seen.add(msg);
                received.add(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // a client connection closed after a response it could not parse reports the missing response
            }
        };
    }

    private static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private static DecoderResult head(List<Object> seen) {
        return ((HttpObject) seen.get(0)).decoderResult();
    }

    @After
    public void release() {
        received.forEach(ReferenceCountUtil::release);
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @Test
    public void theServerCodecGivesChangedLimitsToConnectionsAcceptedAfterTheChange() {
        Http1ServerCodec codec = new Http1ServerCodec(limits(8192, 1024, 65536));
        List<Object> before = new ArrayList<>();
        List<Object> after = new ArrayList<>();
        EmbeddedChannel old = serverConnection(codec, before);

        codec.modified(limits(8192, 4096, 65536));
        EmbeddedChannel fresh = serverConnection(codec, after);

        send(old, "GET http://a/ HTTP/1.1\r\n" + BIG_HEADER + "\r\n");
        send(fresh, "GET http://a/ HTTP/1.1\r\n" + BIG_HEADER + "\r\n");
        assertTrue("the connection from before keeps its 1024 bytes",
                head(before).cause() instanceof TooLongHttpHeaderException);
        assertTrue("a new connection gets 4096: " + head(after), head(after).isSuccess());
    }

    @Test
    public void theClientCodecGivesChangedLimitsToConnectionsConfiguredAfterTheChange() {
        Http1ClientCodec codec = new Http1ClientCodec(limits(8192, 1024, 65536));
        List<Object> before = new ArrayList<>();
        List<Object> after = new ArrayList<>();
        EmbeddedChannel old = clientConnection(codec, before);

        codec.modified(limits(8192, 4096, 65536));
        EmbeddedChannel fresh = clientConnection(codec, after);

        String response = "HTTP/1.1 200 OK\r\n" + BIG_HEADER + "Content-Length: 0\r\n\r\n";
        send(old, response);
        send(fresh, response);
        assertTrue(head(before).cause() instanceof TooLongHttpHeaderException);
        assertTrue("" + head(after), head(after).isSuccess());
    }

    @Test
    public void aChangeBelowTheMinimumIsRefusedAndTheLimitsInForceStay() {
        Http1ServerCodec codec = new Http1ServerCodec(limits(8192, 1024, 65536));
        codec.modified(limits(10, 4096, 65536));
        List<Object> seen = new ArrayList<>();
        EmbeddedChannel ch = serverConnection(codec, seen);

        send(ch, "GET http://a/" + "p".repeat(300) + " HTTP/1.1\r\n" + BIG_HEADER + "\r\n");
        assertTrue("neither the bad line limit nor the header limit that came with it applies",
                head(seen).cause() instanceof TooLongHttpHeaderException);
    }
}
