package dev.ferry.spdy.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The session's PINGs: ours (odd ids, as SPDY/3.1 gives the client) are timed until the proxy echoes them; the
 * proxy's (even ids) are echoed at once. Event loop only.
 */
final class Pings {

    private final ChannelHandlerContext ctx;
    private final Completions completions;
    private final Map<Integer, Ping> outstanding = new HashMap<>();
    private int nextId = 1;

    private static final class Ping {
        final long sentNanos;
        final CompletableFuture<Duration> result;

        Ping(long sentNanos, CompletableFuture<Duration> result) {
            this.sentNanos = sentNanos;
            this.result = result;
        }
    }

    Pings(ChannelHandlerContext ctx, Completions completions) {
        this.ctx = ctx;
        this.completions = completions;
    }

    /** Sends a PING; {@code result} completes with the round trip when the proxy echoes it. */
    void send(CompletableFuture<Duration> result) {
        int id = nextId;
        nextId += 2;
        outstanding.put(id, new Ping(System.nanoTime(), result));
        ctx.writeAndFlush(new DefaultSpdyPingFrame(id));
    }

    /** A PING from the proxy: its own, to echo, or the echo of ours (unknown ids are ignored, as the spec says). */
    void received(int id) {
        if ((id & 1) == 0) {
            ctx.writeAndFlush(new DefaultSpdyPingFrame(id));
            return;
        }
        Ping ping = outstanding.remove(id);
        if (ping != null) {
            completions.complete(ping.result, Duration.ofNanos(System.nanoTime() - ping.sentNanos));
        }
    }

    /** The connection is gone: no echo will come. */
    void failAll(String ended) {
        for (Ping ping : outstanding.values()) {
            completions.fail(ping.result, new IOException("session ended: " + ended));
        }
        outstanding.clear();
    }
}
