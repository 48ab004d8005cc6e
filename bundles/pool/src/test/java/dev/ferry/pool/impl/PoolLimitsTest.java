package dev.ferry.pool.impl;

import static dev.ferry.pool.impl.PoolHarness.acquire;
import static dev.ferry.pool.impl.PoolHarness.await;
import static dev.ferry.pool.impl.PoolHarness.countersOf;
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
import dev.ferry.api.upstream.PoolCounters;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.testing.LeakCheck;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** Chromium's limits, waiting, handing over, idle eviction, counters and cancellation, with real connections. */
public class PoolLimitsTest {

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

    private PoolKey direct(String partition) {
        return new PoolKey(ProxyServer.DIRECT, new GroupId("http", HostAndPort.of("127.0.0.1", origin.port()),
                partition));
    }

    @Test
    public void theSeventhRequestOfAGroupWaitsForTheFirstReleasedConnection() throws Exception {
        // A browser's limit, set here: the shipped default (128) is a server's.
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 6);
        PoolKey key = direct("");
        List<UpstreamLease> six = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            six.add(await(acquire(pool, key, harness.loop)));
        }
        assertEquals("six served at once", 0, countersOf(pool, key).queued());
        PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
        Future<UpstreamLease> seventh = acquire(pool, key, harness.loop, events);
        assertEquals(List.of("waiting maxConnectionsPerGroup 6"), events.seen);
        assertFalse(seventh.isDone());
        assertEquals(1, countersOf(pool, key).waiting());
        six.get(0).release();
        assertSame(six.get(0).channel(), await(seventh).channel());
        assertTrue(seventh.getNow().reused());
        assertEquals(List.of("waiting maxConnectionsPerGroup 6", "reused"), events.seen);
        assertEquals("the handed-over connection works", "again", roundTrip(seventh.getNow().channel(), "again"));
        PoolCounters c = countersOf(pool, key);
        assertEquals(6, c.active());
        assertEquals(0, c.idle());
        assertEquals(0, c.waiting());
        assertEquals(6, c.created());
        assertEquals(1, c.reused());
        assertEquals(0, c.failed());
        assertEquals("the seventh waited, and stays counted once served", 1, c.queued());
    }

    @Test
    public void theProxyLimitCountsEveryGroupThroughTheProxyAndAClosedConnectionFreesASlot() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 2, "maxConnectionsPerProxy", 2);
        ProxyServer proxy = ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", origin.port());
        PoolKey a = new PoolKey(proxy, HostAndPort.of("a.example", 80));
        PoolKey b = new PoolKey(proxy, HostAndPort.of("b.example", 80));
        Channel a1 = await(acquire(pool, a, harness.loop)).channel();
        await(acquire(pool, a, harness.loop));
        PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
        Future<UpstreamLease> forB = acquire(pool, b, harness.loop, events);
        assertEquals(List.of("waiting maxConnectionsPerProxy 2"), events.seen);
        // DIRECT does not count against the proxy.
        await(acquire(pool, direct(""), harness.loop));
        a1.close();
        Channel b1 = await(forB).channel();
        assertNotSame(a1, b1);
        assertEquals(1, countersOf(pool, b).created());
        assertEquals(1, countersOf(pool, a).active());
    }

    @Test
    public void aRequestOverTheTotalLimitFailsAfterTheWaitTimeout() throws Exception {
        PooledConnections pool = harness.pool("maxConnections", 2, "maxConnectionsPerProxy", 2,
                "maxConnectionsPerGroup", 2, "waitTimeoutMillis", 200);
        await(acquire(pool, direct("p1"), harness.loop));
        await(acquire(pool, direct("p1"), harness.loop));
        ConnectJobException e = failure(acquire(pool, direct("p2"), harness.loop));
        assertEquals(ProxyErrorType.CONNECTION_LIMIT_REACHED, e.errorType());
        assertFalse(e.fallback());
        assertEquals("waited 200 ms for a connection to " + direct("p2") + ": maxConnections 2 reached",
                e.getMessage());
        PoolCounters c = countersOf(pool, direct("p2"));
        assertEquals(1, c.failed());
        assertEquals(0, c.waiting());
    }

    @Test
    public void anIdleConnectionOfAnotherGroupIsClosedToMakeRoom() throws Exception {
        PooledConnections pool = harness.pool("maxConnections", 1, "maxConnectionsPerProxy", 1,
                "maxConnectionsPerGroup", 1);
        UpstreamLease first = await(acquire(pool, direct("p1"), harness.loop));
        harness.onLoop(first::release);
        Channel second = await(acquire(pool, direct("p2"), harness.loop)).channel();
        assertTrue("the idle one was closed", first.channel().closeFuture().await(5, TimeUnit.SECONDS));
        assertEquals("new", roundTrip(second, "new"));
        assertEquals(0, countersOf(pool, direct("p1")).idle());
    }

    @Test
    public void aWaiterOnAnotherLoopGetsRoomByClosingTheReleasedConnection() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 1);
        PoolKey key = direct("");
        UpstreamLease onFirstLoop = await(acquire(pool, key, harness.loop));
        Future<UpstreamLease> onOtherLoop = acquire(pool, key, harness.otherLoop);
        onFirstLoop.release();
        Channel made = await(onOtherLoop).channel();
        assertSame(harness.otherLoop, made.eventLoop());
        assertTrue(onFirstLoop.channel().closeFuture().await(5, TimeUnit.SECONDS));
        assertEquals(2, countersOf(pool, key).created());
    }

    @Test
    public void idleConnectionsAreReusedOnlyOnTheirOwnLoop() throws Exception {
        PooledConnections pool = harness.pool();
        PoolKey key = direct("");
        UpstreamLease first = await(acquire(pool, key, harness.loop));
        harness.onLoop(first::release);
        Channel elsewhere = await(acquire(pool, key, harness.otherLoop)).channel();
        assertNotSame(first.channel(), elsewhere);
        PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
        assertSame(first.channel(), await(acquire(pool, key, harness.loop, events)).channel());
        assertEquals(List.of("reused"), events.seen);
        assertTrue("the idle watcher left", first.channel().pipeline().get(IdleConnectionHandler.NAME) == null);
    }

    @Test
    public void idleConnectionsTimeOut() throws Exception {
        PooledConnections pool = harness.pool("idleTimeoutSeconds", 1);
        UpstreamLease lease = await(acquire(pool, direct(""), harness.loop));
        harness.onLoop(lease::release);
        assertEquals(1, countersOf(pool, direct("")).idle());
        assertTrue(lease.channel().closeFuture().await(5, TimeUnit.SECONDS));
        assertEquals(0, countersOf(pool, direct("")).idle());
    }

    @Test
    public void anIdleConnectionThePeerClosesLeavesThePool() throws Exception {
        PooledConnections pool = harness.pool();
        UpstreamLease lease = await(acquire(pool, direct(""), harness.loop));
        Channel ch = lease.channel();
        assertEquals("the origin serves it", "x", roundTrip(ch, "x"));
        harness.onLoop(lease::release);
        origin.closeConnections();
        assertTrue(ch.closeFuture().await(5, TimeUnit.SECONDS));
        UpstreamLease fresh = await(acquire(pool, direct(""), harness.loop));
        assertNotSame(ch, fresh.channel());
        assertFalse(fresh.reused());
        assertEquals(2, countersOf(pool, direct("")).created());
        assertEquals(0, countersOf(pool, direct("")).reused());
    }

    @Test
    public void aCancelledWaiterLeavesTheQueue() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 1);
        UpstreamLease lease = await(acquire(pool, direct(""), harness.loop));
        Future<UpstreamLease> waiting = acquire(pool, direct(""), harness.loop);
        assertEquals(1, countersOf(pool, direct("")).waiting());
        harness.onLoop(() -> assertTrue(waiting.cancel(false)));
        assertEquals(0, countersOf(pool, direct("")).waiting());
        harness.onLoop(lease::release);
        assertEquals("nobody waits for it any more", 1, countersOf(pool, direct("")).idle());
    }

    @Test
    public void aCancelledConnectJobClosesWhatItMadeAndFreesItsSlot() throws Exception {
        try (ScriptedProxy silent = new ScriptedProxy(ScriptedProxy.Script.SILENT, null)) {
            PooledConnections pool = harness.pool("maxConnectionsPerGroup", 1);
            PoolKey key = new PoolKey(ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", silent.port()),
                    new GroupId("https", HostAndPort.of("127.0.0.1", origin.port()), ""));
            Future<UpstreamLease> job = acquire(pool, key, harness.loop);
            assertTrue(silent.headSeen.await(5, TimeUnit.SECONDS));
            assertTrue(job.cancel(false));
            assertTrue("the proxy connection was closed", silent.peerClosed.await(5, TimeUnit.SECONDS));
            PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
            Future<UpstreamLease> next = acquire(pool, key, harness.loop, events);
            assertFalse("the slot was free again: " + events.seen, events.seen.contains("waiting"));
            next.cancel(false);
            assertEquals(0, countersOf(pool, key).failed());
        }
    }

    @Test
    public void aCancelledTunnelClosesItsConnection() throws Exception {
        try (ScriptedProxy silent = new ScriptedProxy(ScriptedProxy.Script.SILENT, null)) {
            PoolKey key = new PoolKey(ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", silent.port()),
                    new GroupId("https", HostAndPort.of("127.0.0.1", origin.port()), ""));
            Future<UpstreamLease> job = tunnel(harness.pool(), key, harness.loop);
            assertTrue(silent.headSeen.await(5, TimeUnit.SECONDS));
            assertTrue(job.cancel(false));
            assertTrue(silent.peerClosed.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    public void tunnelsAreNotLimited() throws Exception {
        PooledConnections pool = harness.pool("maxConnections", 1, "maxConnectionsPerProxy", 1,
                "maxConnectionsPerGroup", 1);
        PoolKey key = direct("");
        UpstreamLease pooled = await(acquire(pool, key, harness.loop));
        UpstreamLease t1 = await(tunnel(pool, key, harness.loop));
        UpstreamLease t2 = await(tunnel(pool, key, harness.loop));
        assertEquals("t2", roundTrip(t2.channel(), "t2"));
        assertEquals(3, countersOf(pool, key).created());
        assertEquals(1, countersOf(pool, key).active());
        pooled.close();
        t1.close();
        t2.close();
    }

    @Test
    public void deactivationClosesIdleConnectionsAtOnceAndFailsWaitersAtTheDrainDeadline() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 1, "drainTimeoutSeconds", 1);
        UpstreamLease lent = await(acquire(pool, direct("a"), harness.loop));
        UpstreamLease idle = await(acquire(pool, direct("b"), harness.loop));
        harness.onLoop(idle::release);
        assertEquals(1, countersOf(pool, direct("b")).idle());
        Future<UpstreamLease> waiting = acquire(pool, direct("a"), harness.loop);
        pool.deactivate();
        assertTrue(idle.channel().closeFuture().await(5, TimeUnit.SECONDS));
        assertFalse("a queued request may still be served while the pool drains", waiting.isDone());
        ConnectJobException e = failure(waiting);
        assertEquals(ProxyErrorType.PROXY_INTERNAL_ERROR, e.errorType());
        assertTrue("the lent connection closes at the deadline",
                lent.channel().closeFuture().await(5, TimeUnit.SECONDS));
    }
}
