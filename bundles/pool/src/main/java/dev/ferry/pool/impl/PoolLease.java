package dev.ferry.pool.impl;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.upstream.ConnectEvents;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamLease;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import java.util.Map;

/**
 * A connection lent by one {@link PooledConnections} (one pool generation) to one exchange. It goes back to that
 * pool however many pools have replaced it since; a stopped pool closes it.
 */
final class PoolLease implements UpstreamLease {

    private enum State {
        LENT,
        /** Back in its pool (or closed by a pool that stopped). */
        RELEASED,
        CLOSED
    }

    private final PooledConnections pool;
    private final Channel channel;
    private final PoolKey key;
    private final boolean reused;
    private final Map<String, String> requestHeaders;
    /** The codec the connection was made with, for the retry's connection; null for tunnels. */
    private final ClientCodec codec;
    /** A retry's lease, or a tunnel's: it gets no retry of its own. */
    private final boolean retryAllowed;
    private State state = State.LENT;

    PoolLease(PooledConnections pool, Channel channel, PoolKey key, boolean reused,
            Map<String, String> requestHeaders, ClientCodec codec, boolean retryAllowed) {
        this.pool = pool;
        this.channel = channel;
        this.key = key;
        this.reused = reused;
        this.requestHeaders = requestHeaders;
        this.codec = codec;
        this.retryAllowed = retryAllowed;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public PoolKey key() {
        return key;
    }

    @Override
    public boolean reused() {
        return reused;
    }

    @Override
    public Map<String, String> requestHeaders() {
        return requestHeaders;
    }

    @Override
    public void release() {
        if (state != State.LENT) {
            return;
        }
        state = State.RELEASED;
        pool.takeBack(channel);
    }

    @Override
    public void close() {
        if (state != State.LENT) {
            return;
        }
        state = State.CLOSED;
        channel.close();
    }

    @Override
    public Future<UpstreamLease> retry() {
        close();
        if (!retryAllowed) {
            return channel.eventLoop().newFailedFuture(new IllegalStateException("one retry per request: " + key
                    + " was already retried"));
        }
        return pool.acquire(key, channel.eventLoop(), ConnectEvents.NONE, codec, true);
    }

    @Override
    public String toString() {
        return key + (reused ? " (reused) " : " ") + channel;
    }
}
