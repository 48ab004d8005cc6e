package dev.ferry.api.spi;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A listening socket owned by the {@link Transport}, lent to the listener that asked for it. A listener that goes
 * away for a moment (its bundle updated or restarted) releases it rather than closing it: the socket keeps accepting,
 * holds the new connections unread, and hands them and itself to the next listener that asks for the same address,
 * so that a restart refuses no connection.
 */
@ProviderType
public interface ListeningSocket {

    /** The bound address (the real port when 0 was asked for). */
    InetSocketAddress localAddress();

    /**
     * Keeps the socket for a successor for up to {@code handoverMillis}: connections accepted meanwhile wait, unread,
     * for it. When none comes, the socket and those connections close. The connections accepted before are not
     * touched: they belong to the listener that accepted them.
     */
    void release(long handoverMillis);

    /** Stops accepting now and closes the socket; connections accepted before are not touched. */
    void close();

    /**
     * Moves the socket itself (the open file descriptor, with the connections waiting in its accept queue) to another
     * transport: it leaves this transport's event loop, {@code acceptor} replaces this transport's handlers on it and
     * it is registered on {@code loop}. Completes with the moved server channel; fails, leaving the socket as it was,
     * when {@code loop} cannot take it (another kind of transport, or this socket is no longer lent). After a move,
     * {@link #close()} and {@link #release(long)} no longer touch the socket. Connections accepted before the move stay
     * on this transport.
     *
     * @since 2.1
     */
    default Future<Channel> moveTo(EventLoop loop, ChannelHandler acceptor) {
        return GlobalEventExecutor.INSTANCE.newFailedFuture(
                new UnsupportedOperationException("this transport cannot move its listening sockets"));
    }
}
