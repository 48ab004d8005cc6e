package dev.ferry.engine.impl;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamConnector;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.api.upstream.UpstreamRequest;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The engine's upstream boundary, as a test double: an {@link UpstreamConnector} whose connections are
 * {@link EmbeddedChannel}s (with the request's client codec on them, as the pool makes them), a small idle list so
 * that a released connection is lent again as {@linkplain UpstreamLease#reused() reused}, and leases that count every
 * {@code release()}, {@code close()} and {@code retry()} call.
 */
final class TestUpstream implements UpstreamConnector {

    /** Every connect call, in order. */
    final List<UpstreamRequest> requests = new ArrayList<>();
    /** Every lease handed out (by connect or retry), in order. */
    final List<Lease> leases = new ArrayList<>();
    /** connect() calls not answered yet, while {@link #hold} is set. */
    final List<Held> held = new ArrayList<>();
    /** Every connection made, for the test's cleanup. */
    final List<EmbeddedChannel> channels = new ArrayList<>();
    private final Deque<EmbeddedChannel> idle = new ArrayDeque<>();

    /** connect() answers with a pending future, completed by the test. */
    boolean hold;
    /** connect() fails with this, when set, before it returns (as a resolver failing on the event loop does). */
    Throwable failure;
    /** The next fresh connection is lent as if it had served before (an idle pooled one). */
    boolean nextReused;
    /** retry() fails with this, when set. */
    Throwable retryFailure;
    /** retry() leases claim to be reused too (the pool never does that; the engine must not retry twice anyway). */
    boolean retryLeasesReused;
    ProxyServer proxy = ProxyServer.DIRECT;
    Map<String, String> requestHeaders = Map.of();
    /** Runs on every new connection, e.g. to make it slow. */
    Consumer<EmbeddedChannel> onNewChannel = ch -> { };

    @Override
    public Future<UpstreamLease> connect(UpstreamRequest request, EventLoop loop) {
        requests.add(request);
        if (failure != null) {
            return loop.newFailedFuture(failure);
        }
        Promise<UpstreamLease> promise = loop.newPromise();
        if (hold) {
            held.add(new Held(request, promise));
            return promise;
        }
        return promise.setSuccess(lease(request));
    }

    /** A lease for {@code request}: an idle connection if there is one (not for tunnels), else a new one. */
    Lease lease(UpstreamRequest request) {
        PoolKey key = new PoolKey(proxy, request.group());
        EmbeddedChannel ch = request.tunnel() ? null : idle.poll();
        if (ch != null) {
            return add(new Lease(ch, key, true, request.clientCodec(), true));
        }
        boolean reused = nextReused;
        nextReused = false;
        return add(new Lease(newChannel(request.clientCodec()), key, reused, request.clientCodec(),
                !request.tunnel()));
    }

    private Lease add(Lease lease) {
        leases.add(lease);
        return lease;
    }

    private EmbeddedChannel newChannel(ClientCodec codec) {
        EmbeddedChannel ch = new EmbeddedChannel();
        if (codec != null) {
            codec.configure(ch.pipeline());
        }
        onNewChannel.accept(ch);
        channels.add(ch);
        return ch;
    }

    Lease lease(int index) {
        return leases.get(index);
    }

    Lease lastLease() {
        return leases.get(leases.size() - 1);
    }

    /** A connect the test answers. */
    final class Held {
        final UpstreamRequest request;
        final Promise<UpstreamLease> future;

        Held(UpstreamRequest request, Promise<UpstreamLease> future) {
            this.request = request;
            this.future = future;
        }

        /** The connect fails, later than the connect call. */
        void fail(Throwable cause) {
            if (!future.tryFailure(cause)) {
                throw new AssertionError("connect future already done: " + future);
            }
        }

        /** The connect succeeds (if nobody cancelled it): a lease for the request. */
        Lease succeed() {
            Lease lease = lease(request);
            if (!future.trySuccess(lease)) {
                throw new AssertionError("connect future already done: " + future);
            }
            return lease;
        }
    }

    /** One connection lent to one exchange. */
    final class Lease implements UpstreamLease {
        final EmbeddedChannel channel;
        private final PoolKey key;
        private final boolean reused;
        private final ClientCodec codec;
        private final boolean retryAllowed;
        int releaseCalls;
        int closeCalls;
        int retryCalls;
        private boolean ended;

        Lease(EmbeddedChannel channel, PoolKey key, boolean reused, ClientCodec codec, boolean retryAllowed) {
            this.channel = channel;
            this.key = key;
            this.reused = reused;
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
            releaseCalls++;
            if (!ended) {
                ended = true;
                if (channel.isActive()) {
                    idle.add(channel);
                } else {
                    channel.close();
                }
            }
        }

        @Override
        public void close() {
            closeCalls++;
            if (!ended) {
                ended = true;
                channel.close();
            }
        }

        @Override
        public Future<UpstreamLease> retry() {
            retryCalls++;
            close();
            if (!retryAllowed) {
                return channel.eventLoop().newFailedFuture(new IllegalStateException("one retry per request"));
            }
            if (retryFailure != null) {
                return channel.eventLoop().newFailedFuture(retryFailure);
            }
            Lease fresh = add(new Lease(newChannel(codec), key, retryLeasesReused, codec, false));
            return channel.eventLoop().newSucceededFuture(fresh);
        }

        /** Whether the lease ended by release() alone, called exactly once. */
        boolean releasedOnce() {
            return releaseCalls == 1 && closeCalls == 0;
        }

        /** Whether the lease ended by close() and was never released. */
        boolean closedNotReleased() {
            return closeCalls >= 1 && releaseCalls == 0;
        }

        @Override
        public String toString() {
            return "lease " + key + (reused ? " (reused)" : "") + " release=" + releaseCalls + " close="
                    + closeCalls + " retry=" + retryCalls;
        }
    }
}
