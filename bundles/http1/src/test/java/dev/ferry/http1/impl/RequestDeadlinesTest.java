package dev.ferry.http1.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

/**
 * The request deadlines on the server codec's pipeline: the head ({@code requestHeadTimeoutSeconds}, 30 s here) and
 * the body's progress ({@code requestBodyTimeoutSeconds}, 60 s here).
 */
public class RequestDeadlinesTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private final List<String> received = new ArrayList<>();
    private final Http1ServerCodec codec = new Http1ServerCodec(Converters.standardConverter()
            .convert(Map.of("requestHeadTimeoutSeconds", 30, "requestBodyTimeoutSeconds", 60))
            .to(Http1Limits.class));
    private final EmbeddedChannel channel = new EmbeddedChannel();

    public RequestDeadlinesTest() {
        codec.configure(channel.pipeline(), () -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                received.add(describe(msg));
                if (msg instanceof HttpRequest && HttpMethod.CONNECT.equals(((HttpRequest) msg).method())) {
                    codec.tunnelRequested(ctx.pipeline());
                }
                ReferenceCountUtil.release(msg);
            }
        });
        channel.freezeTime();
    }

    private static String describe(Object msg) {
        if (msg instanceof HttpRequest) {
            return ((HttpRequest) msg).method() + " " + ((HttpRequest) msg).uri();
        }
        if (msg instanceof LastHttpContent) {
            return "last";
        }
        return msg instanceof HttpContent ? "content" : msg instanceof ByteBuf ? "bytes" : msg.toString();
    }

    @After
    public void close() {
        channel.finishAndReleaseAll();
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    private void advanceSeconds(long seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runPendingTasks();
    }

    private String written() {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = channel.readOutbound()) != null;) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    @Test
    public void headTrickledPastTheDeadlineIsAnswered408AndClosed() {
        send("GET http://origin.test/ HTTP/1.1\r\nHo");
        advanceSeconds(10);
        send("st: or");
        advanceSeconds(19);
        assertEquals("", written());
        assertTrue(channel.isOpen());

        advanceSeconds(1);

        String answer = written();
        assertTrue(answer, answer.startsWith("HTTP/1.1 408 Request Timeout\r\n"));
        assertTrue(answer, answer.contains("Proxy-Status: ferry; error=http_request_error; details=\"request head not "
                + "complete within 30 s (requestHeadTimeoutSeconds)\""));
        assertTrue(answer, answer.contains("connection: close"));
        assertFalse(channel.isOpen());
        assertTrue("nothing reached the exchange", received.isEmpty());
    }

    @Test
    public void headCompleteInTimeStopsTheHeadDeadlineAndTheBodyHasItsOwn() {
        send("POST http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 6\r\n\r\nab");
        advanceSeconds(59);
        send("cd");
        advanceSeconds(59);
        send("ef");
        advanceSeconds(300);

        assertEquals("", written());
        assertTrue(channel.isOpen());
        assertEquals(List.of("POST http://origin.test/", "content", "content", "last"), received);
    }

    @Test
    public void bodyStalledWhileTheProxyReadsClosesTheConnection() {
        send("POST http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 6\r\n\r\nab");
        advanceSeconds(59);
        assertTrue(channel.isOpen());
        advanceSeconds(1);

        assertFalse(channel.isOpen());
        assertEquals("no answer that could collide with a response", "", written());
    }

    @Test
    public void bodyNotReadBecauseTheProxyPausedIsNotTheClientsStall() {
        send("POST http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 6\r\n\r\n");
        channel.config().setAutoRead(false);
        advanceSeconds(600);
        assertTrue(channel.isOpen());
        channel.config().setAutoRead(true);
        advanceSeconds(60);

        assertFalse(channel.isOpen());
    }

    @Test
    public void connectionWaitingBetweenRequestsHasNoDeadlineButTheNextHeadDoes() {
        send("GET http://origin.test/a HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        advanceSeconds(300);
        assertTrue("waiting between requests is the idle timeout's business", channel.isOpen());

        send("GET http://origin.test/b HTTP/1.1\r\n");
        advanceSeconds(29);
        send("Host: origin.test\r\n\r\n");
        advanceSeconds(60);
        assertTrue(channel.isOpen());
        send("GET http://origin.test/c HTTP/1.1\r\n");
        advanceSeconds(30);

        assertTrue(written().startsWith("HTTP/1.1 408 "));
        assertFalse(channel.isOpen());
        assertEquals(List.of("GET http://origin.test/a", "last", "GET http://origin.test/b", "last"), received);
    }

    @Test
    public void tunnelBytesAfterAConnectAreNoHeads() {
        send("CONNECT origin.test:443 HTTP/1.1\r\nHost: origin.test:443\r\n\r\n\u0016\u0003\u0001");
        advanceSeconds(100);
        send("more tunnel bytes");
        advanceSeconds(100);

        assertNull(channel.pipeline().get(RequestDeadlines.BYTES));
        assertNull(channel.pipeline().get(RequestDeadlines.HEADS));
        assertEquals("", written());
        assertTrue(channel.isOpen());
        // (the bytes behind the CONNECT come out as the decoder leaves, before its end-of-request marker)
        assertEquals(List.of("CONNECT origin.test:443", "bytes", "last", "bytes"), received);
    }

    @Test(expected = IllegalArgumentException.class)
    public void aHeadDeadlineUnderOneSecondIsRefused() {
        new Http1ServerCodec(Converters.standardConverter().convert(Map.of("requestHeadTimeoutSeconds", 0))
                .to(Http1Limits.class));
    }

    @Test(expected = IllegalArgumentException.class)
    public void aBodyDeadlineUnderOneSecondIsRefused() {
        new Http1ServerCodec(Converters.standardConverter().convert(Map.of("requestBodyTimeoutSeconds", 0))
                .to(Http1Limits.class));
    }
}
