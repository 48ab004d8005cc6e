package dev.ferry.http1.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.assertThrows;

import dev.ferry.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

public class Http1ServerCodecTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private final List<Object> received = new ArrayList<>();
    private EmbeddedChannel channel;

    static Http1Limits limits(int line, int header, int chunk) {
        return Converters.standardConverter().convert(Map.of("maxInitialLineLength", line, "maxHeaderSize", header,
                "maxChunkSize", chunk)).to(Http1Limits.class);
    }

    private Http1ServerCodec codec(Http1Limits limits, boolean tunnelOnConnect) {
        Http1ServerCodec codec = new Http1ServerCodec(limits);
        channel = new EmbeddedChannel();
        codec.configure(channel.pipeline(), () -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                received.add(msg);
                if (tunnelOnConnect && msg instanceof HttpRequest
                        && HttpMethod.CONNECT.equals(((HttpRequest) msg).method())) {
                    codec.tunnelRequested(ctx.pipeline());
                }
            }
        });
        return codec;
    }

    @After
    public void release() {
        received.forEach(ReferenceCountUtil::release);
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    @Test
    public void absoluteFormRequestKeepsItsTarget() {
        codec(limits(8192, 65536, 65536), false);
        send("GET http://origin.test:8080/a?b=c HTTP/1.1\r\nHost: origin.test:8080\r\n\r\n");
        HttpRequest request = (HttpRequest) received.get(0);
        assertTrue(request.decoderResult().isSuccess());
        assertEquals("http://origin.test:8080/a?b=c", request.uri());
        assertTrue(received.get(1) instanceof LastHttpContent);
    }

    @Test
    public void headerSectionOverTheLimitIsAnError() {
        codec(limits(8192, 1024, 65536), false);
        send("GET http://a/ HTTP/1.1\r\nX-Big: " + "x".repeat(2000) + "\r\n\r\n");
        HttpRequest request = (HttpRequest) received.get(0);
        assertTrue(request.decoderResult().cause() instanceof TooLongHttpHeaderException);
    }

    @Test
    public void requestLineOverTheLimitIsAnError() {
        codec(limits(128, 65536, 65536), false);
        send("GET http://a/" + "p".repeat(300) + " HTTP/1.1\r\n\r\n");
        HttpRequest request = (HttpRequest) received.get(0);
        assertTrue(request.decoderResult().cause() instanceof TooLongHttpLineException);
    }

    @Test
    public void garbageIsAnError() {
        codec(limits(8192, 65536, 65536), false);
        send("NOT HTTP AT ALL\r\n\r\n");
        HttpRequest request = (HttpRequest) received.get(0);
        assertTrue(request.decoderResult().isFailure());
    }

    @Test
    public void badContentLengthIsAnError() {
        codec(limits(8192, 65536, 65536), false);
        send("POST http://a/ HTTP/1.1\r\nContent-Length: 12x\r\n\r\n");
        assertTrue(((HttpRequest) received.get(0)).decoderResult().isFailure());
    }

    @Test
    public void headerWithoutColonIsAnError() {
        codec(limits(8192, 65536, 65536), false);
        send("GET http://a/ HTTP/1.1\r\nNoColonHere\r\n\r\n");
        assertTrue(((HttpRequest) received.get(0)).decoderResult().isFailure());
    }

    @Test
    public void chunkedBodyStreamsInPiecesNoLargerThanTheChunkLimit() {
        codec(limits(8192, 65536, 100), false);
        StringBuilder body = new StringBuilder("POST http://a/ HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
        body.append("190\r\n").append("y".repeat(400)).append("\r\n0\r\n\r\n");
        send(body.toString());
        int total = 0;
        for (Object msg : received.subList(1, received.size())) {
            int size = ((HttpContent) msg).content().readableBytes();
            assertTrue("piece of " + size + " bytes", size <= 100);
            total += size;
        }
        assertEquals(400, total);
        assertTrue(received.get(received.size() - 1) instanceof LastHttpContent);
    }

    @Test
    public void bytesAfterConnectPassOnRawAndTheResponseIsStillEncoded() {
        Http1ServerCodec codec = codec(limits(8192, 65536, 65536), true);
        send("CONNECT origin.test:443 HTTP/1.1\r\nHost: origin.test:443\r\n\r\n\u0016\u0003\u0001hello");
        // The decoder hands over its leftover bytes as it leaves, before the request's (empty) last content.
        assertEquals(HttpMethod.CONNECT, ((HttpRequest) received.get(0)).method());
        ByteBuf raw = (ByteBuf) received.get(1);
        assertTrue(received.get(2) instanceof LastHttpContent);
        assertEquals("\u0016\u0003\u0001hello", raw.toString(StandardCharsets.ISO_8859_1));

        channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                new HttpResponseStatus(200, "Connection established")));
        ByteBuf out = channel.readOutbound();
        assertEquals("HTTP/1.1 200 Connection established\r\n\r\n", out.toString(StandardCharsets.US_ASCII));
        out.release();

        codec.tunnelEstablished(channel.pipeline());
        assertNull(channel.pipeline().get(HttpServerCodec.class));
        send("more");
        ByteBuf more = (ByteBuf) received.get(3);
        assertEquals("more", more.toString(StandardCharsets.US_ASCII));
    }

    @Test
    public void limitsAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Http1ServerCodec(limits(10, 65536, 65536)));
        assertTrue(e.getMessage(), e.getMessage().contains("maxInitialLineLength=10"));
        assertFalse(e.getMessage().isEmpty());
    }
}
