package dev.ferry.pool.impl;

import static dev.ferry.pool.impl.PoolHarness.await;
import static dev.ferry.pool.impl.PoolHarness.eventually;
import static dev.ferry.pool.impl.PoolHarness.roundTrip;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.spi.AwaitedService;
import dev.ferry.api.upstream.ServiceUnavailableException;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.api.upstream.UpstreamRequest;
import dev.ferry.resolver.impl.ProxyRetryList;
import dev.ferry.testing.LeakCheck;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.reflect.Field;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

/**
 * The connector's optional references: while no resolver is bound a request waits {@code serviceWaitMillis} for one
 * (a resolver bundle update costs a short wait, not a request), and the bad-proxy list is used only while bound.
 */
public class ConnectorServiceWaitTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private PoolHarness harness;
    private EchoOrigin origin;
    private PooledConnections pool;
    private FallbackConnector connector;

    @Before
    public void setUp() throws Exception {
        harness = new PoolHarness();
        origin = new EchoOrigin(null);
        pool = harness.pool();
    }

    @After
    public void tearDown() throws Exception {
        if (connector != null) {
            connector.close();
        }
        harness.close();
        origin.close();
    }

    private static FallbackConnector.Config config(int serviceWaitMillis) {
        return Converters.standardConverter().convert(Map.of("serviceWaitMillis", serviceWaitMillis))
                .to(FallbackConnector.Config.class);
    }

    private FallbackConnector connector(int serviceWaitMillis) {
        connector = new FallbackConnector(pool, config(serviceWaitMillis));
        return connector;
    }

    private UpstreamRequest tunnelToOrigin() {
        return UpstreamRequest.tunnel(HostAndPort.of("127.0.0.1", origin.port()), "");
    }

    @Test
    public void aConnectWaitsForAResolverAndGoesOnWhenOneIsBound() throws Exception {
        connector(10_000);
        AtomicInteger configured = new AtomicInteger();
        ClientCodec codec = new ClientCodec() {
            @Override
            public String protocol() {
                return "http/1.1";
            }

            @Override
            public void configure(ChannelPipeline pipeline) {
                configured.incrementAndGet();
                pipeline.addLast("test-codec", new ChannelDuplexHandler());
            }
        };
        long start = System.nanoTime();
        Future<UpstreamLease> f = connector.connect(UpstreamRequest.http(
                URI.create("http://127.0.0.1:" + origin.port() + "/"), "").withClientCodec(codec), harness.loop);
        assertFalse("waits for the resolver", f.await(300));
        assertEquals(0, origin.accepted.get());
        connector.bindResolver(url -> ProxyList.DIRECT, Map.of());
        UpstreamLease lease = await(f);
        assertTrue("served by the bind, long before the wait ends",
                System.nanoTime() - start < TimeUnit.SECONDS.toNanos(9));
        assertEquals(ProxyServer.DIRECT, lease.proxy());
        assertEquals("the request's codec reached the pool", 1, configured.get());
        assertEquals("after the wait", roundTrip(lease.channel(), "after the wait"));
        lease.close();
    }

    @Test
    public void withNoResolverAConnectFailsWithServiceUnavailableNamingTheResolverBundle() throws Exception {
        connector(300);
        long start = System.nanoTime();
        Future<UpstreamLease> f = connector.connect(tunnelToOrigin(), harness.loop);
        assertTrue(f.await(10, TimeUnit.SECONDS));
        assertTrue("waited first", System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250));
        assertTrue(String.valueOf(f.cause()), f.cause() instanceof ServiceUnavailableException);
        assertEquals("the proxy resolver (dev.ferry.resolver) is not running (waited 300 ms for it)",
                f.cause().getMessage());
        assertEquals(0, origin.accepted.get());
        assertEquals(0, waiting(connector).size());
    }

    @Test
    public void aCancelledWaitLeavesNothingBehind() throws Exception {
        connector(10_000);
        Future<UpstreamLease> f = connector.connect(tunnelToOrigin(), harness.loop);
        List<?> waiting = waiting(connector);
        assertEquals(1, waiting.size());
        ScheduledFuture<?> timeout = timeoutOf(waiting.get(0));
        assertTrue(f.cancel(false));
        eventually("the wait left the list", () -> waiting(connector).isEmpty());
        assertTrue("its timeout was cancelled", timeout.isCancelled());
        List<URI> resolved = new CopyOnWriteArrayList<>();
        connector.bindResolver(url -> {
            resolved.add(url);
            return ProxyList.DIRECT;
        }, Map.of());
        harness.onLoop(() -> { });
        Thread.sleep(100);
        assertEquals("the cancelled request is not resolved when a resolver comes", List.of(), resolved);
        assertEquals(0, origin.accepted.get());
        assertEquals(List.of(), pool.counters());
    }

    @Test
    public void aServiceWaitChangedLiveAppliesToTheNextRequestAndABadOneIsRefused() throws Exception {
        connector(300);
        connector.modified(config(-1));
        Future<UpstreamLease> f = connector.connect(tunnelToOrigin(), harness.loop);
        assertTrue(f.await(10, TimeUnit.SECONDS));
        assertEquals("the refused edit left the wait as it was",
                "the proxy resolver (dev.ferry.resolver) is not running (waited 300 ms for it)", f.cause().getMessage());
        connector.modified(config(700));
        f = connector.connect(tunnelToOrigin(), harness.loop);
        assertTrue(f.await(10, TimeUnit.SECONDS));
        assertEquals("the proxy resolver (dev.ferry.resolver) is not running (waited 700 ms for it)",
                f.cause().getMessage());
    }

    @Test
    public void theBadProxyListIsOptionalAndUsedOnlyWhileBound() throws Exception {
        connector(0);
        ProxyServer dead = ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", PoolHarness.closedPort());
        connector.bindResolver(url -> ProxyList.of(List.of(dead, ProxyServer.DIRECT)), Map.of());
        UpstreamLease lease = await(connector.connect(tunnelToOrigin(), harness.loop));
        assertEquals("falls back without a list", ProxyServer.DIRECT, lease.proxy());
        lease.close();
        ProxyRetryList bad = new ProxyRetryList(Converters.standardConverter()
                .convert(Map.of("badProxyRetrySeconds", 300)).to(ProxyRetryList.Config.class));
        connector.bindBadProxies(bad);
        await(connector.connect(tunnelToOrigin(), harness.loop)).close();
        // Marked right after the request is served, on its loop.
        eventually("marked in the bound list", () -> bad.isBad(dead));
        connector.unbindBadProxies(bad);
        bad.clear(dead);
        lease = await(connector.connect(tunnelToOrigin(), harness.loop));
        assertEquals(ProxyServer.DIRECT, lease.proxy());
        lease.close();
        harness.onLoop(() -> { });
        assertFalse("an unbound list is not touched", bad.isBad(dead));
    }

    /** The resolver's waiting requests: internal state of the connector's {@link AwaitedService}. */
    private static List<?> waiting(FallbackConnector connector) {
        List<?> list = (List<?>) field(field(connector, FallbackConnector.class, "resolver"), AwaitedService.class,
                "waiting");
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    private static ScheduledFuture<?> timeoutOf(Object waiting) {
        return (ScheduledFuture<?>) field(waiting, waiting.getClass(), "timeout");
    }

    private static Object field(Object owner, Class<?> type, String name) {
        try {
            Field field = type.getDeclaredField(name);
            field.setAccessible(true);
            return field.get(owner);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no field " + name + " in " + type, e);
        }
    }

    @Test
    public void aStoppedConnectorFinishesTheResolutionsItAlreadyHas() throws Exception {
        connector(1000);
        GatedResolver slow = new GatedResolver(5);
        connector.bindResolver(slow, Map.of());
        Future<UpstreamLease> inFlight = connector.connect(tunnelToOrigin(), harness.loop);
        // The connector stops (its bundle updated) while a blocking resolution is under way, and DS unbinds.
        FallbackConnector stopped = connector;
        connector = null;
        stopped.close();
        stopped.unbindResolver(slow);
        Future<UpstreamLease> racing = stopped.connect(tunnelToOrigin(), harness.loop);
        slow.release();
        UpstreamLease first = await(inFlight);
        UpstreamLease second = await(racing);
        assertEquals("resolved and connected after the stop", ProxyServer.DIRECT, first.proxy());
        assertEquals("a request that reached it as it stopped is served too", ProxyServer.DIRECT, second.proxy());
        first.close();
        second.close();
    }
}
