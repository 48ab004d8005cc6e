package dev.ferry.pool.impl;

import static dev.ferry.pool.impl.PoolHarness.acquire;
import static dev.ferry.pool.impl.PoolHarness.await;
import static dev.ferry.pool.impl.PoolHarness.config;
import static dev.ferry.pool.impl.PoolHarness.countersOf;
import static dev.ferry.pool.impl.PoolHarness.eventually;
import static dev.ferry.pool.impl.PoolHarness.failure;
import static dev.ferry.pool.impl.PoolHarness.roundTrip;
import static dev.ferry.pool.impl.PoolHarness.tunnel;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.GroupId;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.testing.LeakCheck;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The pool as a component: a configuration edit applies in place ({@code @Modified}), and a stopped pool drains
 * ({@code @Deactivate}): lent connections finish, queued requests are served, then the rest fails and closes.
 */
public class PoolLifecycleTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private PoolHarness harness;
    private EchoOrigin origin;
    private PoolKey key;

    @Before
    public void setUp() throws Exception {
        harness = new PoolHarness();
        origin = new EchoOrigin(null);
        key = new PoolKey(ProxyServer.DIRECT, HostAndPort.of("127.0.0.1", origin.port()));
    }

    @After
    public void tearDown() throws Exception {
        harness.close();
        origin.close();
    }

    @Test
    public void raisingTheGroupLimitServesAWaitingRequestAtOnce() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 1, "waitTimeoutMillis", 20_000);
        UpstreamLease first = await(acquire(pool, key, harness.loop));
        PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
        Future<UpstreamLease> waiting = acquire(pool, key, harness.loop, events);
        assertEquals(List.of("waiting maxConnectionsPerGroup 1"), events.seen);
        assertEquals(1, countersOf(pool, key).waiting());
        pool.modified(config("maxConnectionsPerGroup", 2, "waitTimeoutMillis", 20_000));
        assertTrue("served by the edit, not by a release or the wait timeout", waiting.await(5, TimeUnit.SECONDS));
        UpstreamLease second = await(waiting);
        assertNotSame(first.channel(), second.channel());
        assertFalse(second.reused());
        assertEquals("second", roundTrip(second.channel(), "second"));
        assertEquals(2, countersOf(pool, key).active());
        assertEquals(0, countersOf(pool, key).waiting());
        assertEquals(2, countersOf(pool, key).created());
    }

    @Test
    public void loweringTheGroupLimitMakesLaterRequestsWait() throws Exception {
        PooledConnections pool = harness.pool();
        UpstreamLease a = await(acquire(pool, key, harness.loop));
        UpstreamLease b = await(acquire(pool, key, harness.loop));
        pool.modified(config("maxConnectionsPerGroup", 1));
        assertEquals("connections already made stay", "b", roundTrip(b.channel(), "b"));
        PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
        Future<UpstreamLease> third = acquire(pool, key, harness.loop, events);
        assertEquals(List.of("waiting maxConnectionsPerGroup 1"), events.seen);
        harness.onLoop(b::close);
        eventually("b's slot freed", () -> countersOf(pool, key).active() == 1);
        assertFalse("one connection is still the whole new limit", third.await(300));
        harness.onLoop(a::release);
        assertSame("the released connection goes to the waiter", a.channel(), await(third).channel());
        assertEquals(1, countersOf(pool, key).reused());
        assertEquals(2, countersOf(pool, key).created());
    }

    @Test
    public void newStageTimeoutsApplyToALaterConnectJob() throws Exception {
        try (ScriptedProxy silent = new ScriptedProxy(ScriptedProxy.Script.SILENT, null)) {
            PooledConnections pool = harness.pool("tunnelTimeoutMillis", 20_000);
            PoolKey through = new PoolKey(ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", silent.port()),
                    new GroupId("https", key.destination(), ""));
            Future<UpstreamLease> before = tunnel(pool, through, harness.loop);
            assertTrue(silent.headSeen.await(5, TimeUnit.SECONDS));
            pool.modified(config("tunnelTimeoutMillis", 300));
            long start = System.nanoTime();
            ConnectJobException e = failure(tunnel(pool, through, harness.loop));
            assertEquals(ProxyErrorType.HTTP_RESPONSE_TIMEOUT, e.errorType());
            assertTrue(e.getMessage(), e.getMessage().endsWith("within 300 ms (dev.ferry.pool tunnelTimeoutMillis)"));
            assertTrue("took the new 300 ms", System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            assertFalse("the job in flight keeps the timeout it started with", before.isDone());
            assertTrue(before.cancel(false));
        }
    }

    @Test
    public void anInvalidEditIsRefusedAsAWholeAndTheOldSettingsStay() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 1);
        UpstreamLease lent = await(acquire(pool, key, harness.loop));
        // An http group through an HTTP proxy (the echo origin stands in: only TCP is made) carries the credentials.
        PoolKey viaProxy = new PoolKey(ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", origin.port()),
                HostAndPort.of("example.org", 80));
        String[] credentials = {"127.0.0.1:" + origin.port() + "=alice:s3cret-pw"};
        // Over maxConnectionsPerProxy (512): invalid, so the valid wait and credentials in the same edit are refused.
        pool.modified(config("maxConnectionsPerGroup", 600, "waitTimeoutMillis", 100, "proxyCredentials",
                credentials));
        PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
        Future<UpstreamLease> waiting = acquire(pool, key, harness.loop, events);
        assertEquals(List.of("waiting maxConnectionsPerGroup 1"), events.seen);
        assertFalse("the old 60 s wait, not the refused 100 ms", waiting.await(600));
        UpstreamLease proxied = await(acquire(pool, viaProxy, harness.loop));
        assertEquals("no credentials from the refused edit", Map.of(), proxied.requestHeaders());
        harness.onLoop(lent::release);
        assertSame(lent.channel(), await(waiting).channel());
        // A valid edit brings them, for the next lease.
        pool.modified(config("maxConnectionsPerGroup", 1, "proxyCredentials", credentials));
        assertEquals(Map.of(), proxied.requestHeaders());
        harness.onLoop(proxied::close);
        UpstreamLease next = await(acquire(pool, viaProxy, harness.loop));
        assertEquals(Map.of("proxy-authorization", "Basic YWxpY2U6czNjcmV0LXB3"), next.requestHeaders());
    }

    @Test
    public void aLeaseLentBeforeDeactivateStillWorksAndItsReleaseClosesTheConnection() throws Exception {
        PooledConnections pool = harness.pool();
        UpstreamLease lease = await(acquire(pool, key, harness.loop));
        pool.deactivate();
        assertEquals("still serving", roundTrip(lease.channel(), "still serving"));
        harness.onLoop(lease::release);
        assertTrue("a stopped pool keeps nothing idle", lease.channel().closeFuture().await(5, TimeUnit.SECONDS));
        eventually("the connection left the books", () -> countersOf(pool, key).active() == 0);
        assertEquals(0, countersOf(pool, key).idle());
    }

    @Test
    public void aRequestQueuedBeforeDeactivateIsServedWhenALentConnectionIsReleased() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 1);
        UpstreamLease lent = await(acquire(pool, key, harness.loop));
        Future<UpstreamLease> queued = acquire(pool, key, harness.loop);
        pool.deactivate();
        assertFalse(queued.await(200));
        harness.onLoop(lent::release);
        UpstreamLease served = await(queued);
        assertFalse("the released connection closed; the waiter got a new one", served.reused());
        assertNotSame(lent.channel(), served.channel());
        assertTrue(lent.channel().closeFuture().await(5, TimeUnit.SECONDS));
        assertEquals("served", roundTrip(served.channel(), "served"));
        assertEquals(2, countersOf(pool, key).created());
        harness.onLoop(served::release);
        assertTrue(served.channel().closeFuture().await(5, TimeUnit.SECONDS));
    }

    @Test
    public void idleConnectionsCloseAtOnceOnDeactivate() throws Exception {
        PooledConnections pool = harness.pool();
        UpstreamLease lease = await(acquire(pool, key, harness.loop));
        harness.onLoop(lease::release);
        assertEquals(1, countersOf(pool, key).idle());
        pool.deactivate();
        assertTrue(lease.channel().closeFuture().await(5, TimeUnit.SECONDS));
        assertEquals(0, countersOf(pool, key).idle());
    }

    @Test
    public void atTheDrainDeadlineAQueuedRequestFailsAndALentConnectionCloses() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 1, "drainTimeoutSeconds", 1);
        UpstreamLease lent = await(acquire(pool, key, harness.loop));
        Future<UpstreamLease> queued = acquire(pool, key, harness.loop);
        long start = System.nanoTime();
        pool.deactivate();
        ConnectJobException e = failure(queued);
        long waited = System.nanoTime() - start;
        assertTrue("failed at the 1 s deadline, not at once: " + waited, waited > TimeUnit.MILLISECONDS.toNanos(900));
        assertEquals(ProxyErrorType.PROXY_INTERNAL_ERROR, e.errorType());
        assertEquals("the connection pool (dev.ferry.pool) stopped before a connection to " + key + " was made",
                e.getMessage());
        assertTrue(lent.channel().closeFuture().await(5, TimeUnit.SECONDS));
        eventually("nothing left in the books", () -> countersOf(pool, key).active() == 0
                && countersOf(pool, key).waiting() == 0);
    }

    @Test
    public void aRequestReachingAStoppedPoolIsServedUntilTheDrainDeadlineAndFailsAfter() throws Exception {
        PooledConnections pool = harness.pool("drainTimeoutSeconds", 1);
        pool.deactivate();
        // It reached this pool as it stopped (the engine had not seen the new one yet): served, not failed.
        UpstreamLease late = await(acquire(pool, key, harness.loop));
        UpstreamLease lateTunnel = await(tunnel(pool, key, harness.loop));
        eventually("both connections reached the origin", () -> origin.accepted.get() == 2);
        late.release();
        lateTunnel.close();
        Thread.sleep(1500);
        assertEquals(ProxyErrorType.PROXY_INTERNAL_ERROR, failure(acquire(pool, key, harness.loop)).errorType());
        ConnectJobException e = failure(tunnel(pool, key, harness.loop));
        assertEquals(ProxyErrorType.PROXY_INTERNAL_ERROR, e.errorType());
        assertFalse(e.fallback());
        assertEquals("no connection was made after the deadline", 2, origin.accepted.get());
    }
}
