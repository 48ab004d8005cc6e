import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/2 streams against HTTP/1.1 connections through Ferry's TLS listener, measured in one run: N concurrent GET
 * loops on ONE h2 connection (each stream opens the next when its response ends), then N loops on N HTTP/1.1
 * keep-alive connections, both from Netty clients on one event-loop thread (so that the client costs the same), the
 * same origin URL. Each variant warms up, then runs RUNS times interleaved with the other; medians and the ratio are
 * printed. Arguments: httpsPort originUrl [concurrency=100] [seconds=5] [warmupSeconds=5] [runs=3].
 */
public final class StreamsVsConnections {

    private static final AtomicLong BYTES = new AtomicLong();
    private static final AtomicLong RESPONSES = new AtomicLong();
    private static volatile long deadline;
    private static URI target;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        URI url = URI.create(args[1]);
        target = url;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        int runs = args.length > 5 ? Integer.parseInt(args[5]) : 3;
        NioEventLoopGroup loop = new NioEventLoopGroup(1);
        try {
            measure("h2", loop, port, url, concurrency, warmup);
            measure("http/1.1", loop, port, url, concurrency, warmup);
            List<double[]> h2 = new ArrayList<>();
            List<double[]> h1 = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                h2.add(measure("h2", loop, port, url, concurrency, seconds));
                h1.add(measure("http/1.1", loop, port, url, concurrency, seconds));
            }
            double h2Mb = median(h2, 0);
            double h1Mb = median(h1, 0);
            System.out.printf("%d GET loops of %s for %d s, median of %d runs after %d s of warm-up each:%n",
                    concurrency, url, seconds, runs, warmup);
            System.out.printf("  h2, %d streams on 1 connection:   %8.1f MB/s  %8.0f responses/s%n", concurrency,
                    h2Mb, median(h2, 1));
            System.out.printf("  http/1.1, %d connections:         %8.1f MB/s  %8.0f responses/s%n", concurrency,
                    h1Mb, median(h1, 1));
            System.out.printf("  h2 / http/1.1 throughput: %.2fx%n", h2Mb / h1Mb);
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static double median(List<double[]> runs, int index) {
        List<Double> values = new ArrayList<>();
        runs.forEach(r -> values.add(r[index]));
        Collections.sort(values);
        return values.get(values.size() / 2);
    }

    /** One timed run of a variant: MB/s and responses/s. */
    private static double[] measure(String protocol, NioEventLoopGroup loop, int port, URI url, int concurrency,
            int seconds) throws Exception {
        BYTES.set(0);
        RESPONSES.set(0);
        long start = System.nanoTime();
        deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Channel> connections = new ArrayList<>();
        if (protocol.equals("h2")) {
            Channel h2 = connect(loop, port, "h2");
            connections.add(h2);
            for (int i = 0; i < concurrency; i++) {
                nextStream(h2, url);
            }
        } else {
            for (int i = 0; i < concurrency; i++) {
                Channel h1 = connect(loop, port, "http/1.1");
                connections.add(h1);
                h1.writeAndFlush(request(url));
            }
        }
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        double elapsed = (System.nanoTime() - start) / 1e9;
        double[] result = {BYTES.get() / elapsed / 1e6, RESPONSES.get() / elapsed};
        for (Channel ch : connections) {
            ch.close().sync();
        }
        System.out.printf("  %-9s %8.1f MB/s %8.0f responses/s%n", protocol, result[0], result[1]);
        return result;
    }

    private static Channel connect(NioEventLoopGroup loop, int port, String protocol) throws Exception {
        SslContext tls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocol))
                .build();
        CompletableFuture<String> negotiated = new CompletableFuture<>();
        Channel ch = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", port));
                        // Installed as the handshake completes, before the proxy's first frame is read.
                        ch.pipeline().addLast(new ApplicationProtocolNegotiationHandler("none") {
                            @Override
                            protected void configurePipeline(ChannelHandlerContext ctx, String chosen) {
                                if (chosen.equals("h2")) {
                                    ctx.pipeline().addLast(Http2FrameCodecBuilder.forClient().initialSettings(
                                            Http2Settings.defaultSettings().initialWindowSize(1 << 20)).build());
                                    ctx.pipeline().addLast(new Http2MultiplexHandler(
                                            new ChannelInboundHandlerAdapter()));
                                    // A connection window as wide as browsers give: 16 MiB.
                                    ctx.channel().writeAndFlush(new DefaultHttp2WindowUpdateFrame((16 << 20)
                                            - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
                                } else {
                                    ctx.pipeline().addLast(new HttpClientCodec(), new Http1Loop());
                                }
                                negotiated.complete(chosen);
                            }
                        });
                    }
                }).connect("127.0.0.1", port).sync().channel();
        String chosen = negotiated.get(10, TimeUnit.SECONDS);
        if (!protocol.equals(chosen)) {
            throw new IllegalStateException("the proxy negotiated " + chosen + ", not " + protocol);
        }
        return ch;
    }

    private static DefaultFullHttpRequest request(URI url) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                url.toString());
        request.headers().set(HttpHeaderNames.HOST, url.getRawAuthority());
        return request;
    }

    /** One GET on a new stream of the h2 connection; when it ends, the next, until the deadline. */
    private static void nextStream(Channel h2, URI url) {
        if (System.nanoTime() > deadline || !h2.isActive()) {
            return;
        }
        new Http2StreamChannelBootstrap(h2).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                boolean end = false;
                if (msg instanceof Http2DataFrame) {
                    BYTES.addAndGet(((Http2DataFrame) msg).content().readableBytes());
                    end = ((Http2DataFrame) msg).isEndStream();
                } else if (msg instanceof Http2HeadersFrame) {
                    end = ((Http2HeadersFrame) msg).isEndStream();
                }
                ReferenceCountUtil.release(msg);
                if (end) {
                    RESPONSES.incrementAndGet();
                    nextStream(h2, url);
                }
            }
        }).open().addListener(f -> {
            if (f.isSuccess()) {
                ((Channel) f.getNow()).writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
                        .method("GET").scheme(url.getScheme()).authority(url.getRawAuthority())
                        .path(url.getRawPath()), true));
            }
        });
    }

    /** GET after GET on one keep-alive connection, until the deadline. */
    private static final class Http1Loop extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpContent) {
                ByteBuf content = ((HttpContent) msg).content();
                BYTES.addAndGet(content.readableBytes());
            }
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) {
                RESPONSES.incrementAndGet();
                if (System.nanoTime() < deadline) {
                    ctx.writeAndFlush(request(target));
                }
            }
        }
    }
}
