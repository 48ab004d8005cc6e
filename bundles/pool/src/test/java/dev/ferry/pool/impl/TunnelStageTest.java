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

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.plugin.TunnelRejectedException;
import dev.ferry.api.plugin.TunnelResponse;
import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.api.upstream.GroupId;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamException;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.testing.LeakCheck;
import io.netty.channel.Channel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** CONNECT through scripted HTTP upstream proxies: every answer a proxy can give, credentials and delegates. */
public class TunnelStageTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private PoolHarness harness;
    private EchoOrigin origin;
    private ScriptedProxy proxy;

    @Before
    public void setUp() throws Exception {
        harness = new PoolHarness();
        origin = new EchoOrigin(null);
    }

    @After
    public void tearDown() throws Exception {
        harness.close();
        origin.close();
        if (proxy != null) {
            proxy.close();
        }
    }

    private PoolKey tunnelKey(ScriptedProxy through) {
        return new PoolKey(ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", through.port()),
                new GroupId("https", HostAndPort.of("127.0.0.1", origin.port()), ""));
    }

    private String credentials(ScriptedProxy through) {
        return "127.0.0.1:" + through.port() + "=alice:s3cret-pw";
    }

    @Test
    public void relaysAfter200AndReportsEveryStage() throws Exception {
        proxy = new ScriptedProxy(ScriptedProxy.Script.RELAY, null);
        PooledConnections pool = harness.pool();
        PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
        UpstreamLease lease = await(tunnel(pool, tunnelKey(proxy), harness.loop, events));
        Channel ch = lease.channel();
        assertEquals("hello tunnel", roundTrip(ch, "hello tunnel"));
        assertNull("codec left the pipeline", ch.pipeline().get(TunnelStage.CODEC));
        assertNull(ch.pipeline().get(TunnelStage.HANDLER));
        String head = proxy.heads.get(0);
        assertTrue(head, head.startsWith("CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\n"));
        assertTrue(head, head.contains("host: 127.0.0.1:" + origin.port() + "\r\n"));
        assertTrue(head, head.contains("proxy-connection: keep-alive\r\n"));
        assertEquals(List.of("started TCP 127.0.0.1:" + proxy.port(), "done TCP",
                "started TUNNEL 127.0.0.1:" + proxy.port(), "response 200", "done TUNNEL"), events.seen);
        assertEquals(1, PoolHarness.countersOf(pool, tunnelKey(proxy)).created());
        assertEquals("a tunnel carries raw bytes: no request headers", Map.of(), lease.requestHeaders());
        lease.close();
        assertTrue("a tunnel's lease ends by closing", ch.closeFuture().await(5, TimeUnit.SECONDS));
    }

    @Test
    public void forbiddenIsRefusedWithTheStatusAndNoFallback() throws Exception {
        proxy = new ScriptedProxy(ScriptedProxy.Script.FORBIDDEN, null);
        PooledConnections pool = harness.pool();
        ConnectJobException e = failure(tunnel(pool, tunnelKey(proxy), harness.loop));
        assertEquals(ConnectStage.TUNNEL, e.stage());
        assertEquals(ProxyErrorType.UPSTREAM_REFUSED, e.errorType());
        assertFalse(e.fallback());
        assertEquals("upstream proxy http://127.0.0.1:" + proxy.port() + " refused CONNECT 127.0.0.1:"
                + origin.port() + ": 403 Forbidden", e.getMessage());
        assertEquals(403, ((UpstreamException) e.getCause()).status());
        assertEquals(1, PoolHarness.countersOf(pool, tunnelKey(proxy)).failed());
    }

    @Test
    public void drainable407IsAnsweredOnTheSameConnection() throws Exception {
        proxy = new ScriptedProxy(ScriptedProxy.Script.AUTH_DRAIN, null);
        PooledConnections pool = harness.pool("proxyCredentials", new String[] {credentials(proxy)});
        PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
        UpstreamLease lease = await(tunnel(pool, tunnelKey(proxy), harness.loop, events));
        assertEquals("after auth", roundTrip(lease.channel(), "after auth"));
        assertEquals(1, proxy.connections.get());
        assertEquals(2, proxy.heads.size());
        assertFalse(proxy.heads.get(0).contains("proxy-authorization"));
        assertTrue(proxy.heads.get(1), proxy.heads.get(1).contains("proxy-authorization: Basic YWxpY2U6czNjcmV0LXB3"));
        assertEquals(2, events.responses.size());
        assertEquals("Basic realm=\"x\"", events.responses.get(0).header("proxy-authenticate"));
        lease.close();
    }

    @Test
    public void closing407IsAnsweredOnANewConnection() throws Exception {
        proxy = new ScriptedProxy(ScriptedProxy.Script.AUTH_CLOSE, null);
        PooledConnections pool = harness.pool("proxyCredentials", new String[] {credentials(proxy)});
        PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
        UpstreamLease lease = await(tunnel(pool, tunnelKey(proxy), harness.loop, events));
        assertEquals("second connection", roundTrip(lease.channel(), "second connection"));
        assertEquals(2, proxy.connections.get());
        assertTrue(proxy.heads.get(1).contains("proxy-authorization: Basic "));
        assertEquals("reconnect reported as a TCP stage", 2, events.seen.stream()
                .filter(s -> s.startsWith("started TCP")).count());
        lease.close();
    }

    @Test
    public void second407RejectsTheCredentialsWithoutShowingThePassword() throws Exception {
        proxy = new ScriptedProxy(ScriptedProxy.Script.AUTH_FOREVER, null);
        PooledConnections pool = harness.pool("proxyCredentials", new String[] {credentials(proxy)});
        ConnectJobException e = failure(tunnel(pool, tunnelKey(proxy), harness.loop));
        assertEquals(ProxyErrorType.UPSTREAM_AUTH_REQUIRED, e.errorType());
        assertFalse(e.fallback());
        assertEquals("upstream proxy http://127.0.0.1:" + proxy.port() + " rejected the configured credentials "
                + "for user 'alice' (407, Proxy-Authenticate: Basic realm=\"x\")", e.getMessage());
        assertFalse(e.getCause().getMessage().contains("s3cret"));
        assertEquals(2, proxy.heads.size());
    }

    @Test
    public void a407WithoutCredentialsNamesTheMissingSetting() throws Exception {
        proxy = new ScriptedProxy(ScriptedProxy.Script.AUTH_DRAIN, null);
        PooledConnections pool = harness.pool();
        ConnectJobException e = failure(tunnel(pool, tunnelKey(proxy), harness.loop));
        assertEquals(ProxyErrorType.UPSTREAM_AUTH_REQUIRED, e.errorType());
        assertEquals("upstream proxy http://127.0.0.1:" + proxy.port() + " demands authentication (407, "
                + "Proxy-Authenticate: Basic realm=\"x\") and dev.ferry.pool proxyCredentials has none for 127.0.0.1:"
                + proxy.port(), e.getMessage());
    }

    @Test
    public void bytesAfterThe200AreAProtocolError() throws Exception {
        proxy = new ScriptedProxy(ScriptedProxy.Script.JUNK, null);
        ConnectJobException e = failure(tunnel(harness.pool(), tunnelKey(proxy), harness.loop));
        assertEquals(ProxyErrorType.HTTP_PROTOCOL_ERROR, e.errorType());
        assertFalse(e.fallback());
        assertTrue(e.getMessage(), e.getMessage().contains("sent 4 bytes after its answer to CONNECT"));
        assertTrue("the connection is closed", proxy.peerClosed.await(5, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Test
    public void silenceTimesOutAndFallsBack() throws Exception {
        proxy = new ScriptedProxy(ScriptedProxy.Script.SILENT, null);
        ConnectJobException e = failure(tunnel(harness.pool("tunnelTimeoutMillis", 300), tunnelKey(proxy),
                harness.loop));
        assertEquals(ConnectStage.TUNNEL, e.stage());
        assertEquals(ProxyErrorType.HTTP_RESPONSE_TIMEOUT, e.errorType());
        assertTrue(e.fallback());
        assertTrue(e.getMessage(), e.getMessage().endsWith("within 300 ms (dev.ferry.pool tunnelTimeoutMillis)"));
        assertTrue("the connection is closed", proxy.peerClosed.await(5, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Test
    public void closeBeforeAnAnswerIsTerminatedAndFallsBack() throws Exception {
        proxy = new ScriptedProxy(ScriptedProxy.Script.CLOSE, null);
        ConnectJobException e = failure(tunnel(harness.pool(), tunnelKey(proxy), harness.loop));
        assertEquals(ProxyErrorType.CONNECTION_TERMINATED, e.errorType());
        assertTrue(e.fallback());
    }

    @Test
    public void delegateHeadersGoOutInRankingOrderAndAFailingDelegateIsSkipped() throws Exception {
        proxy = new ScriptedProxy(ScriptedProxy.Script.RELAY, null);
        PooledConnections pool = harness.pool();
        pool.bindDelegate(headers(Map.of("X-Low", "1")), Map.of("service.ranking", -5, "service.id", 1L));
        pool.bindDelegate(new ProxyDelegate() {
            @Override
            public Map<String, String> onBeforeTunnelRequest(ProxyServer p, HostAndPort d) {
                throw new IllegalStateException("plugin bug");
            }
        }, Map.of("service.ranking", 100, "service.id", 2L));
        pool.bindDelegate(headers(Map.of("X-High", "2")), Map.of("service.ranking", 10, "service.id", 3L));
        UpstreamLease lease = await(tunnel(pool, tunnelKey(proxy), harness.loop));
        String head = proxy.heads.get(0);
        assertTrue(head, head.contains("X-High: 2\r\n"));
        assertTrue(head, head.indexOf("X-High") < head.indexOf("X-Low"));
        lease.close();
    }

    @Test
    public void aDelegateRejectingThe200FailsTheTunnel() throws Exception {
        proxy = new ScriptedProxy(ScriptedProxy.Script.RELAY, null);
        PooledConnections pool = harness.pool();
        ProxyDelegate rejecting = new ProxyDelegate() {
            @Override
            public void onTunnelHeadersReceived(ProxyServer p, HostAndPort d, TunnelResponse r)
                    throws TunnelRejectedException {
                throw new TunnelRejectedException("upstream not on the allow list");
            }
        };
        pool.bindDelegate(rejecting, Map.of("service.id", 7L));
        ConnectJobException e = failure(tunnel(pool, tunnelKey(proxy), harness.loop));
        assertEquals(ProxyErrorType.HTTP_REQUEST_DENIED, e.errorType());
        assertFalse(e.fallback());
        assertTrue(e.getMessage(), e.getMessage().endsWith(": upstream not on the allow list"));
        pool.unbindDelegate(rejecting);
        await(tunnel(pool, tunnelKey(proxy), harness.loop)).close();
    }

    @Test
    public void httpsGroupsAcquiredThroughAProxyGoThroughTheTunnel() throws Exception {
        proxy = new ScriptedProxy(ScriptedProxy.Script.RELAY, null);
        TestCertificates certificates = new TestCertificates("localhost", true);
        Path dir = Files.createTempDirectory("ferry-pool-tunnel");
        Path pem = certificates.writePem(dir);
        try (EchoOrigin tlsOrigin = new EchoOrigin(certificates.serverContext)) {
            PooledConnections pool = harness.pool("proxyCredentials", new String[] {credentials(proxy)},
                    "trustCertificatesFile", pem.toString());
            // An http group stops at the proxy: no CONNECT, absolute-form requests that carry the credentials.
            PoolKey plain = new PoolKey(ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", proxy.port()),
                    HostAndPort.of("127.0.0.1", origin.port()));
            UpstreamLease viaProxy = await(acquire(pool, plain, harness.loop));
            assertTrue(proxy.heads.isEmpty());
            assertTrue(viaProxy.absoluteForm());
            assertEquals(Map.of("proxy-authorization", "Basic YWxpY2U6czNjcmV0LXB3"), viaProxy.requestHeaders());
            viaProxy.close();
            // An https group goes through CONNECT, then TLS with the origin: origin-form, no proxy headers inside.
            PoolKey secure = new PoolKey(plain.proxy(), new GroupId("https", HostAndPort.of("127.0.0.1",
                    tlsOrigin.port()), ""));
            UpstreamLease tunnelled = await(acquire(pool, secure, harness.loop));
            assertEquals(1, proxy.heads.size());
            assertTrue(proxy.heads.get(0), proxy.heads.get(0).startsWith("CONNECT 127.0.0.1:" + tlsOrigin.port()));
            assertFalse(tunnelled.absoluteForm());
            assertEquals(Map.of(), tunnelled.requestHeaders());
            assertEquals("inside", roundTrip(tunnelled.channel(), "inside"));
            tunnelled.close();
        } finally {
            Files.delete(pem);
            Files.delete(dir);
        }
    }

    private static ProxyDelegate headers(Map<String, String> headers) {
        return new ProxyDelegate() {
            @Override
            public Map<String, String> onBeforeTunnelRequest(ProxyServer p, HostAndPort d) {
                return headers;
            }
        };
    }
}
