package dev.ferry.transport.impl;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** The transport's resolver: names on the lookup pool, IP literals at once on the caller's thread. */
public class OffLoopResolverGroupTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private final AtomicInteger lookups = new AtomicInteger();
    /** A lookup pool that refuses every lookup: what reaches it fails, and is counted. */
    private final AddressResolver<InetSocketAddress> resolver = new OffLoopResolverGroup(task -> {
        lookups.incrementAndGet();
        throw new RejectedExecutionException("no lookups in this test");
    }).getResolver(ImmediateEventExecutor.INSTANCE);

    @Test
    public void ipLiteralsAreResolvedAtOnceWithoutTheLookupPool() throws Exception {
        Future<InetSocketAddress> v4 = resolver.resolve(InetSocketAddress.createUnresolved("127.0.0.1", 443));
        assertTrue(v4.isSuccess());
        assertArrayEquals(new byte[] {127, 0, 0, 1}, v4.getNow().getAddress().getAddress());
        assertEquals(443, v4.getNow().getPort());

        Future<List<InetSocketAddress>> v6 = resolver.resolveAll(InetSocketAddress.createUnresolved("::1", 80));
        assertTrue(v6.isSuccess());
        assertEquals(1, v6.getNow().size());
        assertTrue(v6.getNow().get(0).getAddress().isLoopbackAddress());
        assertEquals(0, lookups.get());
    }

    @Test
    public void namesGoToTheLookupPool() {
        Future<InetSocketAddress> name = resolver.resolve(InetSocketAddress.createUnresolved("localhost", 80));
        assertTrue(name.cause() instanceof RejectedExecutionException);
        assertEquals(1, lookups.get());
    }
}
