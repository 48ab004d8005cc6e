package dev.ferry.transport.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a listening socket of this transport does when it cannot accept, which is nearly always because the process is
 * out of file descriptors: it stops accepting (no spinning on a failing accept) and starts again as soon as one of the
 * transport's connections closes and so frees a descriptor, or after a second at the latest.
 *
 * <p>At the open files limit this happens after nearly every accept: the kernel takes the new descriptor before it
 * looks at the queue, so the accept after the one that took the last descriptor fails even with nobody waiting.
 * Resuming on the next close (instead of Netty's fixed one-second pause) serves a waiting client as soon as there is a
 * descriptor for it, and costs one wake-up per freed descriptor, never a loop.
 */
final class AcceptPause {

    private static final Logger LOG = LoggerFactory.getLogger(AcceptPause.class);
    private static final long FALLBACK_MILLIS = 1000;
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Set<Channel> paused = ConcurrentHashMap.newKeySet();
    private final ChannelFutureListener descriptorFreed = f -> resumeAll();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);

    /** The handler in front of a listening socket's acceptor that takes its accept failures. */
    private final ChannelHandler handler = new Handler();

    ChannelHandler handler() {
        return handler;
    }

    /** Watches a connection of this transport: its close frees a descriptor. */
    void track(Channel connection) {
        connection.closeFuture().addListener(descriptorFreed);
    }

    /** {@code server} failed to accept: stop accepting until a descriptor comes free. */
    void pause(Channel server, Throwable cause) {
        long count = failures.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLogNanos.compareAndSet(last, now)) {
            failures.set(0);
            LOG.warn("Listening socket {} cannot accept ({}); it resumes when a connection closes ({} such pauses "
                    + "in the last minute)", server.localAddress(), String.valueOf(cause), count);
        }
        if (!server.config().isAutoRead()) {
            return;
        }
        server.config().setAutoRead(false);
        paused.add(server);
        server.eventLoop().schedule(() -> resume(server), FALLBACK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void resumeAll() {
        if (paused.isEmpty()) {
            return;
        }
        for (Channel server : paused) {
            server.eventLoop().execute(() -> resume(server));
        }
    }

    private void resume(Channel server) {
        if (paused.remove(server) && server.isOpen()) {
            server.config().setAutoRead(true);
        }
    }

    @ChannelHandler.Sharable
    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            pause(ctx.channel(), cause);
        }
    }
}
