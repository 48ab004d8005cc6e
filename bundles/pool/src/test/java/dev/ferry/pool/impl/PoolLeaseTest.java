package dev.ferry.pool.impl;

import static dev.ferry.pool.impl.PoolHarness.acquire;
import static dev.ferry.pool.impl.PoolHarness.await;
import static dev.ferry.pool.impl.PoolHarness.countersOf;
import static dev.ferry.pool.impl.PoolHarness.eventually;
import static dev.ferry.pool.impl.PoolHarness.failure;
import static dev.ferry.pool.impl.PoolHarness.roundTrip;
import static dev.ferry.pool.impl.PoolHarness.tunnel;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.testing.LeakCheck;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** What a lease does besides release and close: one retry on a fresh connection, and the client codec. */
public class PoolLeaseTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String CODEC = "test-codec";

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

    /** Retries on the connection's loop, as the engine does. */
    private Future<UpstreamLease> retry(UpstreamLease lease) {
        return lease.channel().eventLoop().submit(lease::retry).syncUninterruptibly().getNow();
    }

    @Test
    public void aRetryOfAReusedLeaseGetsAFreshConnectionEvenWithAnIdleOneThere() throws Exception {
        PooledConnections pool = harness.pool();
        UpstreamLease a = await(acquire(pool, key, harness.loop));
        UpstreamLease b = await(acquire(pool, key, harness.loop));
        harness.onLoop(a::release);
        harness.onLoop(b::release);
        UpstreamLease reused = await(acquire(pool, key, harness.loop));
        assertTrue(reused.reused());
        assertSame("the most recently used", b.channel(), reused.channel());
        assertEquals(1, countersOf(pool, key).idle());
        UpstreamLease fresh = await(retry(reused));
        assertFalse(fresh.reused());
        assertNotSame("not the idle one", a.channel(), fresh.channel());
        assertNotSame(b.channel(), fresh.channel());
        assertTrue("the lost connection is closed", b.channel().closeFuture().await(5, TimeUnit.SECONDS));
        assertTrue(a.channel().isActive());
        assertEquals("fresh", roundTrip(fresh.channel(), "fresh"));
        eventually("one active, one idle", () -> countersOf(pool, key).active() == 1
                && countersOf(pool, key).idle() == 1);
        assertEquals(3, countersOf(pool, key).created());
        assertEquals(1, countersOf(pool, key).reused());
    }

    @Test
    public void aRetriedLeaseCannotRetryAgainAndNeitherCanATunnel() throws Exception {
        PooledConnections pool = harness.pool();
        UpstreamLease first = await(acquire(pool, key, harness.loop));
        UpstreamLease second = await(retry(first));
        assertNotSame(first.channel(), second.channel());
        Future<UpstreamLease> third = retry(second);
        assertTrue(third.await(5, TimeUnit.SECONDS));
        assertTrue(String.valueOf(third.cause()), third.cause() instanceof IllegalStateException);
        assertTrue(third.cause().getMessage(), third.cause().getMessage().startsWith("one retry per request"));
        assertTrue("the retry still ends the lease", second.channel().closeFuture().await(5, TimeUnit.SECONDS));
        eventually("nothing active", () -> countersOf(pool, key).active() == 0);
        assertEquals("no third connection", 2, countersOf(pool, key).created());

        UpstreamLease raw = await(tunnel(pool, key, harness.loop));
        Future<UpstreamLease> again = retry(raw);
        assertTrue(again.await(5, TimeUnit.SECONDS));
        assertTrue(String.valueOf(again.cause()), again.cause() instanceof IllegalStateException);
        assertTrue(raw.channel().closeFuture().await(5, TimeUnit.SECONDS));
    }

    @Test
    public void aRetryOnADeactivatedPoolStillSucceeds() throws Exception {
        PooledConnections pool = harness.pool();
        UpstreamLease lease = await(acquire(pool, key, harness.loop));
        pool.deactivate();
        UpstreamLease fresh = await(retry(lease));
        assertFalse(fresh.reused());
        assertNotSame(lease.channel(), fresh.channel());
        assertEquals("retried", roundTrip(fresh.channel(), "retried"));
        harness.onLoop(fresh::release);
        assertTrue("a stopped pool closes what comes back", fresh.channel().closeFuture().await(5, TimeUnit.SECONDS));
    }

    @Test
    public void aQueuedRetryGetsRoomByClosingAnIdleConnectionOfItsOwnLoop() throws Exception {
        PooledConnections pool = harness.pool("maxConnectionsPerGroup", 2, "waitTimeoutMillis", 5000);
        UpstreamLease a = await(acquire(pool, key, harness.loop));
        UpstreamLease b = await(acquire(pool, key, harness.loop));
        harness.onLoop(b::release);
        // The peer closes a's connection; before a's exchange retries, two requests fill the group again.
        harness.onLoop(() -> a.channel().close());
        UpstreamLease n = await(acquire(pool, key, harness.loop));
        UpstreamLease m = await(acquire(pool, key, harness.loop));
        assertTrue(n.reused());
        Future<UpstreamLease> retried = retry(a);
        assertFalse("the group is full", retried.await(200));
        harness.onLoop(n::release);
        harness.onLoop(m::release);
        assertTrue("an idle connection is closed for the retry", retried.await(2, TimeUnit.SECONDS));
        assertFalse(await(retried).reused());
        assertEquals(1, countersOf(pool, key).idle());
    }

    @Test
    public void aNewConnectionGetsTheCodecConfiguredOnce() throws Exception {
        CountingCodec codec = new CountingCodec();
        UpstreamLease lease = await(harness.pool().acquire(key, harness.loop, null, codec));
        assertEquals(1, codec.configured.size());
        assertSame(lease.channel().pipeline(), codec.configured.get(0));
        assertNotNull("on the pipeline before the lease is handed out", lease.channel().pipeline().get(CODEC));
        assertEquals("the codec passes bytes", "via codec", roundTrip(lease.channel(), "via codec"));
    }

    @Test
    public void aReusedConnectionKeepsItsCodecAndIsNotConfiguredAgain() throws Exception {
        PooledConnections pool = harness.pool();
        CountingCodec codec = new CountingCodec();
        UpstreamLease first = await(pool.acquire(key, harness.loop, null, codec));
        harness.onLoop(first::release);
        UpstreamLease again = await(pool.acquire(key, harness.loop, null, codec));
        assertTrue(again.reused());
        assertSame(first.channel(), again.channel());
        harness.onLoop(again::release);
        CountingCodec other = new CountingCodec();
        UpstreamLease third = await(pool.acquire(key, harness.loop, null, other));
        assertSame(first.channel(), third.channel());
        assertEquals(1, codec.configured.size());
        assertEquals("a reused connection has the codec it was made with", 0, other.configured.size());
        assertEquals(1, third.channel().pipeline().names().stream().filter(CODEC::equals).count());
        assertEquals("reused", roundTrip(third.channel(), "reused"));
    }

    @Test
    public void aRetrysFreshConnectionGetsTheCodecTheLostOneWasMadeWith() throws Exception {
        PooledConnections pool = harness.pool();
        CountingCodec codec = new CountingCodec();
        UpstreamLease first = await(pool.acquire(key, harness.loop, null, codec));
        UpstreamLease fresh = await(retry(first));
        assertEquals(2, codec.configured.size());
        assertSame(fresh.channel().pipeline(), codec.configured.get(1));
        assertNotNull(fresh.channel().pipeline().get(CODEC));
    }

    /** Records every pipeline it configures and adds a pass-through handler named {@value #CODEC}. */
    private static final class CountingCodec implements ClientCodec {
        final List<ChannelPipeline> configured = new CopyOnWriteArrayList<>();

        @Override
        public String protocol() {
            return "http/1.1";
        }

        @Override
        public void configure(ChannelPipeline pipeline) {
            configured.add(pipeline);
            pipeline.addLast(CODEC, new ChannelDuplexHandler());
        }
    }
}
