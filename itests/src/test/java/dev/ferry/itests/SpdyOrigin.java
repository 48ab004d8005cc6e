package dev.ferry.itests;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyHttpCodec;
import io.netty.handler.codec.spdy.SpdyHttpHeaders;
import io.netty.handler.codec.spdy.SpdySessionHandler;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * A TLS origin on 127.0.0.1 that speaks SPDY/3.1 only (ALPN {@code spdy/3.1}, JDK engine, the self-signed
 * certificate of {@link TlsOrigin}), built from Netty's own server stack — {@link SpdyFrameCodec},
 * {@link SpdySessionHandler} (stream bookkeeping, flow control) and {@link SpdyHttpCodec} — so it is a SPDY peer
 * independent of Ferry and of the project's SPDY client:
 * <ul>
 * <li>{@code /echo}: a body of lines {@code method}, {@code path}, {@code scheme}, {@code host} as the SYN_STREAM
 * carried them ({@code :method}, {@code :path}, {@code :scheme}, {@code :host})</li>
 * <li>{@code /bytes?n=N}: N bytes of {@link Patterns} data</li>
 * </ul>
 * Every answer carries {@code x-origin: netty-spdy}. It counts TLS sessions that negotiated {@code spdy/3.1} and
 * requests, and keeps every request it saw.
 */
final class SpdyOrigin implements Closeable {

    /** A request as the SYN_STREAM carried it. */
    static final class Seen {
        final int streamId;
        final String method;
        final String path;
        final String scheme;
        final String host;

        Seen(int streamId, String method, String path, String scheme, String host) {
            this.streamId = streamId;
            this.method = method;
            this.path = path;
            this.scheme = scheme;
            this.host = host;
        }

        @Override
        public String toString() {
            return "stream " + streamId + ": " + method + " " + scheme + " " + host + " " + path;
        }
    }

    static final String SPDY_3_1 = "spdy/3.1";

    final AtomicInteger sessions = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    private final NioEventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("spdy-origin", true));
    private final Channel server;

    SpdyOrigin(SSLContext tls) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        SSLEngine engine = tls.createSSLEngine();
                        engine.setUseClientMode(false);
                        SSLParameters parameters = engine.getSSLParameters();
                        parameters.setApplicationProtocols(new String[] {SPDY_3_1});
                        engine.setSSLParameters(parameters);
                        Map<Integer, Seen> synStreams = new HashMap<>();
                        channel.pipeline()
                                .addLast(new SslHandler(engine))
                                .addLast(new SpdyFrameCodec(SpdyVersion.SPDY_3_1))
                                .addLast(new SpdySessionHandler(SpdyVersion.SPDY_3_1, true))
                                .addLast(new SynStreamRecorder(synStreams))
                                .addLast(new SpdyHttpCodec(SpdyVersion.SPDY_3_1, 1024 * 1024))
                                .addLast(new Handler(synStreams));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * An {@code http://} URL for the SPDY client's request API; tests replace {@code :path} and {@code :scheme} with
     * what a browser sends to an {@code https://} origin.
     */
    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The next request seen, waiting at most 10 s. */
    Seen nextSeen() throws InterruptedException {
        Seen next = seen.poll(10, TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("the SPDY origin saw no request");
        }
        return next;
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Keeps the pseudo-headers of each SYN_STREAM before Netty's HTTP decoder drops {@code :scheme} and turns the
     * rest into a request line; passes the frame on untouched.
     */
    private static final class SynStreamRecorder extends ChannelInboundHandlerAdapter {

        private final Map<Integer, Seen> synStreams;

        SynStreamRecorder(Map<Integer, Seen> synStreams) {
            this.synStreams = synStreams;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof SpdySynStreamFrame) {
                SpdySynStreamFrame syn = (SpdySynStreamFrame) msg;
                SpdyHeaders h = syn.headers();
                synStreams.put(syn.streamId(), new Seen(syn.streamId(), h.getAsString(SpdyHeaders.HttpNames.METHOD),
                        h.getAsString(SpdyHeaders.HttpNames.PATH), h.getAsString(SpdyHeaders.HttpNames.SCHEME),
                        h.getAsString(SpdyHeaders.HttpNames.HOST)));
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

        private final Map<Integer, Seen> synStreams;

        Handler(Map<Integer, Seen> synStreams) {
            this.synStreams = synStreams;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent && ((SslHandshakeCompletionEvent) event).isSuccess()
                    && SPDY_3_1.equals(ctx.pipeline().get(SslHandler.class).engine().getApplicationProtocol())) {
                sessions.incrementAndGet();
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            int streamId = request.headers().getInt(SpdyHttpHeaders.Names.STREAM_ID);
            Seen syn = synStreams.remove(streamId);
            if (syn == null) {
                syn = new Seen(streamId, request.method().name(), request.uri(), null,
                        request.headers().get(HttpHeaderNames.HOST));
            }
            requests.incrementAndGet();
            seen.add(syn);
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            FullHttpResponse response;
            if (uri.path().equals("/echo")) {
                String body = "method " + syn.method + "\npath " + syn.path + "\nscheme " + syn.scheme + "\nhost "
                        + syn.host + "\n";
                response = ok(ctx, body.getBytes(StandardCharsets.UTF_8));
            } else if (uri.path().equals("/bytes")) {
                List<String> n = uri.parameters().get("n");
                int length = n == null ? 0 : Integer.parseInt(n.get(0));
                byte[] body = new byte[length];
                Patterns.fill(body, 0, length);
                response = ok(ctx, body);
            } else {
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                        ctx.alloc().buffer(0));
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            }
            response.headers().set("x-origin", "netty-spdy");
            response.headers().setInt(SpdyHttpHeaders.Names.STREAM_ID, streamId);
            ctx.writeAndFlush(response);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A protocol error has been answered by SpdySessionHandler already; the test sees its effect.
            ctx.close();
        }

        private FullHttpResponse ok(ChannelHandlerContext ctx, byte[] body) {
            ByteBuf content = ctx.alloc().buffer(body.length).writeBytes(body);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    content);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            return response;
        }
    }
}
