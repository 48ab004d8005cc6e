package dev.ferry.api.spi;

import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closing a connection later, and ending one after an error answer without losing the answer.
 *
 * <p>A timer that closes a connection holds it until the timer fires, also when the connection closed long before:
 * with thousands of connections ending at once (a burst of refusals at the open files limit, a listener draining) that
 * is thousands of dead connections kept in memory for the length of the timer. The timers here are cancelled when the
 * connection closes, so a closed connection is never held by one.
 */
public final class LingeringClose {

    private LingeringClose() {
    }

    /** Closes {@code ch} after {@code delay} unless it closes before; the timer goes when the connection does. */
    public static void closeLater(Channel ch, long delay, TimeUnit unit) {
        ScheduledFuture<?> timer = ch.eventLoop().schedule(() -> {
            ch.close();
        }, delay, unit);
        ch.closeFuture().addListener(f -> timer.cancel(false));
    }

    /**
     * Ends {@code ch} after its error answer was written: closing with unread request bytes would reset the connection
     * and take the answer with it, so the proxy stops sending (FIN) and closes when the client does, or after
     * {@code lingerSeconds}. The caller reads and drops what still comes meanwhile. A connection that is no socket
     * (a stream of a multiplexed session, whose answer already ended it) closes at once.
     */
    public static void afterAnswer(Channel ch, long lingerSeconds) {
        if (!(ch instanceof SocketChannel) || !ch.isActive()) {
            ch.close();
            return;
        }
        ((SocketChannel) ch).shutdownOutput();
        ch.config().setAutoRead(true);
        closeLater(ch, lingerSeconds, TimeUnit.SECONDS);
    }
}
