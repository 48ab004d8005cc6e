package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.spi.TunnelRelay;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.api.upstream.UpstreamRequest;
import dev.ferry.engine.impl.ExchangeFixture.Reply;
import dev.ferry.testing.LeakCheck;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.ConnectException;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** CONNECT: the exchange channel becomes one end of a tunnel, handed to the relay with the upstream connection. */
public class ExchangeTunnelTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String CONNECT = "CONNECT origin.test:443 HTTP/1.1\r\nHost: origin.test:443\r\n\r\n";
    private static final String ESTABLISHED = "HTTP/1.1 200 Connection established\r\n\r\n";

    private ExchangeFixture f = new ExchangeFixture();

    @After
    public void close() {
        f.close();
    }

    @Test
    public void connectIsEstablishedAndRelayedWithTheBytesTheClientSentBehindIt() {
        f.client.pipeline().addFirst(ConnectionSetup.IDLE_HANDLER, new IdleStateHandler(0, 0, 60));
        f.upstream.hold = true;
        f.send(CONNECT + "early-");
        f.send("more");

        assertEquals("nothing is answered before the tunnel is there", "", f.clientWire());
        UpstreamRequest asked = f.upstream.requests.get(0);
        assertTrue(asked.tunnel());
        assertEquals(HostAndPort.of("origin.test", 443), asked.destination());
        TestUpstream.Lease lease = f.upstream.held.get(0).succeed();

        assertSame("the relay joins the client's channel", f.client, f.relay.client);
        assertSame("... and the upstream connection", lease.channel, f.relay.upstream);
        assertEquals(ESTABLISHED, f.clientWire());
        assertEquals("the bytes behind the CONNECT went upstream, in order", "early-more", f.originWire(lease));
        assertNull("no HTTP codec on the tunnel connection", lease.channel.pipeline().get(HttpClientCodec.class));
        assertNull("the exchange handler left", f.client.pipeline().get(TestCodecs.EXCHANGE_HANDLER));
        assertNull("the codec left", f.client.pipeline().get(TestCodecs.SERVER_HANDLER));
        assertNull("the idle timer left: the relay has its own", f.client.pipeline().get(ConnectionSetup.IDLE_HANDLER));
        assertEquals("the relay owns the connection now: " + lease, 0, lease.releaseCalls + lease.closeCalls);
        assertTrue(f.client.isOpen());
        f.relay.done.setSuccess(new TunnelRelay.Stats(10, 0));
    }

    @Test
    public void connectWithoutBytesBehindItHandsOverWithNothingSent() {
        f.upstream.hold = true;
        f.send(CONNECT);

        TestUpstream.Lease lease = f.upstream.held.get(0).succeed();

        assertEquals(ESTABLISHED, f.clientWire());
        assertEquals("", f.originWire(lease));
        assertSame(lease.channel, f.relay.upstream);
    }

    @Test
    public void failedTunnelConnectIsAnsweredAndClosesTheConnection() {
        f.upstream.hold = true;
        f.send(CONNECT + "early bytes never sent");

        f.upstream.held.get(0).fail(new ConnectJobException(ProxyServer.DIRECT, ConnectStage.TCP,
                ProxyErrorType.CONNECTION_REFUSED, false, "connection refused by origin.test:443",
                new ConnectException("refused")));

        String wire = f.clientWire();
        assertTrue(wire, wire.startsWith("HTTP/1.1 502 Bad Gateway\r\n"));
        assertTrue(wire, wire.contains("\r\nProxy-Status: ferry; error=connection_refused; "
                + "details=\"connection refused by origin.test:443\"\r\n"));
        assertTrue(wire, wire.contains("\r\nconnection: close\r\n"));
        assertFalse("after a CONNECT the connection cannot go back to HTTP", f.client.isOpen());
        assertNull(f.relay.client);
    }

    @Test
    public void clientLeavingWhileTheTunnelConnectIsPendingCancelsIt() {
        f.upstream.hold = true;
        f.send(CONNECT + "early");

        f.clientLeaves();

        assertTrue(f.upstream.held.get(0).future.isCancelled());
        assertNull(f.relay.client);
    }

    @Test
    public void tunnelArrivingAfterTheClientLeftIsClosed() {
        f.upstream.hold = true;
        f.send(CONNECT + "early");
        TestUpstream.Held pending = f.upstream.held.get(0);
        pending.future.setUncancellable();
        f.clientLeaves();

        TestUpstream.Lease late = pending.succeed();

        assertTrue(late.toString(), late.closedNotReleased());
        assertFalse(late.channel.isOpen());
        assertEquals("", f.originWire(late));
        assertNull("no relay for a client that left", f.relay.client);
    }

    /** The tunnel connect is under way when the relay goes (its bundle being updated), then it succeeds. */
    private TestUpstream.Lease connectedWhileTheRelayIsGone() {
        f.upstream.hold = true;
        f.send(CONNECT + "early");
        f.services.relay.unbind(f.relay);
        TestUpstream.Lease lease = f.upstream.held.get(0).succeed();
        assertEquals("the tunnel waits for a relay", "", f.clientWire());
        return lease;
    }

    @Test
    public void relayGoneWhileConnectingIsWaitedForAndItsSuccessorRelaysTheTunnel() {
        TestUpstream.Lease lease = connectedWhileTheRelayIsGone();
        f.advance(30);
        ExchangeFixture.RecordingRelay successor = new ExchangeFixture.RecordingRelay();

        f.services.relay.bind(successor);

        assertEquals(ESTABLISHED, f.clientWire());
        assertSame(lease.channel, successor.upstream);
        assertNull(f.relay.client);
        assertEquals("early", f.originWire(lease));
        f.advance(100);
        assertTrue("the wait's timeout is gone", f.client.isOpen());
    }

    @Test
    public void relayStillGoneAfterTheWaitIsAnswered503AndTheTunnelClosed() {
        TestUpstream.Lease lease = connectedWhileTheRelayIsGone();

        f.advance(50);

        String wire = f.clientWire();
        assertTrue(wire, wire.startsWith("HTTP/1.1 503 Service Unavailable\r\n"));
        assertTrue(wire, wire.contains("Proxy-Status: ferry; error=proxy_internal_error; details=\"the tunnel relay "
                + "(dev.ferry.tunnel) is not running (waited 50 ms for it)\""));
        assertFalse(f.client.isOpen());
        assertTrue(lease.closedNotReleased());
        assertEquals("nothing went through the tunnel", "", f.originWire(lease));
    }

    @Test
    public void clientLeavingWhileTheTunnelWaitsForARelayGetsTheTunnelClosedByTheWaitsEnd() {
        TestUpstream.Lease lease = connectedWhileTheRelayIsGone();

        f.clientLeaves();
        f.advance(50);

        assertTrue(lease.closedNotReleased());
        assertFalse(lease.channel.isOpen());
        assertNull(f.relay.client);
    }

    @Test
    public void relayNotRunningIsAnswered503AfterTheWaitWithoutConnecting() {
        f.close();
        f = new ExchangeFixture(false);
        f.services.connector.bind(f.upstream);
        f.services.clientCodec.bind(TestCodecs.CLIENT);
        f.send(CONNECT);

        f.advance(50);

        String wire = f.clientWire();
        assertTrue(wire, wire.startsWith("HTTP/1.1 503 Service Unavailable\r\n"));
        assertTrue(wire, wire.contains("Proxy-Status: ferry; error=proxy_internal_error; details=\"the tunnel relay "
                + "(dev.ferry.tunnel) is not running (waited 50 ms for it)\""));
        assertFalse(f.client.isOpen());
        assertTrue(f.upstream.requests.isEmpty());
    }

    @Test
    public void connectWithoutAPortIsAnswered400AndCloses() {
        f.send("CONNECT origin.test HTTP/1.1\r\nHost: origin.test\r\n\r\n");

        Reply reply = f.reply();
        assertEquals(400, reply.status);
        assertTrue(reply.header("Proxy-Status"), reply.header("Proxy-Status")
                .startsWith("ferry; error=http_request_error; details=\"CONNECT target must be host:port"));
        assertFalse(f.client.isOpen());
        assertTrue(f.upstream.requests.isEmpty());
    }
}
