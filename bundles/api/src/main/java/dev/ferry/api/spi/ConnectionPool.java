package dev.ferry.api.spi;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Connections to origins and upstream proxies. {@link #acquire} hands out a reusable HTTP connection: an idle one for
 * the same key on the same event loop, or a new one from a connect job. {@link #connectTunnel} makes a fresh
 * connection that carries a tunnel to the destination (through the proxy's CONNECT when there is one) and is never
 * pooled.
 *
 * <p>Failures are the connect job's exceptions: {@link java.net.UnknownHostException},
 * {@link java.net.ConnectException}, {@link io.netty.channel.ConnectTimeoutException}, or
 * {@link UpstreamException} for an upstream proxy that refused the tunnel.
 */
@ProviderType
public interface ConnectionPool {

    /** Service property: which proxy schemes this pool can connect through. */
    String SCHEMES = "ferry.proxy.schemes";

    /**
     * A connection for plain HTTP requests to {@code key.destination()}: for DIRECT straight to the origin, for an
     * HTTP proxy to the proxy (requests then go in absolute form). Its pipeline is empty for the caller to set up,
     * or as the caller left it when it was released.
     */
    Future<Channel> acquire(PoolKey key, EventLoop loop);

    /** Returns a healthy connection whose last exchange is complete, for reuse. */
    void release(Channel channel);

    /** A connection with raw bytes to {@code key.destination()}, for a tunnel. */
    Future<Channel> connectTunnel(PoolKey key, EventLoop loop);
}
