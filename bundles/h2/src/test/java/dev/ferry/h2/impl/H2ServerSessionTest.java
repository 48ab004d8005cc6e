package dev.ferry.h2.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.codec.ListenerClosing;
import dev.ferry.h2.impl.H2Wire.ClientStream;
import dev.ferry.testing.LeakCheck;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

/**
 * The codec's server pipeline (Netty's frame codec and {@link H2ServerSession}) against Netty's own HTTP/2 client
 * over bytes in memory: streams become exchange channels, requests get their absolute target, CONNECT tunnels,
 * flow control as data is passed on, GOAWAY on a closing listener, the rapid-reset guard.
 */
public class H2ServerSessionTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private H2Wire wire;

    static H2Limits limits(Map<String, Object> overrides) {
        return Converters.standardConverter().convert(overrides).to(H2Limits.class);
    }

    private H2Wire connect(Map<String, Object> overrides) {
        wire = new H2Wire(new H2ServerCodec(limits(overrides)));
        return wire;
    }

    @After
    public void close() {
        if (wire != null) {
            assertTrue("Netty's client objected: " + wire.clientErrors, wire.clientErrors.isEmpty());
            wire.close();
        }
    }

    private static Http2Headers request(String method, String scheme, String authority, String path) {
        Http2Headers headers = new DefaultHttp2Headers().method(method).authority(authority);
        if (scheme != null) {
            headers.scheme(scheme).path(path);
        }
        return headers;
    }

    private ClientStream send(Http2Headers headers, boolean endStream) {
        ClientStream stream = new ClientStream();
        wire.open(stream).writeAndFlush(new DefaultHttp2HeadersFrame(headers, endStream));
        wire.pump();
        return stream;
    }

    @Test
    public void aGetBecomesAnAbsoluteFormRequestAndItsStreamEndsWithTheResponse() {
        connect(Map.of());
        ClientStream get = send(request("GET", "http", "origin.test:8080", "/a?b=c")
                .add("cookie", "a=1").add("cookie", "b=2"), true);
        assertEquals("200", get.status());
        assertEquals("GET http://origin.test:8080/a?b=c host=origin.test:8080 chunked=false cookie=a=1; b=2 body=0 "
                + "trailer=null", get.text());
        assertTrue(get.ended);
        assertNull("connection headers stay out of HTTP/2", get.headers.get(0).get("connection"));
        assertFalse("the exchange channel closed with its stream", wire.exchanges.get(0).ctx.channel().isOpen());
    }

    @Test
    public void aBodyWithoutLengthIsMarkedChunkedAndItsTrailersArePassedOn() {
        connect(Map.of());
        ClientStream post = new ClientStream();
        Http2StreamChannel stream = wire.open(post);
        stream.write(new DefaultHttp2HeadersFrame(request("POST", "http", "origin.test", "/upload"), false));
        byte[] chunk = new byte[100_000];
        stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(chunk), false));
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-checksum", "abc"), true));
        wire.pump();
        assertEquals("POST http://origin.test/upload host=origin.test chunked=true cookie=null body=100000 "
                + "trailer=abc", post.text());
        assertTrue(post.ended);
    }

    @Test
    public void connectCarriesATunnelOnTheStreamAndEndStreamHalfClosesIt() {
        connect(Map.of());
        ClientStream tunnel = send(request("CONNECT", null, "origin.test:443", null), false);
        assertEquals("200", tunnel.status());
        assertNull("a 2xx to CONNECT has no length", tunnel.headers.get(0).get("content-length"));
        assertFalse(tunnel.ended);
        assertEquals("CONNECT origin.test:443", wire.exchanges.get(0).request.method() + " "
                + wire.exchanges.get(0).request.uri());
        tunnel.channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8),
                false));
        wire.pump();
        assertEquals("ping", tunnel.text());
        tunnel.channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("-end", StandardCharsets.UTF_8),
                true));
        wire.pump();
        assertEquals("ping-end", tunnel.text());
        assertTrue("the echo ended its side when the client ended its own", tunnel.ended);
        assertEquals(-1, tunnel.resetCode);
    }

    @Test
    public void aTunnelWhoseOtherConnectionFailsIsResetWithConnectError() {
        connect(Map.of());
        ClientStream tunnel = send(request("CONNECT", null, "origin.test:443", null), false);
        tunnel.channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("fail", StandardCharsets.UTF_8),
                false));
        wire.pump();
        assertEquals(Http2Error.CONNECT_ERROR.code(), tunnel.resetCode);
    }

    private ClientStream extendedConnect(String path) {
        Http2Headers headers = request("CONNECT", "http", "origin.test", path).set(":protocol", "websocket")
                .set("sec-websocket-version", "13");
        return send(headers, false);
    }

    @Test
    public void anExtendedConnectIsAnUpgradeForTheEngineAndTheOriginsSwitchTheStreamsTunnel() {
        connect(Map.of());
        ClientStream ws = extendedConnect("/ws");
        H2Wire.Exchange exchange = wire.exchanges.get(0);
        assertEquals("GET http://origin.test/ws", exchange.request.method() + " " + exchange.request.uri());
        assertEquals("websocket", exchange.request.headers().get("upgrade"));
        assertEquals(24, exchange.request.headers().get("sec-websocket-key").length());
        assertFalse("the request has no body", HttpUtil.isTransferEncodingChunked(exchange.request));
        assertEquals("200", ws.status());
        assertEquals("chat", ws.headers.get(0).get("sec-websocket-protocol").toString());
        assertNull(ws.headers.get(0).get("sec-websocket-accept"));
        assertNull(ws.headers.get(0).get("upgrade"));
        ws.channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.copiedBuffer("frame", StandardCharsets.UTF_8),
                true));
        wire.pump();
        assertEquals("frame", ws.text());
        assertTrue(ws.ended);
        assertEquals(-1, ws.resetCode);
    }

    @Test
    public void anOriginThatDoesNotSwitchOrProvesTheWrongKeyGetsTheStreamResetNotA200() {
        connect(Map.of());
        ClientStream refused = extendedConnect("/ws-no");
        assertNull("no 2xx: the client would take the stream for a WebSocket", refused.status());
        assertEquals(Http2Error.CONNECT_ERROR.code(), refused.resetCode);
        ClientStream forged = extendedConnect("/ws-bad");
        assertNull(forged.status());
        assertEquals(Http2Error.CONNECT_ERROR.code(), forged.resetCode);
    }

    @Test
    public void withExtendedConnectOffTheProtocolPseudoHeaderIsRefused() {
        connect(Map.of("extendedConnect", false));
        ClientStream ws = extendedConnect("/ws");
        assertEquals(Http2Error.PROTOCOL_ERROR.code(), ws.resetCode);
        assertTrue(wire.exchanges.isEmpty());
    }

    @Test
    public void aRequestWithoutAuthorityIsResetWithProtocolError() {
        connect(Map.of());
        ClientStream bad = send(new DefaultHttp2Headers().method("GET").scheme("http").path("/"), true);
        assertEquals(Http2Error.PROTOCOL_ERROR.code(), bad.resetCode);
        assertTrue(wire.exchanges.isEmpty());
        ClientStream good = send(request("GET", "http", "origin.test", "/"), true);
        assertEquals("200", good.status());
    }

    @Test
    public void aStalledUploadHoldsNoMoreThanItsWindowAndStallsNoOtherStream() {
        connect(Map.of("streamWindowBytes", 65536));
        wire.stallAfterHead = true;
        ClientStream upload = new ClientStream();
        Http2StreamChannel stream = wire.open(upload);
        stream.write(new DefaultHttp2HeadersFrame(request("POST", "http", "origin.test", "/up"), false));
        stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[1_000_000]), true));
        wire.pump();
        H2Wire.Exchange stalled = wire.exchanges.get(0);
        assertEquals(0, stalled.bodyBytes);
        assertFalse("the client still holds what the window did not let through", stream.isWritable()
                && upload.ended);
        wire.stallAfterHead = false;
        ClientStream other = send(request("GET", "http", "origin.test", "/other"), true);
        assertTrue(other.text(), other.text().startsWith("GET http://origin.test/other"));
        stalled.ctx.channel().config().setAutoRead(true);
        wire.pump();
        assertEquals("what was passed on was given back, and the rest came", 1_000_000, stalled.bodyBytes);
        assertTrue(upload.text(), upload.text().endsWith("body=1000000 trailer=null"));
    }

    @Test
    public void closingTheConnectionResetsItsStreamsAndReleasesWhatTheyHold() {
        connect(Map.of());
        wire.stallAfterHead = true;
        ClientStream upload = new ClientStream();
        Http2StreamChannel stream = wire.open(upload);
        stream.write(new DefaultHttp2HeadersFrame(request("POST", "http", "origin.test", "/up"), false));
        stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[1000]), true));
        wire.pump();
        assertEquals(0, wire.exchanges.get(0).bodyBytes);
        // Netty's codec alone would hold this close back for up to 30 s while the stream is active.
        wire.server.close();
        wire.server.runPendingTasks();
        assertFalse(wire.exchanges.get(0).ctx.channel().isOpen());
        assertFalse(wire.server.isOpen());
    }

    @Test
    public void aClientThatStopsReadingHoldsItsResponseInTheProxyAndTheStreamBecomesUnwritable() {
        connect(Map.of());
        ClientStream slow = new ClientStream();
        Http2StreamChannel stream = wire.open(slow);
        stream.config().setAutoRead(false);
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(request("GET", "http", "origin.test", "/big"), true));
        wire.pump();
        // The answer to /big is larger than the client's 65535-byte window: the rest waits, bounded.
        H2Wire.Exchange exchange = wire.exchanges.get(0);
        assertFalse("the stream channel holds back its writer", exchange.ctx.channel().isWritable());
        assertTrue("handed to the stream channel: " + exchange.bigSent,
                exchange.bigSent <= 65_535 + 65_536 + 2 * 16_384);
        ClientStream other = send(request("GET", "http", "origin.test", "/small"), true);
        assertTrue(other.ended);
        stream.config().setAutoRead(true);
        stream.read();
        wire.pump();
        for (int i = 0; i < 100 && !slow.ended; i++) {
            stream.read();
            wire.pump();
        }
        assertTrue(slow.ended);
        assertEquals(H2Wire.BIG, slow.data.size());
    }

    @Test
    public void aClosingListenerSendsGoAwayAndTheStreamInFlightFinishes() {
        connect(Map.of());
        wire.stallAfterHead = true;
        ClientStream inFlight = send(request("POST", "http", "origin.test", "/slow"), false);
        wire.server.pipeline().fireUserEventTriggered(ListenerClosing.INSTANCE);
        wire.pump();
        assertEquals(1, wire.goAways.size());
        assertEquals(Http2Error.NO_ERROR.code(), wire.goAways.get(0)[0]);
        assertEquals(inFlight.channel.stream().id(), (int) wire.goAways.get(0)[1]);
        assertTrue(wire.server.isOpen());
        inFlight.channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[10]), true));
        wire.exchanges.get(0).ctx.channel().config().setAutoRead(true);
        wire.pump();
        assertTrue(inFlight.text(), inFlight.text().endsWith("body=10 trailer=null"));
        assertFalse("closed once its last stream finished", wire.server.isOpen());
    }

    @Test
    public void rapidResetEndsTheConnectionWithEnhanceYourCalm() {
        Map<String, Object> limits = new HashMap<>();
        limits.put("maxResetsPerWindow", 10);
        connect(limits);
        wire.stallAfterHead = true;
        for (int i = 0; i < 20 && wire.goAways.isEmpty(); i++) {
            ClientStream opened = send(request("POST", "http", "origin.test", "/r" + i), false);
            opened.channel.close();
            wire.pump();
        }
        assertEquals(1, wire.goAways.size());
        assertEquals(Http2Error.ENHANCE_YOUR_CALM.code(), wire.goAways.get(0)[0]);
        assertFalse(wire.server.isOpen());
    }
}
