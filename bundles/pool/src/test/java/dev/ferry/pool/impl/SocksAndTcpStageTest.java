package dev.ferry.pool.impl;

import static dev.ferry.pool.impl.PoolHarness.acquire;
import static dev.ferry.pool.impl.PoolHarness.await;
import static dev.ferry.pool.impl.PoolHarness.failure;
import static dev.ferry.pool.impl.PoolHarness.roundTrip;
import static dev.ferry.pool.impl.PoolHarness.tunnel;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.testing.LeakCheck;
import io.netty.channel.Channel;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** The TCP stage's failure classes, and SOCKS5 through Netty's proxy handler against a Netty SOCKS5 server. */
public class SocksAndTcpStageTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private PoolHarness harness;
    private EchoOrigin origin;

    @Before
    public void setUp() throws Exception {
        harness = new PoolHarness();
        origin = new EchoOrigin(null);
    }

    @After
    public void tearDown() throws Exception {
        harness.close();
        origin.close();
    }

    @Test
    public void socks5SendsTheHostNameAndRelays() throws Exception {
        try (Socks5Server socks = new Socks5Server(Socks5Server.Mode.RELAY)) {
            PoolKey key = new PoolKey(ProxyServer.of(ProxyServer.Scheme.SOCKS5, "127.0.0.1", socks.port()),
                    HostAndPort.of("localhost", origin.port()));
            PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
            UpstreamLease lease = await(acquire(harness.pool(), key, harness.loop, events));
            Channel ch = lease.channel();
            assertEquals("via socks", roundTrip(ch, "via socks"));
            assertEquals(List.of("DOMAIN(3) localhost"), socks.requests);
            assertNull(ch.pipeline().get(SocksStage.HANDLER));
            assertNull(ch.pipeline().get(StageErrorSink.NAME));
            assertEquals(List.of("started TCP 127.0.0.1:" + socks.port(), "done TCP",
                    "started SOCKS 127.0.0.1:" + socks.port(), "done SOCKS"), events.seen);
            lease.close();
        }
    }

    @Test
    public void socks5SendsIpLiteralsAsAddresses() throws Exception {
        try (Socks5Server socks = new Socks5Server(Socks5Server.Mode.RELAY)) {
            PoolKey key = new PoolKey(ProxyServer.of(ProxyServer.Scheme.SOCKS5, "127.0.0.1", socks.port()),
                    HostAndPort.of("127.0.0.1", origin.port()));
            UpstreamLease lease = await(tunnel(harness.pool(), key, harness.loop));
            assertEquals("raw", roundTrip(lease.channel(), "raw"));
            assertEquals(List.of("IPv4(1) 127.0.0.1"), socks.requests);
            lease.close();
        }
    }

    @Test
    public void aSocksRefusalFallsBack() throws Exception {
        try (Socks5Server socks = new Socks5Server(Socks5Server.Mode.REFUSE)) {
            PoolKey key = new PoolKey(ProxyServer.of(ProxyServer.Scheme.SOCKS5, "127.0.0.1", socks.port()),
                    HostAndPort.of("localhost", origin.port()));
            ConnectJobException e = failure(acquire(harness.pool(), key, harness.loop));
            assertEquals(ConnectStage.SOCKS, e.stage());
            assertEquals(ProxyErrorType.CONNECTION_REFUSED, e.errorType());
            assertTrue(e.fallback());
        }
    }

    @Test
    public void aSilentSocksServerTimesOut() throws Exception {
        try (Socks5Server socks = new Socks5Server(Socks5Server.Mode.SILENT)) {
            PoolKey key = new PoolKey(ProxyServer.of(ProxyServer.Scheme.SOCKS5, "127.0.0.1", socks.port()),
                    HostAndPort.of("localhost", origin.port()));
            ConnectJobException e = failure(acquire(harness.pool("socksTimeoutMillis", 300), key, harness.loop));
            assertEquals(ConnectStage.SOCKS, e.stage());
            assertEquals(ProxyErrorType.CONNECTION_TIMEOUT, e.errorType());
            assertTrue(e.fallback());
            assertTrue(e.getMessage(), e.getMessage().contains("(dev.ferry.pool socksTimeoutMillis)"));
        }
    }

    @Test
    public void refusedDirectConnectionsNameTheOriginAndNeverFallBack() throws Exception {
        int port = PoolHarness.closedPort();
        ConnectJobException e = failure(acquire(harness.pool(), new PoolKey(ProxyServer.DIRECT,
                HostAndPort.of("127.0.0.1", port)), harness.loop));
        assertEquals(ConnectStage.TCP, e.stage());
        assertEquals(ProxyErrorType.CONNECTION_REFUSED, e.errorType());
        assertFalse(e.fallback());
        assertEquals("connection refused by 127.0.0.1:" + port, e.getMessage());
    }

    @Test
    public void refusedProxyConnectionsNameTheProxyAndFallBack() throws Exception {
        int port = PoolHarness.closedPort();
        PoolKey key = new PoolKey(ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", port),
                HostAndPort.of("example.org", 80));
        PooledConnections pool = harness.pool();
        ConnectJobException e = failure(acquire(pool, key, harness.loop));
        assertEquals(ProxyErrorType.CONNECTION_REFUSED, e.errorType());
        assertTrue(e.fallback());
        assertEquals("connection refused by upstream proxy http://127.0.0.1:" + port, e.getMessage());
        assertEquals(1, PoolHarness.countersOf(pool, key).failed());
    }

    @Test
    public void unknownHostsAreDnsErrors() throws Exception {
        ConnectJobException e = failure(acquire(harness.pool(), new PoolKey(ProxyServer.DIRECT,
                HostAndPort.of("no-such-host.invalid", 80)), harness.loop));
        assertEquals(ProxyErrorType.DNS_ERROR, e.errorType());
        assertEquals("cannot resolve no-such-host.invalid (no-such-host.invalid:80)", e.getMessage());
    }


    @Test
    public void runningOutOfFileDescriptorsIsA503NamingTheLimitAndNoReasonToFallBack() {
        // What Netty's connect fails with when the socket cannot be created (EMFILE).
        Throwable cause = new io.netty.channel.ChannelException("Unable to create Channel from class class "
                + "io.netty.channel.epoll.EpollSocketChannel",
                new java.net.SocketException("Too many open files"));
        ConnectJobException e = TcpStage.classify(ProxyServer.DIRECT, HostAndPort.of("origin.test", 443),
                "origin.test:443", 1000, cause);

        assertEquals(ProxyErrorType.PROXY_RESOURCE_EXHAUSTED, e.errorType());
        assertEquals(503, e.errorType().status());
        assertFalse("another proxy would not help", e.fallback());
        assertTrue(e.getMessage(), e.getMessage().contains("open files limit"));
        assertEquals("a refused connection stays a refused connection", ProxyErrorType.CONNECTION_REFUSED,
                TcpStage.classify(ProxyServer.DIRECT, HostAndPort.of("origin.test", 443), "origin.test:443", 1000,
                        new java.net.ConnectException("Connection refused")).errorType());
    }
}
