package dev.ferry.spdy.client;

import dev.ferry.spdy.client.internal.SessionConnector;
import dev.ferry.spdy.client.internal.TlsContexts;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Opens SPDY/3.1 sessions to a proxy. Owns the event loop threads (NIO) the sessions run on and a pool of client
 * threads that complete futures and send request bodies; {@link #close()} ends every session and stops both.
 * <p>
 * <b>Trusts every certificate</b> — it exists to test proxies with self-signed certificates; the proxy is not
 * authenticated.
 */
public final class SpdyClient implements AutoCloseable {

    private final EventLoopGroup group;
    private final ExecutorService executor;
    private final TlsContexts tls = new TlsContexts();
    private final Set<SpdySession> sessions = ConcurrentHashMap.newKeySet();

    /** A client with one event loop thread. */
    public SpdyClient() {
        this(1);
    }

    /** A client whose sessions are spread over {@code eventLoopThreads} threads. */
    public SpdyClient(int eventLoopThreads) {
        if (eventLoopThreads < 1) {
            throw new IllegalArgumentException("eventLoopThreads must be positive: " + eventLoopThreads);
        }
        this.group = new NioEventLoopGroup(eventLoopThreads, new DefaultThreadFactory("ferry-spdy-client", true));
        this.executor = Executors.newCachedThreadPool(new DefaultThreadFactory("ferry-spdy-client-worker", true));
    }

    /** Opens a session with {@link SessionOptions#defaults()}. */
    public SpdySession open(InetSocketAddress proxy, Negotiation negotiation) throws IOException {
        return open(proxy, negotiation, SessionOptions.defaults());
    }

    /**
     * Connects to {@code proxy}, negotiates TLS and SPDY/3.1, and sends the session's first frames (our
     * SETTINGS_INITIAL_WINDOW_SIZE if not the default, and a session WINDOW_UPDATE).
     *
     * @throws NegotiationException when TLS selected another protocol than {@code spdy/3.1}
     * @throws IOException when the connection or the TLS handshake fails, or takes longer than the timeout
     */
    public SpdySession open(InetSocketAddress proxy, Negotiation negotiation, SessionOptions options)
            throws IOException {
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(negotiation, "negotiation");
        Objects.requireNonNull(options, "options");
        if (group.isShuttingDown()) {
            throw new IOException("the SPDY client has been closed");
        }
        SpdySession session = SessionConnector.open(group, executor, tls.context(negotiation), proxy,
                negotiation, options);
        sessions.add(session);
        session.closed().whenComplete((v, e) -> sessions.remove(session));
        return session;
    }

    /** Closes every session (GOAWAY, then the connection) and stops the threads. */
    @Override
    public void close() {
        for (SpdySession session : sessions) {
            session.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        executor.shutdownNow();
    }
}
