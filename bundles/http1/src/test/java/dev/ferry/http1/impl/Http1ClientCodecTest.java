package dev.ferry.http1.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class Http1ClientCodecTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private final List<Object> received = new ArrayList<>();
    private final List<Throwable> errors = new ArrayList<>();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        new Http1ClientCodec(Http1ServerCodecTest.limits(8192, 65536, 65536)).configure(ch.pipeline());
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                received.add(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                errors.add(cause);
            }
        });
        return ch;
    }

    @Test
    public void connectionClosedBeforeTheResponseIsAnErrorNotAnEmptyResponse() {
        EmbeddedChannel ch = channel();
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ((ByteBuf) ch.readOutbound()).release();
        ch.close();
        assertEquals(1, errors.size());
        assertTrue(errors.get(0) instanceof PrematureChannelClosureException);
        received.forEach(ReferenceCountUtil::release);
    }

    @Test
    public void continueIsFollowedByTheFinalResponse() {
        EmbeddedChannel ch = channel();
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"));
        ((ByteBuf) ch.readOutbound()).release();
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                StandardCharsets.US_ASCII));
        assertEquals(100, ((HttpResponse) received.get(0)).status().code());
        assertTrue(received.get(1) instanceof LastHttpContent);
        assertEquals(200, ((HttpResponse) received.get(2)).status().code());
        assertEquals("ok", ((HttpContent) received.get(3)).content().toString(StandardCharsets.US_ASCII));
        received.forEach(ReferenceCountUtil::release);
        ch.finishAndReleaseAll();
    }
}
