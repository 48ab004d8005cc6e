package dev.ferry.pool.impl;

import static dev.ferry.pool.impl.PoolHarness.await;
import static dev.ferry.pool.impl.PoolHarness.countersOf;
import static dev.ferry.pool.impl.PoolHarness.failure;
import static dev.ferry.pool.impl.PoolHarness.roundTrip;
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
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** Chromium's limits, waiting, handing over, idle eviction, counters and cancellation, with real connections. */
public class PoolLimitsTest {

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
        PooledConnections pool = harness.pool();
        PoolKey key = direct("");
        List<Channel> six = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            six.add(await(pool.acquire(key, harness.loop)));
        }
        PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
        Future<Channel> seventh = pool.acquire(key, harness.loop, events);
        assertEquals(List.of("waiting maxConnectionsPerGroup 6"), events.seen);
        assertFalse(seventh.isDone());
        assertEquals(1, countersOf(pool, key).waiting());
        pool.release(six.get(0));
        assertSame(six.get(0), await(seventh));
        assertEquals(List.of("waiting maxConnectionsPerGroup 6", "reused"), events.seen);
        assertEquals("the handed-over connection works", "again", roundTrip(seventh.getNow(), "again"));
        PoolCounters c = countersOf(pool, key);
        assertEquals(6, c.active());
        assertEquals(0, c.idle());
        assertEquals(0, c.waiting());
        assertEquals(6, c.created());
        assertEquals(1, c.reused());
        assertEquals(0, c.failed());
    }

    @Test
    public void theProxyLimitCountsEveryGroupThroughTheProxyAndAClosedConnectionFreesASlot() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 2, "maxConnectionsPerProxy", 2);
        ProxyServer proxy = ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", origin.port());
        PoolKey a = new PoolKey(proxy, HostAndPort.of("a.example", 80));
        PoolKey b = new PoolKey(proxy, HostAndPort.of("b.example", 80));
        Channel a1 = await(pool.acquire(a, harness.loop));
        await(pool.acquire(a, harness.loop));
        PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
        Future<Channel> forB = pool.acquire(b, harness.loop, events);
        assertEquals(List.of("waiting maxConnectionsPerProxy 2"), events.seen);
        // DIRECT does not count against the proxy.
        await(pool.acquire(direct(""), harness.loop));
        a1.close();
        Channel b1 = await(forB);
        assertNotSame(a1, b1);
        assertEquals(1, countersOf(pool, b).created());
        assertEquals(1, countersOf(pool, a).active());
    }

    @Test
    public void aRequestOverTheTotalLimitFailsAfterTheWaitTimeout() throws Exception {
        PooledConnections pool = harness.pool("maxConnections", 2, "maxConnectionsPerProxy", 2,
                "maxConnectionsPerGroup", 2, "waitTimeoutMillis", 200);
        await(pool.acquire(direct("p1"), harness.loop));
        await(pool.acquire(direct("p1"), harness.loop));
        ConnectJobException e = failure(pool.acquire(direct("p2"), harness.loop));
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
        Channel first = await(pool.acquire(direct("p1"), harness.loop));
        harness.onLoop(() -> pool.release(first));
        Channel second = await(pool.acquire(direct("p2"), harness.loop));
        assertTrue("the idle one was closed", first.closeFuture().await(5, TimeUnit.SECONDS));
        assertEquals("new", roundTrip(second, "new"));
        assertEquals(0, countersOf(pool, direct("p1")).idle());
    }

    @Test
    public void aWaiterOnAnotherLoopGetsRoomByClosingTheReleasedConnection() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 1);
        PoolKey key = direct("");
        Channel onFirstLoop = await(pool.acquire(key, harness.loop));
        Future<Channel> onOtherLoop = pool.acquire(key, harness.otherLoop);
        pool.release(onFirstLoop);
        Channel made = await(onOtherLoop);
        assertSame(harness.otherLoop, made.eventLoop());
        assertTrue(onFirstLoop.closeFuture().await(5, TimeUnit.SECONDS));
        assertEquals(2, countersOf(pool, key).created());
    }

    @Test
    public void idleConnectionsAreReusedOnlyOnTheirOwnLoop() throws Exception {
        PooledConnections pool = harness.pool();
        PoolKey key = direct("");
        Channel first = await(pool.acquire(key, harness.loop));
        harness.onLoop(() -> pool.release(first));
        Channel elsewhere = await(pool.acquire(key, harness.otherLoop));
        assertNotSame(first, elsewhere);
        PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
        assertSame(first, await(pool.acquire(key, harness.loop, events)));
        assertEquals(List.of("reused"), events.seen);
        assertTrue("the idle watcher left", first.pipeline().get(IdleConnectionHandler.NAME) == null);
    }

    @Test
    public void idleConnectionsTimeOut() throws Exception {
        PooledConnections pool = harness.pool("idleTimeoutSeconds", 1);
        Channel ch = await(pool.acquire(direct(""), harness.loop));
        harness.onLoop(() -> pool.release(ch));
        assertEquals(1, countersOf(pool, direct("")).idle());
        assertTrue(ch.closeFuture().await(5, TimeUnit.SECONDS));
        assertEquals(0, countersOf(pool, direct("")).idle());
    }

    @Test
    public void anIdleConnectionThePeerClosesLeavesThePool() throws Exception {
        PooledConnections pool = harness.pool();
        Channel ch = await(pool.acquire(direct(""), harness.loop));
        assertEquals("the origin serves it", "x", roundTrip(ch, "x"));
        harness.onLoop(() -> pool.release(ch));
        origin.closeConnections();
        assertTrue(ch.closeFuture().await(5, TimeUnit.SECONDS));
        Channel fresh = await(pool.acquire(direct(""), harness.loop));
        assertNotSame(ch, fresh);
        assertEquals(2, countersOf(pool, direct("")).created());
        assertEquals(0, countersOf(pool, direct("")).reused());
    }

    @Test
    public void aCancelledWaiterLeavesTheQueue() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 1);
        Channel ch = await(pool.acquire(direct(""), harness.loop));
        Future<Channel> waiting = pool.acquire(direct(""), harness.loop);
        assertEquals(1, countersOf(pool, direct("")).waiting());
        harness.onLoop(() -> assertTrue(waiting.cancel(false)));
        assertEquals(0, countersOf(pool, direct("")).waiting());
        harness.onLoop(() -> pool.release(ch));
        assertEquals("nobody waits for it any more", 1, countersOf(pool, direct("")).idle());
    }

    @Test
    public void aCancelledConnectJobClosesWhatItMadeAndFreesItsSlot() throws Exception {
        try (ScriptedProxy silent = new ScriptedProxy(ScriptedProxy.Script.SILENT, null)) {
            PooledConnections pool = harness.pool("maxConnectionsPerGroup", 1);
            PoolKey key = new PoolKey(ProxyServer.of(ProxyServer.Scheme.HTTP, "127.0.0.1", silent.port()),
                    new GroupId("https", HostAndPort.of("127.0.0.1", origin.port()), ""));
            Future<Channel> job = pool.acquire(key, harness.loop);
            assertTrue(silent.headSeen.await(5, TimeUnit.SECONDS));
            assertTrue(job.cancel(false));
            assertTrue("the proxy connection was closed", silent.peerClosed.await(5, TimeUnit.SECONDS));
            PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
            Future<Channel> next = pool.acquire(key, harness.loop, events);
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
            Future<Channel> tunnel = harness.pool().connectTunnel(key, harness.loop);
            assertTrue(silent.headSeen.await(5, TimeUnit.SECONDS));
            assertTrue(tunnel.cancel(false));
            assertTrue(silent.peerClosed.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    public void tunnelsAreNotLimited() throws Exception {
        PooledConnections pool = harness.pool("maxConnections", 1, "maxConnectionsPerProxy", 1,
                "maxConnectionsPerGroup", 1);
        PoolKey key = direct("");
        Channel pooled = await(pool.acquire(key, harness.loop));
        Channel t1 = await(pool.connectTunnel(key, harness.loop));
        Channel t2 = await(pool.connectTunnel(key, harness.loop));
        assertEquals("t2", roundTrip(t2, "t2"));
        assertEquals(3, countersOf(pool, key).created());
        assertEquals(1, countersOf(pool, key).active());
        pooled.close();
        t1.close();
        t2.close();
    }

    @Test
    public void deactivationFailsWaitersAndClosesIdleConnections() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 1);
        Channel ch = await(pool.acquire(direct("a"), harness.loop));
        Channel idle = await(pool.acquire(direct("b"), harness.loop));
        harness.onLoop(() -> pool.release(idle));
        assertEquals(1, countersOf(pool, direct("b")).idle());
        Future<Channel> waiting = pool.acquire(direct("a"), harness.loop);
        pool.deactivate();
        ConnectJobException e = failure(waiting);
        assertEquals(ProxyErrorType.PROXY_INTERNAL_ERROR, e.errorType());
        assertTrue(idle.closeFuture().await(5, TimeUnit.SECONDS));
        ch.close();
    }
}
