package dev.ferry.pool.impl;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.ferry.api.plugin.TunnelResponse;
import dev.ferry.api.upstream.ConnectEvents;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.api.upstream.PoolCounters;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.transport.impl.NettyTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.osgi.util.converter.Converters;

/** The real NettyTransport (NIO, two loops), pools built from config maps, and helpers to wait and talk. */
final class PoolHarness implements Closeable {

    final NettyTransport transport;
    final EventLoop loop;
    final EventLoop otherLoop;
    private final List<PooledConnections> pools = new ArrayList<>();

    PoolHarness() {
        Map<String, Object> config = Map.of("nativeTransport", false, "eventLoopThreads", 2, "resolverThreads", 1);
        transport = new NettyTransport(Converters.standardConverter().convert(config).to(NettyTransport.Config.class));
        loop = transport.eventLoops().next();
        EventLoop next = transport.eventLoops().next();
        otherLoop = next == loop ? transport.eventLoops().next() : next;
    }

    /** Runs {@code task} on the main test loop and waits for it, as the engine calls the pool from its loop. */
    void onLoop(Runnable task) {
        loop.submit(task).syncUninterruptibly();
    }

    static PooledConnections.Config config(Object... keyValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return Converters.standardConverter().convert(map).to(PooledConnections.Config.class);
    }

    PooledConnections pool(Object... keyValues) {
        PooledConnections pool = new PooledConnections(transport, config(keyValues));
        pools.add(pool);
        return pool;
    }

    /** An HTTP connection without a client codec (the caller sets the pipeline up), as before codecs came in. */
    static Future<UpstreamLease> acquire(PooledConnections pool, PoolKey key, EventLoop loop) {
        return pool.acquire(key, loop, null, null);
    }

    static Future<UpstreamLease> acquire(PooledConnections pool, PoolKey key, EventLoop loop, ConnectEvents events) {
        return pool.acquire(key, loop, events, null);
    }

    static Future<UpstreamLease> tunnel(PooledConnections pool, PoolKey key, EventLoop loop) {
        return pool.connectTunnel(key, loop, null);
    }

    static Future<UpstreamLease> tunnel(PooledConnections pool, PoolKey key, EventLoop loop, ConnectEvents events) {
        return pool.connectTunnel(key, loop, events);
    }

    /** Waits up to 5 s for {@code condition} (closes and the books they update happen on the event loops). */
    static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within 5 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** A loopback port nobody listens on (just closed). */
    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static <T> T await(Future<T> future) throws InterruptedException {
        assertTrue("no result within 10 s", future.await(10, TimeUnit.SECONDS));
        if (!future.isSuccess()) {
            throw new AssertionError("failed: " + future.cause(), future.cause());
        }
        return future.getNow();
    }

    static ConnectJobException failure(Future<?> future) throws InterruptedException {
        assertTrue("no result within 10 s", future.await(10, TimeUnit.SECONDS));
        if (future.isSuccess()) {
            fail("expected a failure, got " + future.getNow());
        }
        if (!(future.cause() instanceof ConnectJobException)) {
            throw new AssertionError("not a ConnectJobException: " + future.cause(), future.cause());
        }
        return (ConnectJobException) future.cause();
    }

    /** Sends {@code text} and waits until as many bytes came back (through an echo origin). */
    static String roundTrip(Channel ch, String text) throws Exception {
        CompletableFuture<String> answer = new CompletableFuture<>();
        StringBuilder got = new StringBuilder();
        ChannelInboundHandlerAdapter reader = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf buf = (ByteBuf) msg;
                got.append(buf.toString(StandardCharsets.US_ASCII));
                buf.release();
                if (got.length() >= text.length()) {
                    answer.complete(got.toString());
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                answer.complete("closed after '" + got + "'");
            }
        };
        ch.pipeline().addLast("test-reader", reader);
        try {
            ch.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
            return answer.get(10, TimeUnit.SECONDS);
        } finally {
            if (ch.pipeline().get("test-reader") != null) {
                ch.pipeline().remove("test-reader");
            }
        }
    }

    static PoolCounters countersOf(PooledConnections pool, PoolKey key) {
        return pool.counters().stream().filter(c -> c.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no counters for " + key + " in " + pool.counters()));
    }

    /** Records the events of one request as short strings: "started TCP 127.0.0.1:1234", "done TCP", ... */
    static final class RecordingEvents implements ConnectEvents {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final List<TunnelResponse> responses = new CopyOnWriteArrayList<>();

        @Override
        public void reused(PoolKey key) {
            seen.add("reused");
        }

        @Override
        public void waiting(PoolKey key, String limit) {
            seen.add("waiting " + limit);
        }

        @Override
        public void stageStarted(PoolKey key, ConnectStage stage, String target) {
            seen.add("started " + stage + " " + target);
        }

        @Override
        public void stageDone(PoolKey key, ConnectStage stage, long nanos) {
            seen.add("done " + stage);
        }

        @Override
        public void tunnelResponse(PoolKey key, TunnelResponse response) {
            responses.add(response);
            seen.add("response " + response.status());
        }
    }

    @Override
    public void close() {
        pools.forEach(PooledConnections::deactivate);
        transport.eventLoops().shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
