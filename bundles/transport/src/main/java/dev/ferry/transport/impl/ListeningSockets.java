package dev.ferry.transport.impl;

import dev.ferry.api.spi.ListeningSocket;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transport's listening sockets, and the hand-over between the listener that releases one and the listener that
 * takes it over: while a socket has no listener, what it accepts waits unread (up to {@code maxHeld} connections)
 * for the next one.
 */
final class ListeningSockets {

    private static final Logger LOG = LoggerFactory.getLogger(ListeningSockets.class);

    private final int maxHeld;
    /** Released sockets waiting for a successor, by bound address. */
    private final Map<InetSocketAddress, Socket> released = new HashMap<>();
    private final List<Socket> all = new ArrayList<>();
    private boolean closed;

    ListeningSockets(int maxHeld) {
        this.maxHeld = maxHeld;
    }

    /**
     * The released socket on {@code address}, given to {@code childHandler}, or a new one bound by {@code bind}
     * (which gets the initializer that routes accepted connections).
     */
    Future<ListeningSocket> listen(InetSocketAddress address, ChannelHandler childHandler,
            BiFunction<InetSocketAddress, ChannelHandler, ChannelFuture> bind) {
        Socket socket;
        synchronized (this) {
            if (closed) {
                return GlobalEventExecutor.INSTANCE.newFailedFuture(new IllegalStateException("transport stopped"));
            }
            socket = address.getPort() == 0 ? null : released.remove(address);
        }
        if (socket != null) {
            socket.takeOver(childHandler);
            LOG.info("Listening socket {} handed over to its new listener", address);
            return GlobalEventExecutor.INSTANCE.newSucceededFuture(socket);
        }
        Socket fresh = new Socket(childHandler);
        Promise<ListeningSocket> result = GlobalEventExecutor.INSTANCE.newPromise();
        bind.apply(address, fresh.router).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                result.setFailure(f.cause());
                return;
            }
            fresh.server = f.channel();
            synchronized (this) {
                all.add(fresh);
                if (closed) {
                    fresh.server.close();
                }
            }
            result.setSuccess(fresh);
        });
        return result;
    }

    /** Whether any socket is still open. */
    synchronized boolean any() {
        return !all.isEmpty();
    }

    /** The transport stops: every socket closes, with the connections held for a successor. */
    void closeAll() {
        List<Socket> sockets;
        synchronized (this) {
            closed = true;
            sockets = new ArrayList<>(all);
            released.clear();
        }
        sockets.forEach(Socket::close);
    }

    private synchronized void waitForSuccessor(Socket socket) {
        released.put(socket.localAddress(), socket);
    }

    private synchronized boolean forget(Socket socket) {
        all.remove(socket);
        return released.remove(socket.localAddress(), socket);
    }

    private enum State {
        /** A listener takes what it accepts. */
        LENT,
        /** Released: what it accepts waits for the next listener. */
        HELD,
        CLOSED
    }

    /** One listening socket, and whichever listener has it now. */
    private final class Socket implements ListeningSocket {

        private final List<Channel> held = new ArrayList<>();
        private State state = State.LENT;
        private ChannelHandler childHandler;
        private ScheduledFuture<?> handoverDeadline;
        private volatile Channel server;

        /** Gives each accepted connection to the current listener, or holds it unread while there is none. */
        final ChannelInitializer<Channel> router = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelHandler target;
                synchronized (Socket.this) {
                    target = childHandler;
                    if (state == State.HELD) {
                        if (held.size() >= maxHeld) {
                            ch.close();
                            return;
                        }
                        ch.config().setAutoRead(false);
                        held.add(ch);
                        ch.closeFuture().addListener(f -> dropHeld(ch));
                        return;
                    }
                    if (target == null) {
                        // Accepted as a released socket closed: nobody will serve it.
                        ch.close();
                        return;
                    }
                }
                // Also when accepted just as the socket closed: the listener that had it serves it.
                ch.pipeline().addLast(target);
            }
        };

        Socket(ChannelHandler childHandler) {
            this.childHandler = childHandler;
        }

        @Override
        public InetSocketAddress localAddress() {
            return (InetSocketAddress) server.localAddress();
        }

        @Override
        public void release(long handoverMillis) {
            synchronized (this) {
                state = State.HELD;
                childHandler = null;
                handoverDeadline = GlobalEventExecutor.INSTANCE.schedule(this::noSuccessor, handoverMillis,
                        TimeUnit.MILLISECONDS);
            }
            waitForSuccessor(this);
        }

        void takeOver(ChannelHandler handler) {
            List<Channel> waiting;
            synchronized (this) {
                state = State.LENT;
                childHandler = handler;
                if (handoverDeadline != null) {
                    handoverDeadline.cancel(false);
                }
                waiting = new ArrayList<>(held);
                held.clear();
            }
            for (Channel ch : waiting) {
                ch.eventLoop().execute(() -> {
                    ch.pipeline().addLast(handler);
                    ch.config().setAutoRead(true);
                });
            }
        }

        private void noSuccessor() {
            if (forget(this)) {
                LOG.info("Listening socket {} closed: no listener took it over", localAddress());
                close();
            }
        }

        private synchronized void dropHeld(Channel ch) {
            held.remove(ch);
        }

        @Override
        public void close() {
            forget(this);
            List<Channel> waiting;
            synchronized (this) {
                state = State.CLOSED;
                waiting = new ArrayList<>(held);
                held.clear();
            }
            server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            waiting.forEach(Channel::close);
        }
    }
}
