package dev.ferry.engine.impl;

import dev.ferry.api.codec.ListenerClosing;
import dev.ferry.api.spi.LingeringClose;
import dev.ferry.api.spi.ListeningSocket;
import dev.ferry.api.spi.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bound listening socket and the connections it accepted. A listener has one at a time; when it re-binds, the
 * old one stops accepting and its connections drain: each finishes the exchange in flight and closes (SPDY sessions
 * get GOAWAY), and whatever is still open after the drain timeout is closed.
 */
final class ListenerSocket {

    /** Sets up one accepted connection. */
    interface Acceptor {
        void accept(Channel connection, ListenerSocket acceptedBy);
    }

    private static final Logger LOG = LoggerFactory.getLogger(ListenerSocket.class);
    /** How long a retired socket still accepts, for clients that have not yet heard of the move. */
    private static final long RETIRE_GRACE_MILLIS = 2000;

    private final String name;
    private final boolean tls;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private ListeningSocket server;
    /** The drain time once the socket closed, -1 while it accepts. */
    private volatile int drainSeconds = -1;
    /** What its connections are told when it closes. */
    private volatile ListenerClosing closing = ListenerClosing.INSTANCE;

    private ListenerSocket(String name, boolean tls) {
        this.name = name;
        this.tls = tls;
    }

    /** @throws IllegalStateException naming the listener and the address when the bind fails */
    static ListenerSocket bind(Transport transport, ListenerSettings settings, Acceptor acceptor)
            throws InterruptedException {
        return bind(transport, settings, acceptor, null);
    }

    /**
     * Binds on {@code transport}, taking over {@code previous}'s socket (on another transport, same address) where it
     * can move; the caller closes {@code previous} either way.
     */
    static ListenerSocket bind(Transport transport, ListenerSettings settings, Acceptor acceptor,
            ListenerSocket previous) throws InterruptedException {
        ListenerSocket socket = new ListenerSocket(settings.name, settings.tls);
        Future<ListeningSocket> bound = transport.listen(new InetSocketAddress(settings.host, settings.port),
                new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        socket.connections.add(ch);
                        acceptor.accept(ch, socket);
                        int drain = socket.drainSeconds;
                        if (drain >= 0) {
                            // Accepted as the socket closed: it drains like the others.
                            socket.drain(ch, drain, socket.closing);
                        }
                    }
                }, previous == null ? null : previous.server);
        if (!bound.await(10, TimeUnit.SECONDS) || !bound.isSuccess()) {
            bound.addListener(f -> {
                if (f.isSuccess()) {
                    ((ListeningSocket) f.getNow()).close();
                }
            });
            throw new IllegalStateException("listener " + settings.name + " cannot bind " + settings.host + ":"
                    + settings.port + ": " + bound.cause(), bound.cause());
        }
        socket.server = bound.getNow();
        LOG.info("Listener {} accepting {} proxy clients on {}", settings.name, settings.tls ? "HTTPS (TLS)" : "HTTP",
                socket.server.localAddress());
        return socket;
    }

    boolean tls() {
        return tls;
    }

    InetSocketAddress localAddress() {
        return server.localAddress();
    }

    /**
     * Stops accepting: the socket closes, or with {@code handoverMillis > 0} waits that long for a listener on the
     * same address to take it over (this one is being restarted). Either way the connections this socket accepted
     * finish their exchanges, and those left after {@code drainSeconds} close.
     */
    void close(int drainSeconds, long handoverMillis) {
        this.drainSeconds = drainSeconds;
        if (handoverMillis > 0) {
            server.release(handoverMillis);
        } else {
            server.close();
        }
        LOG.info("Listener {} on {} {}; {} connections get {} s to finish", name, server.localAddress(),
                handoverMillis > 0 ? "released for its successor" : "closed", connections.size(), drainSeconds);
        for (Channel ch : connections) {
            drain(ch, drainSeconds, ListenerClosing.INSTANCE);
        }
    }

    /**
     * The proxy stops: the socket closes, the connections finish what is in flight (idle ones close now, see
     * {@link ListenerClosing#STOPPING}), and those left after {@code drainSeconds} close.
     *
     * @return done when every connection this socket accepted has closed
     */
    ChannelGroupFuture stop(int drainSeconds) {
        this.closing = ListenerClosing.STOPPING;
        this.drainSeconds = drainSeconds;
        server.close();
        LOG.info("Listener {} on {} closed, the proxy stops; {} connections get {} s to finish", name,
                server.localAddress(), connections.size(), drainSeconds);
        for (Channel ch : connections) {
            drain(ch, drainSeconds, ListenerClosing.STOPPING);
        }
        return connections.newCloseFuture();
    }

    /**
     * The listener moved to another address: this socket keeps accepting for a short grace while clients learn of the
     * move (what it accepts is served and drained like its other connections), then closes. Closed at once, it would
     * reset the connections already waiting in its accept queue.
     */
    void retire(int drainSeconds) {
        this.drainSeconds = drainSeconds;
        long grace = Math.min(RETIRE_GRACE_MILLIS, TimeUnit.SECONDS.toMillis(drainSeconds));
        LOG.info("Listener {} on {} retired; {} connections get {} s to finish, the socket closes in {} ms", name,
                server.localAddress(), connections.size(), drainSeconds, grace);
        for (Channel ch : connections) {
            drain(ch, drainSeconds, ListenerClosing.INSTANCE);
        }
        GlobalEventExecutor.INSTANCE.schedule(server::close, grace, TimeUnit.MILLISECONDS);
    }

    private void drain(Channel ch, int seconds, ListenerClosing event) {
        ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(event));
        LingeringClose.closeLater(ch, seconds, TimeUnit.SECONDS);
    }
}
