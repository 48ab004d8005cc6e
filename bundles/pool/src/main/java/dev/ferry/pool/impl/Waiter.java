package dev.ferry.pool.impl;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.upstream.ConnectEvents;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamLease;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One acquire() request: served at once or queued at a limit. Its promise is the caller's future, completed on its
 * event loop with a reused connection or with the result of a connect job started on that loop.
 */
final class Waiter {

    final PoolKey key;
    final EventLoop loop;
    final ConnectEvents events;
    /** The codec a new connection gets, or null. */
    final ClientCodec codec;
    /** A retry: only a new connection will do, never an idle one. */
    final boolean fresh;
    final Promise<UpstreamLease> promise;
    /** Which limit held the request up, for the timeout's message; set under the pool's lock. */
    String limit;
    /** The wait timeout, once queued. */
    volatile ScheduledFuture<?> timeout;

    Waiter(PoolKey key, EventLoop loop, ConnectEvents events, ClientCodec codec, boolean fresh) {
        this.key = key;
        this.loop = loop;
        this.events = events;
        this.codec = codec;
        this.fresh = fresh;
        this.promise = loop.newPromise();
    }

    void stopTimer() {
        ScheduledFuture<?> t = timeout;
        if (t != null) {
            t.cancel(false);
        }
    }

    @Override
    public String toString() {
        return "request for " + key + " on " + loop;
    }
}
