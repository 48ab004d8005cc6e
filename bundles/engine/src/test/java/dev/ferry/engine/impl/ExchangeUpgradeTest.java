package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.spi.TunnelRelay;
import dev.ferry.testing.LeakCheck;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * HTTP/1.1 Upgrade through the proxy: an upgrade to an allowed protocol (a WebSocket) is forwarded with its
 * {@code Upgrade} and {@code Connection}, the origin's 101 reaches the client, and both connections become a tunnel,
 * the bytes the origin sent right behind its 101 included. Other upgrades go on without the headers, and a 101 nobody
 * asked for is an error.
 */
public class ExchangeUpgradeTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String WEBSOCKET_GET = "GET http://origin.test/chat HTTP/1.1\r\nHost: origin.test\r\n"
            + "Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    private static final String SWITCHING = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

    private final ExchangeFixture f = new ExchangeFixture();

    @After
    public void close() {
        f.close();
    }

    @Test
    public void aWebSocketUpgradeIsForwardedAndIts101TurnsBothConnectionsIntoATunnel() {
        f.send(WEBSOCKET_GET);
        TestUpstream.Lease lease = f.upstream.lastLease();
        ExchangeFixture.Sent sent = f.request(lease);
        assertEquals("websocket", sent.header(HttpHeaderNames.UPGRADE));
        assertEquals("upgrade", sent.header(HttpHeaderNames.CONNECTION));
        assertEquals("dGhlIHNhbXBsZSBub25jZQ==", sent.header("sec-websocket-key"));

        // The origin's first frame comes in the same read as its 101.
        f.respond(lease, SWITCHING + "\u0081\u0002hi");

        String wire = f.clientWire();
        assertTrue(wire, wire.startsWith("HTTP/1.1 101 Switching Protocols\r\n"));
        assertTrue(wire, wire.toLowerCase().contains("upgrade: websocket\r\n"));
        assertTrue(wire, wire.toLowerCase().contains("connection: upgrade\r\n"));
        assertTrue(wire, wire.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
        assertTrue(wire, wire.endsWith("\r\n\r\n"));
        assertSame("the relay joins the client's channel", f.client, f.relay.client);
        assertSame("... and the origin connection", lease.channel, f.relay.upstream);
        assertNull("no HTTP codec on the origin connection", lease.channel.pipeline().get(HttpClientCodec.class));
        assertNull("the exchange handler left", f.client.pipeline().get(TestCodecs.EXCHANGE_HANDLER));
        assertNull("the codec left", f.client.pipeline().get(TestCodecs.SERVER_HANDLER));
        ByteBuf frame = lease.channel.readInbound();
        assertEquals("the bytes behind the 101 go on raw, to the relay", "\u0081\u0002hi",
                frame.toString(StandardCharsets.ISO_8859_1));
        frame.release();
        assertEquals("the relay owns the connection now: " + lease, 0, lease.releaseCalls + lease.closeCalls);
        f.relay.done.setSuccess(new TunnelRelay.Stats(0, 4));
    }

    @Test
    public void bytesTheClientSentBehindItsUpgradeRequestReachTheOriginRawAfterThe101() {
        f.send(WEBSOCKET_GET + "early");
        TestUpstream.Lease lease = f.upstream.lastLease();
        f.request(lease);

        f.respond(lease, SWITCHING);

        assertTrue(f.clientWire().startsWith("HTTP/1.1 101 "));
        assertEquals("early", f.originWire(lease).substring(f.originWire(lease).length() - 5));
        f.relay.done.setSuccess(new TunnelRelay.Stats(5, 0));
    }

    @Test
    public void anUpgradeToAProtocolNotAllowedGoesOnWithoutIt() {
        f.send("GET http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n");
        TestUpstream.Lease lease = f.upstream.lastLease();
        ExchangeFixture.Sent sent = f.request(lease);
        assertNull(sent.header(HttpHeaderNames.UPGRADE));
        assertNull(sent.header(HttpHeaderNames.CONNECTION));
        assertNull(sent.header("http2-settings"));
        f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertEquals(200, f.reply().status);
    }

    @Test
    public void aSwitchNobodyAskedForIsA502() {
        f.send("GET http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease lease = f.upstream.lastLease();
        f.request(lease);
        f.respond(lease, SWITCHING);
        ExchangeFixture.Reply reply = f.reply();
        assertEquals(502, reply.status);
        assertTrue(reply.header("proxy-status"), reply.header("proxy-status").contains("error=http_protocol_error"));
        assertTrue(reply.header("proxy-status"), reply.header("proxy-status").contains("upgradeProtocols"));
        assertNull("no tunnel", f.relay.client);
    }
}
