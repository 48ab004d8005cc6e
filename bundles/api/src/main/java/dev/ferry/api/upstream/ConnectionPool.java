package dev.ferry.api.upstream;

import dev.ferry.api.codec.ClientCodec;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.util.List;
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
     * an https group through the proxy's tunnel. A new connection gets {@code codec} on its pipeline (none when
     * null: the caller sets the pipeline up); a reused one has the codec it was made with.
     */
    Future<UpstreamLease> acquire(PoolKey key, EventLoop loop, ConnectEvents events, ClientCodec codec);

    /** A connection with raw bytes to {@code key.destination()}, for a tunnel; its lease ends by closing. */
    Future<UpstreamLease> connectTunnel(PoolKey key, EventLoop loop, ConnectEvents events);

    /** Counters for every key the pool has seen and still holds connections or waiters for. */
    List<PoolCounters> counters();
}
