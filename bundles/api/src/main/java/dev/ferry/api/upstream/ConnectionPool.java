package dev.ferry.api.upstream;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Connections to origins and upstream proxies, keyed by proxy and group ({@link PoolKey}). {@link #acquire} hands out
 * a reusable HTTP connection: an idle one for the same key on the same event loop, or a new one from a connect job,
 * within the pool's limits (per group, per proxy, total; a request over a limit waits, with a timeout).
 * {@link #connectTunnel} makes a fresh connection that carries raw bytes to the destination (through the proxy's
 * CONNECT or SOCKS handshake when there is one) and is never pooled.
 *
 * <p>Failures are {@link ConnectJobException}s that name the stage; an upstream proxy that answers CONNECT with an
 * error status fails with an {@link UpstreamException} as the cause.
 */
@ProviderType
public interface ConnectionPool {

    /** Service property: which proxy schemes this pool can connect through. */
    String SCHEMES = "ferry.proxy.schemes";

    /**
     * A connection for HTTP requests to {@code key.destination()}: for DIRECT and SOCKS straight to the origin (TLS
     * included for https groups), for an HTTP/HTTPS proxy to the proxy (requests then go in absolute form), or for
     * an https group through the proxy's tunnel. Its pipeline is empty for the caller to set up, or as the caller
     * left it when it was released.
     */
    default Future<Channel> acquire(PoolKey key, EventLoop loop) {
        return acquire(key, loop, ConnectEvents.NONE);
    }

    Future<Channel> acquire(PoolKey key, EventLoop loop, ConnectEvents events);

    /** Returns a healthy connection whose last exchange is complete, for reuse. */
    void release(Channel channel);

    /** A connection with raw bytes to {@code key.destination()}, for a tunnel. */
    default Future<Channel> connectTunnel(PoolKey key, EventLoop loop) {
        return connectTunnel(key, loop, ConnectEvents.NONE);
    }

    Future<Channel> connectTunnel(PoolKey key, EventLoop loop, ConnectEvents events);

    /** Headers each request on a connection of {@code key} must carry, e.g. preemptive proxy credentials. */
    Map<String, String> requestHeaders(PoolKey key);

    /** Counters for every key the pool has seen and still holds connections or waiters for. */
    List<PoolCounters> counters();
}
