package dev.ferry.api.spi;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Event loops, listening sockets and outgoing connections. Host names are resolved off the event loops.
 */
@ProviderType
public interface Transport {

    /** The event loops that serve accepted connections and the connections made for them. */
    EventLoopGroup eventLoops();

    /**
     * Binds a listening socket; each accepted connection is set up by {@code childHandler} (typically a
     * {@link io.netty.channel.ChannelInitializer}).
     */
    ChannelFuture bind(InetSocketAddress address, ChannelHandler childHandler);

    /**
     * A listening socket on {@code address} whose accepted connections are set up by {@code childHandler}: the
     * socket a previous listener {@linkplain ListeningSocket#release released} on the same address and port, taken
     * over with the connections it holds, or a newly bound one. Completes when the socket accepts.
     */
    Future<ListeningSocket> listen(InetSocketAddress address, ChannelHandler childHandler);

    /**
     * As {@link #listen(InetSocketAddress, ChannelHandler)}, taking over {@code previous}, a socket on the same address
     * lent by another transport (the one this one replaces), by {@linkplain ListeningSocket#moveTo moving} it here:
     * no connection waiting in its accept queue is lost. Where it cannot move, a new socket is bound next to it
     * (SO_REUSEPORT); either way the caller closes {@code previous} afterwards.
     *
     * @since 2.1
     */
    default Future<ListeningSocket> listen(InetSocketAddress address, ChannelHandler childHandler,
            ListeningSocket previous) {
        return listen(address, childHandler);
    }

    /**
     * Connects to {@code address} (resolved off the event loop when unresolved) on the given event loop, so that the
     * new channel shares a thread with the connection it serves.
     *
     * @param connectTimeoutMillis how long the TCP connect may take, not counting name resolution
     */
    ChannelFuture connect(EventLoop loop, InetSocketAddress address, int connectTimeoutMillis, ChannelHandler handler);

    /** Whether the native (epoll) transport is in use rather than NIO. */
    boolean isNative();

    /** Whether {@code channel} was made by this transport (its event loops may be reused for it). */
    default boolean owns(Channel channel) {
        return channel.eventLoop().parent() == eventLoops();
    }
}
