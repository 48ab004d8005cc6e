package dev.ferry.spdy.client;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.spdy.DefaultSpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyHttpDecoder;
import io.netty.handler.codec.spdy.SpdyHttpEncoder;
import io.netty.handler.codec.spdy.SpdyHttpHeaders;
import io.netty.handler.codec.spdy.SpdySessionHandler;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An independent SPDY/3.1 peer built from Netty's own server side: {@link SpdyFrameCodec},
 * {@link SpdySessionHandler} (flow control, stream bookkeeping) and the HTTP codec, with a tiny handler:
 * <ul>
 * <li>{@code /hello} — a short text naming the request URI;</li>
 * <li>{@code /bytes/N?seed=S} — N bytes of {@link Patterns} S;</li>
 * <li>{@code /echo} — the request body back, its SHA-256 in {@code x-sha256};</li>
 * <li>{@code /slow} — "slow" after 300 ms (streams stay open meanwhile).</li>
 * </ul>
 */
final class NettySpdyServer implements AutoCloseable {

    /** A request as the server's HTTP layer saw it. */
    static final class Request {
        final String method;
        final String uri;
        final Map<String, String> headers;
        final int streamId;

        Request(String method, String uri, Map<String, String> headers, int streamId) {
            this.method = method;
            this.uri = uri;
            this.headers = headers;
            this.streamId = streamId;
        }
    }

    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final SpdyListener listener;

    /** @param maxConcurrentStreams sent in SETTINGS after the handshake when positive */
    NettySpdyServer(SslContext tls, int maxConcurrentStreams) throws InterruptedException {
        listener = new SpdyListener(tls, pipeline -> pipeline
                .addLast(new SpdySessionHandler(SpdyVersion.SPDY_3_1, true))
                .addLast(new SpdyHttpEncoder(SpdyVersion.SPDY_3_1))
                .addLast(new SpdyHttpDecoder(SpdyVersion.SPDY_3_1, 32 * 1024 * 1024))
                .addLast(new Handler(maxConcurrentStreams)));
    }

    InetSocketAddress address() {
        return listener.address();
    }

    @Override
    public void close() {
        listener.close();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final int maxConcurrentStreams;

        Handler(int maxConcurrentStreams) {
            this.maxConcurrentStreams = maxConcurrentStreams;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent && ((SslHandshakeCompletionEvent) event).isSuccess()
                    && "spdy/3.1".equals(ctx.pipeline().get(SslHandler.class).applicationProtocol())
                    && maxConcurrentStreams > 0) {
                SpdySettingsFrame settings = new DefaultSpdySettingsFrame();
                settings.setValue(SpdySettingsFrame.SETTINGS_MAX_CONCURRENT_STREAMS, maxConcurrentStreams);
                ctx.writeAndFlush(settings);
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            int streamId = request.headers().getInt(SpdyHttpHeaders.Names.STREAM_ID);
            Map<String, String> headers = new LinkedHashMap<>();
            request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            requests.add(new Request(request.method().name(), request.uri(), headers, streamId));
            URI uri = URI.create(request.uri());
            String path = uri.getPath();
            FullHttpResponse response;
            if (path.equals("/hello")) {
                response = ok(("hello " + request.uri()).getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith("/bytes/")) {
                int length = Integer.parseInt(path.substring("/bytes/".length()));
                response = ok(Patterns.bytes(seed(uri), length));
            } else if (path.equals("/echo")) {
                byte[] body = ByteBufUtil.getBytes(request.content());
                response = ok(body);
                response.headers().set("x-sha256", Patterns.sha256(body));
            } else if (path.equals("/slow")) {
                FullHttpResponse slow = ok("slow".getBytes(StandardCharsets.US_ASCII));
                slow.headers().setInt(SpdyHttpHeaders.Names.STREAM_ID, streamId);
                ctx.executor().schedule(() -> ctx.writeAndFlush(slow), 300, TimeUnit.MILLISECONDS);
                return;
            } else {
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                        Unpooled.EMPTY_BUFFER);
            }
            response.headers().setInt(SpdyHttpHeaders.Names.STREAM_ID, streamId);
            ctx.writeAndFlush(response);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // SpdySessionHandler has answered a protocol error with GOAWAY already; the tests look at that.
            ctx.close();
        }

        private long seed(URI uri) {
            String query = uri.getQuery();
            return query != null && query.startsWith("seed=") ? Long.parseLong(query.substring(5)) : 0;
        }

        private FullHttpResponse ok(byte[] body) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            response.headers().set("x-server", "netty-spdy");
            return response;
        }
    }
}
