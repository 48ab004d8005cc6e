package dev.ferry.engine.impl;

import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamConnector;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.api.upstream.UpstreamRequest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The upstream side of a fuzzed exchange: every connection an {@link EmbeddedChannel} (with the client codec, as the
 * pool makes them) whose origin answers each complete request the same way, chosen per input. The fuzz target
 * drives the connections' loops and releases them at the end.
 */
final class CannedOrigin implements UpstreamConnector {

    /** How the origin answers. */
    enum Behaviour {
        /** {@code 200} with a two-byte body (none for HEAD). */
        CONTENT_LENGTH,
        /** {@code 200} with a chunked body (none for HEAD). */
        CHUNKED,
        /** Closes the connection without an answer. */
        CLOSES,
        /** The connect fails: no connection at all. */
        REFUSES
    }

    private final Behaviour behaviour;
    /** Every connection made, for the target to run and release. */
    final List<EmbeddedChannel> channels = new ArrayList<>();
    /** Answers to requests the origin has received in full, given by {@link #answer()}. */
    private final List<Runnable> due = new ArrayList<>();

    CannedOrigin(Behaviour behaviour) {
        this.behaviour = behaviour;
    }

    @Override
    public Future<UpstreamLease> connect(UpstreamRequest request, EventLoop loop) {
        if (behaviour == Behaviour.REFUSES) {
            return loop.newFailedFuture(new ConnectException("refused (fuzz origin)"));
        }
        EmbeddedChannel ch = new EmbeddedChannel();
        if (request.clientCodec() != null) {
            request.clientCodec().configure(ch.pipeline());
        }
        if (!request.tunnel()) {
            ch.pipeline().addLast(new Answering());
        }
        channels.add(ch);
        return loop.newSucceededFuture(new Lease(ch, new PoolKey(ProxyServer.DIRECT, request.group())));
    }

    /** Sees the requests the engine writes, and answers each once it is complete. */
    private final class Answering extends ChannelOutboundHandlerAdapter {
        private boolean head;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof HttpRequest) {
                head = HttpMethod.HEAD.equals(((HttpRequest) msg).method());
            }
            boolean complete = msg instanceof LastHttpContent;
            super.write(ctx, msg, promise);
            if (complete) {
                // Not a task of the channel's loop: an EmbeddedChannel runs those inside the engine's own flush,
                // answering before the engine's write returned, which no real origin can do.
                EmbeddedChannel ch = (EmbeddedChannel) ctx.channel();
                boolean noBody = head;
                due.add(() -> answer(ch, noBody));
            }
        }
    }

    /** Answers the requests received in full so far; returns whether there were any. */
    boolean answer() {
        if (due.isEmpty()) {
            return false;
        }
        List<Runnable> now = new ArrayList<>(due);
        due.clear();
        now.forEach(Runnable::run);
        return true;
    }

    private void answer(EmbeddedChannel ch, boolean noBody) {
        if (!ch.isOpen()) {
            return;
        }
        String response;
        switch (behaviour) {
            case CONTENT_LENGTH:
                response = noBody ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                        : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
                break;
            case CHUNKED:
                response = noBody ? "HTTP/1.1 204 No Content\r\n\r\n"
                        : "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
                break;
            default:
                ch.close();
                return;
        }
        byte[] bytes = response.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuf buf = ch.alloc().buffer(bytes.length).writeBytes(bytes);
        ch.writeInbound(buf);
    }

    /** One connection lent to one exchange; never reused, never retried. */
    private static final class Lease implements UpstreamLease {
        private final EmbeddedChannel channel;
        private final PoolKey key;

        Lease(EmbeddedChannel channel, PoolKey key) {
            this.channel = channel;
            this.key = key;
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
            return false;
        }

        @Override
        public Map<String, String> requestHeaders() {
            return Map.of();
        }

        @Override
        public void release() {
            channel.close();
        }

        @Override
        public void close() {
            channel.close();
        }

        @Override
        public Future<UpstreamLease> retry() {
            close();
            return channel.eventLoop().newFailedFuture(new IllegalStateException("no retry (fuzz origin)"));
        }
    }
}
