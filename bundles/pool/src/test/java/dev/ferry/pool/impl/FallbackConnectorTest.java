package dev.ferry.pool.impl;

import static dev.ferry.pool.impl.PoolHarness.await;
import static dev.ferry.pool.impl.PoolHarness.roundTrip;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyResolutionException;
import dev.ferry.api.proxy.ProxyResolver;
import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectEvents;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.LimitReachedException;
import dev.ferry.api.upstream.ServiceUnavailableException;
import dev.ferry.api.upstream.UpstreamException;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.api.upstream.UpstreamRequest;
import dev.ferry.resolver.impl.ProxyRetryList;
import dev.ferry.testing.LeakCheck;
import io.netty.util.concurrent.Future;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

/** Resolution, fallback, the bad-proxy list and the delegate hooks, over the real pool and real sockets. */
public class FallbackConnectorTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private PoolHarness harness;
    private EchoOrigin origin;
    private ProxyRetryList bad;
    private FallbackConnector connector;
    private final List<String> hooks = new CopyOnWriteArrayList<>();

    @Before
    public void setUp() throws Exception {
        harness = new PoolHarness();
        origin = new EchoOrigin(null);
        bad = new ProxyRetryList(Converters.standardConverter().convert(Map.of("badProxyRetrySeconds", 300))
                .to(ProxyRetryList.Config.class));
        connector = new FallbackConnector(harness.pool(), bad);
        connector.bindDelegate(new ProxyDelegate() {
            @Override
            public void onFallback(ProxyServer badProxy, ProxyErrorType error, String details) {
                hooks.add("fallback " + badProxy + " " + error.token());
            }

            @Override
            public void onSuccessAfterFailures(URI url, ProxyServer proxy, List<ProxyRetryInfo> failures) {
                hooks.add("success " + proxy + " after " + failures.size());
            }
        }, Map.of("service.ranking", 0, "service.id", 1L));
    }

    @After
    public void tearDown() throws Exception {
        connector.close();
        harness.close();
        origin.close();
    }

    private void resolveTo(ProxyServer... proxies) {
        connector.bindResolver(url -> ProxyList.of(List.of(proxies)), Map.of());
    }

    private UpstreamRequest tunnelToOrigin() {
        return UpstreamRequest.tunnel(HostAndPort.of("127.0.0.1", origin.port()), "");
    }

    @Test
    public void aRefusingProxyIsMarkedBadAndTheNextEntryCarriesTheTunnel() throws Exception {
        ProxyServer dead = ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", PoolHarness.closedPort());
        resolveTo(dead, ProxyServer.DIRECT);
        List<String> events = new CopyOnWriteArrayList<>();
        UpstreamLease conn = await(connector.connect(tunnelToOrigin().withEvents(new ConnectEvents() {
            @Override
            public void resolved(URI url, ProxyList proxies) {
                events.add("resolved " + proxies);
            }

            @Override
            public void fallback(ProxyServer proxy, ConnectJobException cause) {
                events.add("fallback " + proxy + " " + cause.errorType().token());
            }
        }), harness.loop));
        assertEquals(ProxyServer.DIRECT, conn.proxy());
        assertEquals("through", roundTrip(conn.channel(), "through"));
        conn.close();
        assertEquals(List.of("resolved [" + dead + ", DIRECT]", "fallback " + dead + " connection_refused"), events);
        assertTrue(bad.isBad(dead));
        assertEquals(ProxyErrorType.CONNECTION_REFUSED, bad.current().get(0).error());
        assertEquals(List.of("fallback " + dead + " connection_refused", "success DIRECT after 1"), hooks);
    }

    @Test
    public void aBadProxyGoesLastInTheNextResolvedList() throws Exception {
        ProxyServer dead = ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", PoolHarness.closedPort());
        bad.markBad(dead, ProxyErrorType.CONNECTION_REFUSED, "earlier");
        resolveTo(dead, ProxyServer.DIRECT);
        List<ProxyList> resolved = new CopyOnWriteArrayList<>();
        UpstreamLease conn = await(connector.connect(tunnelToOrigin().withEvents(new ConnectEvents() {
            @Override
            public void resolved(URI url, ProxyList proxies) {
                resolved.add(proxies);
            }
        }), harness.loop));
        conn.close();
        assertEquals(List.of(ProxyList.of(List.of(ProxyServer.DIRECT, dead))), resolved);
        assertEquals("DIRECT worked first time: no fallback, no hook", List.of(), hooks);
    }

    @Test
    public void whenEveryProxyFailsTheLastFailureIsTheRequestsAndNoneIsMarked() throws Exception {
        ProxyServer first = ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", PoolHarness.closedPort());
        ProxyServer last = ProxyServer.of(ProxyServer.Scheme.SOCKS5, "127.0.0.1", PoolHarness.closedPort());
        resolveTo(first, last);
        ConnectJobException e = PoolHarness.failure(connector.connect(tunnelToOrigin(), harness.loop));
        assertEquals(ProxyErrorType.CONNECTION_REFUSED, e.errorType());
        assertEquals(last, e.proxy());
        assertFalse("as in Chromium, only a request that succeeds marks the proxies before it", bad.isBad(first));
        assertFalse(bad.isBad(last));
        assertEquals(List.of(), hooks);
    }

    @Test
    public void aCallerOffTheEventLoopIsServedOnIt() throws Exception {
        List<Boolean> onLoop = new CopyOnWriteArrayList<>();
        connector.bindResolver(url -> {
            onLoop.add(harness.loop.inEventLoop());
            return ProxyList.DIRECT;
        }, Map.of());
        UpstreamLease conn = await(connector.connect(tunnelToOrigin(), harness.loop));
        conn.close();
        assertEquals(List.of(true), onLoop);
    }

    @Test
    public void aConnectRefusedWithAStatusDoesNotFallBack() throws Exception {
        try (ScriptedProxy forbidding = new ScriptedProxy(ScriptedProxy.Script.FORBIDDEN, null)) {
            ProxyServer proxy = ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", forbidding.port());
            resolveTo(proxy, ProxyServer.DIRECT);
            ConnectJobException e = PoolHarness.failure(connector.connect(tunnelToOrigin(), harness.loop));
            assertFalse(e.fallback());
            assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof UpstreamException);
            assertEquals(403, ((UpstreamException) e.getCause()).status());
            assertFalse(bad.isBad(proxy));
            assertEquals(List.of(), hooks);
        }
    }

    @Test
    public void delegatesRewriteTheListInRankingOrder() throws Exception {
        ProxyServer dead = ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", PoolHarness.closedPort());
        resolveTo(dead);
        connector.bindDelegate(new ProxyDelegate() {
            @Override
            public ProxyList onResolveProxy(URI url, ProxyList proxies) {
                return ProxyList.DIRECT;
            }
        }, Map.of("service.ranking", 10, "service.id", 2L));
        ProxyDelegate failing = new ProxyDelegate() {
            @Override
            public ProxyList onResolveProxy(URI url, ProxyList proxies) {
                throw new IllegalStateException("a plugin bug");
            }
        };
        connector.bindDelegate(failing, Map.of("service.ranking", 5, "service.id", 3L));
        UpstreamLease conn = await(connector.connect(tunnelToOrigin(), harness.loop));
        conn.close();
        assertEquals("the higher-ranked delegate chose DIRECT; the throwing one was skipped", ProxyServer.DIRECT,
                conn.proxy());
        assertFalse(bad.isBad(dead));
    }

    @Test
    public void aBlockingResolverRunsOffTheEventLoop() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        connector.bindResolver(new ProxyResolver() {
            @Override
            public ProxyList resolve(URI url) {
                threads.add(Thread.currentThread().getName());
                return ProxyList.DIRECT;
            }

            @Override
            public boolean mayBlock() {
                return true;
            }
        }, Map.of());
        UpstreamLease conn = await(connector.connect(UpstreamRequest.http(
                URI.create("http://127.0.0.1:" + origin.port() + "/x"), ""), harness.loop));
        assertTrue("completes on the caller's loop", conn.channel().eventLoop() == harness.loop);
        conn.close();
        assertEquals(1, threads.size());
        assertTrue(threads.get(0), threads.get(0).startsWith("ferry-resolve-"));
    }

    @Test
    public void resolutionsBeyondMaxQueuedResolutionsFailAtOnceNamingTheLimit() throws Exception {
        connector.modified(Converters.standardConverter().convert(Map.of("blockingResolverThreads", 1,
                "maxQueuedResolutions", 2)).to(FallbackConnector.Config.class));
        GatedResolver gated = new GatedResolver(10);
        connector.bindResolver(gated, Map.of());
        Future<UpstreamLease> running = connector.connect(tunnelToOrigin(), harness.loop);
        Future<UpstreamLease> waiting = connector.connect(tunnelToOrigin(), harness.loop);
        Future<UpstreamLease> refused = connector.connect(tunnelToOrigin(), harness.loop);
        assertTrue(refused.await(5, TimeUnit.SECONDS));
        assertTrue(String.valueOf(refused.cause()), refused.cause() instanceof LimitReachedException);
        assertTrue(refused.cause().getMessage(), refused.cause().getMessage().contains("maxQueuedResolutions 2"));
        assertFalse("the first two wait for the resolver", running.isDone() || waiting.isDone());
        gated.release();
        await(running).close();
        await(waiting).close();
    }

    @Test
    public void aResolverFailureFailsTheRequestWithAResolutionError() throws Exception {
        connector.bindResolver(url -> {
            throw new ProxyResolutionException("PAC script timed out", null);
        }, Map.of());
        Future<UpstreamLease> f = connector.connect(tunnelToOrigin(), harness.loop);
        assertTrue(f.await(10, TimeUnit.SECONDS));
        assertTrue(String.valueOf(f.cause()), f.cause() instanceof ProxyResolutionException);
        assertEquals("PAC script timed out", f.cause().getMessage());
    }

    @Test
    public void aBetterResolverTakesOverAndTheOldOneComesBackWhenItLeaves() throws Exception {
        ProxyResolver direct = url -> ProxyList.DIRECT;
        ProxyServer dead = ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", PoolHarness.closedPort());
        ProxyResolver viaDead = url -> ProxyList.of(dead);
        connector.bindResolver(direct, Map.of("service.ranking", 0));
        // The greedy reference binds the better service before it lets the old one go.
        connector.bindResolver(viaDead, Map.of("service.ranking", 100));
        connector.unbindResolver(direct);
        assertEquals(dead, PoolHarness.failure(connector.connect(tunnelToOrigin(), harness.loop)).proxy());
        connector.bindResolver(direct, Map.of("service.ranking", 0));
        connector.unbindResolver(viaDead);
        UpstreamLease conn = await(connector.connect(tunnelToOrigin(), harness.loop));
        conn.close();
        assertEquals(ProxyServer.DIRECT, conn.proxy());
        connector.unbindResolver(direct);
        // Outside OSGi the connector does not wait for a resolver (serviceWaitMillis 0).
        Future<UpstreamLease> none = connector.connect(tunnelToOrigin(), harness.loop);
        assertTrue(none.await(10, TimeUnit.SECONDS));
        if (!(none.cause() instanceof ServiceUnavailableException)) {
            fail("without a resolver: " + none.cause());
        }
    }
}
