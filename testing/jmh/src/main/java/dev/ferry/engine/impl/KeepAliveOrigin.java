package dev.ferry.engine.impl;

import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamConnector;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.api.upstream.UpstreamRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The upstream side of {@link Http1HeadPath}: a pool of one keep-alive origin connection, an {@link EmbeddedChannel}
 * with the request's client codec on it (as the pool makes connections), lent again as {@linkplain
 * UpstreamLease#reused() reused} once released, as a warm pool lends it. The origin answers every request with the
 * same canned bytes when the benchmark calls {@link #answer()}. Not a benchmark itself.
 */
final class KeepAliveOrigin implements UpstreamConnector {

    private final byte[] response;
    /** The connection, between exchanges and during one. */
    private EmbeddedChannel connection;
    private boolean lent;
    /** Connections made: one, unless the engine closed the connection (then the benchmark measures the wrong thing). */
    int connectionsMade;
    /** What the engine wrote to the origin last, as text, when {@link #recordRequest} is set (not while measuring). */
    String lastRequest;
    boolean recordRequest;

    /** @param response the origin's answer to every request, head and body, as on the wire */
    KeepAliveOrigin(byte[] response) {
        this.response = response;
    }

    @Override
    public Future<UpstreamLease> connect(UpstreamRequest request, EventLoop loop) {
        if (lent) {
            return loop.newFailedFuture(new IllegalStateException("the one origin connection is lent already"));
        }
        boolean reused = connection != null && connection.isActive();
        if (!reused) {
            connection = new EmbeddedChannel();
            request.clientCodec().configure(connection.pipeline());
            connectionsMade++;
        }
        lent = true;
        return loop.newSucceededFuture(new Lease(connection, new PoolKey(ProxyServer.DIRECT, request.group()),
                reused));
    }

    /**
     * The origin reads what the engine sent it (the encoded request, released here) and answers with the canned
     * response, read by the connection in one piece. Returns the bytes it read, 0 when nothing had come.
     */
    int answer() {
        int read = 0;
        for (Object msg; (msg = connection.readOutbound()) != null;) {
            ByteBuf bytes = (ByteBuf) msg;
            read += bytes.readableBytes();
            if (recordRequest) {
                lastRequest = (lastRequest == null ? "" : lastRequest) + bytes.toString(StandardCharsets.ISO_8859_1);
            }
            ReferenceCountUtil.release(msg);
        }
        if (read > 0) {
            connection.writeInbound(connection.alloc().buffer(response.length).writeBytes(response));
        }
        return read;
    }

    /** Releases whatever the connection still holds. */
    void close() {
        if (connection != null) {
            connection.finishAndReleaseAll();
        }
    }

    /** The connection lent to one exchange: released, it waits for the next. */
    private final class Lease implements UpstreamLease {
        private final EmbeddedChannel channel;
        private final PoolKey key;
        private final boolean reused;

        Lease(EmbeddedChannel channel, PoolKey key, boolean reused) {
            this.channel = channel;
            this.key = key;
            this.reused = reused;
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
            return Map.of();
        }

        @Override
        public void release() {
            lent = false;
        }

        @Override
        public void close() {
            lent = false;
            channel.close();
        }

        @Override
        public Future<UpstreamLease> retry() {
            close();
            return channel.eventLoop().newFailedFuture(new IllegalStateException("no retry (benchmark origin)"));
        }
    }
}
