package dev.ferry.transport.impl;

import dev.ferry.api.spi.ListeningSocket;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
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
     * The released socket on {@code address}, given to {@code childHandler}; else {@code previous} (lent by the
     * transport this one replaces) moved here, to be served by the acceptor {@code moveIn} makes for the routing
     * initializer; else a new socket bound by {@code bind} (which gets the routing initializer).
     */
    Future<ListeningSocket> listen(InetSocketAddress address, ChannelHandler childHandler, ListeningSocket previous,
            BiFunction<InetSocketAddress, ChannelHandler, ChannelFuture> bind, MoveIn moveIn) {
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
        if (previous == null || address.getPort() == 0 || !address.equals(previous.localAddress())) {
            bindFresh(address, fresh, bind, result);
            return result;
        }
        previous.moveTo(moveIn.loop(), moveIn.acceptor(fresh.router)).addListener((Future<Channel> f) -> {
            if (f.isSuccess()) {
                LOG.info("Listening socket {} moved in from the transport this one replaces", address);
                adopt(fresh, f.getNow(), result);
            } else {
                LOG.info("Listening socket {} cannot move in ({}); binding another next to it", address,
                        String.valueOf(f.cause()));
                bindFresh(address, fresh, bind, result);
            }
        });
        return result;
    }

    /** How a socket moved in from another transport is served here. */
    interface MoveIn {
        /** The event loop the socket moves to. */
        EventLoop loop();

        /** The handler that registers what the socket accepts on this transport, set up by {@code router}. */
        ChannelHandler acceptor(ChannelHandler router);
    }

    private void bindFresh(InetSocketAddress address, Socket fresh,
            BiFunction<InetSocketAddress, ChannelHandler, ChannelFuture> bind, Promise<ListeningSocket> result) {
        bind.apply(address, fresh.router).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                adopt(fresh, f.channel(), result);
            } else {
                result.setFailure(f.cause());
            }
        });
    }

    private void adopt(Socket socket, Channel server, Promise<ListeningSocket> result) {
        socket.server = server;
        synchronized (this) {
            all.add(socket);
            if (closed) {
                server.close();
            }
        }
        result.setSuccess(socket);
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
        /** Leaving for another transport's event loop. */
        MOVING,
        /** On another transport now: nothing here touches it any more. */
        MOVED,
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
                if (state != State.LENT) {
                    return;
                }
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
        public Future<Channel> moveTo(EventLoop loop, ChannelHandler acceptor) {
            synchronized (this) {
                if (state != State.LENT) {
                    return GlobalEventExecutor.INSTANCE.newFailedFuture(
                            new IllegalStateException("the socket is " + state + ", not lent"));
                }
                state = State.MOVING;
            }
            Promise<Channel> moved = GlobalEventExecutor.INSTANCE.newPromise();
            Channel ch = server;
            EventLoop home = ch.eventLoop();
            home.execute(() -> ch.deregister().addListener(off -> {
                if (!off.isSuccess()) {
                    stayed(moved, off.cause());
                    return;
                }
                // The new acceptor goes first and takes every accepted connection; this transport's (it registers
                // them on these loops, and cannot be added back once removed) goes once the move has succeeded.
                Map<String, ChannelHandler> own = ch.pipeline().toMap();
                ch.pipeline().addFirst(acceptor);
                loop.register(ch).addListener(on -> {
                    if (on.isSuccess()) {
                        own.keySet().forEach(ch.pipeline()::remove);
                        synchronized (this) {
                            state = State.MOVED;
                        }
                        forget(this);
                        moved.setSuccess(ch);
                        return;
                    }
                    // Not a loop this socket can live on (another kind of transport): back home, as it was.
                    ch.pipeline().remove(acceptor);
                    home.register(ch).addListener(back -> {
                        if (!back.isSuccess()) {
                            LOG.warn("Listening socket {} lost: {}", ch.localAddress(), String.valueOf(back.cause()));
                            ch.close();
                        }
                    });
                    stayed(moved, on.cause());
                });
            }));
            return moved;
        }

        private void stayed(Promise<Channel> moved, Throwable why) {
            synchronized (this) {
                state = State.LENT;
            }
            moved.setFailure(why);
        }

        @Override
        public void close() {
            List<Channel> waiting;
            synchronized (this) {
                if (state == State.MOVED || state == State.MOVING) {
                    // The socket is (becoming) another transport's.
                    return;
                }
                state = State.CLOSED;
                waiting = new ArrayList<>(held);
                held.clear();
            }
            forget(this);
            server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            waiting.forEach(Channel::close);
        }
    }
}
