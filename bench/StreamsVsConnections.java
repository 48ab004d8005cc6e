import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.spdy.DefaultSpdySettingsFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyHeadersFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySessionHandler;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Multiplexed streams against HTTP/1.1 connections through Ferry's TLS listener, measured in one run: N concurrent GET
 * loops on ONE connection of each multiplexed protocol (h2, spdy/3.1; each stream opens the next when its response
 * ends), and N loops on N HTTP/1.1 keep-alive connections, all from Netty clients on one event-loop thread (so that the
 * client costs the same), the same origin URL. Each variant warms up, then runs RUNS times interleaved with the others;
 * medians and each protocol's ratio to HTTP/1.1 are printed. Both multiplexed clients give the proxy a 1 MiB stream
 * window and a 16 MiB connection (session) window and credit data back as it arrives. A stream the proxy resets is
 * counted and said on stderr: SPDY's are retried (REFUSED_STREAM: not processed); an h2 one ends its GET loop, since
 * at 100 loops some h2 streams still get REFUSED_STREAM (cause not found yet) and retrying them floods the proxy's
 * reset guard, which then ends the connection. Arguments: httpsPort originUrl [concurrency=100] [seconds=5]
 * [warmupSeconds=5] [runs=3] [protocols=h2,spdy].
 */
public final class StreamsVsConnections {

    private static final String SPDY = "spdy/3.1";
    private static final String H1 = "http/1.1";
    private static final AtomicLong BYTES = new AtomicLong();
    private static final AtomicLong RESPONSES = new AtomicLong();
    /** Streams reset before their response ended; only SPDY's are retried. */
    private static final AtomicLong RESETS = new AtomicLong();
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
        List<String> protocols = new ArrayList<>();
        for (String p : (args.length > 6 ? args[6] : "h2,spdy").split(",")) {
            if (!List.of("h2", "spdy", SPDY).contains(p.trim())) {
                throw new IllegalArgumentException("protocols: h2 and/or spdy, not '" + p + "'");
            }
            String protocol = p.trim().startsWith("spdy") ? SPDY : p.trim();
            if (!protocols.contains(protocol)) {
                protocols.add(protocol);
            }
        }
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        protocols.forEach(p -> results.put(p, new ArrayList<>()));
        results.put(H1, new ArrayList<>());
        NioEventLoopGroup loop = new NioEventLoopGroup(1);
        try {
            for (String variant : results.keySet()) {
                measure(variant, loop, port, url, concurrency, warmup);
            }
            for (int i = 0; i < runs; i++) {
                for (Map.Entry<String, List<double[]>> variant : results.entrySet()) {
                    variant.getValue().add(measure(variant.getKey(), loop, port, url, concurrency, seconds));
                }
            }
            System.out.printf("%d GET loops of %s for %d s, median of %d runs after %d s of warm-up each:%n",
                    concurrency, url, seconds, runs, warmup);
            for (String p : protocols) {
                summary(p + ", " + concurrency + " streams on 1 connection:" + (p.equals("h2") ? "  " : ""),
                        results.get(p));
            }
            summary(H1 + ", " + concurrency + " connections:        ", results.get(H1));
            double h1Mb = median(results.get(H1), 0);
            for (String p : protocols) {
                System.out.printf("  %s / http/1.1 throughput: %.2fx%n", p, median(results.get(p), 0) / h1Mb);
            }
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static void summary(String label, List<double[]> runs) {
        System.out.printf("  %s %8.1f MB/s  %8.0f responses/s%n", label, median(runs, 0), median(runs, 1));
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
        RESETS.set(0);
        long start = System.nanoTime();
        deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Channel> connections = new ArrayList<>();
        if (protocol.equals("h2")) {
            Channel h2 = connect(loop, port, "h2");
            connections.add(h2);
            for (int i = 0; i < concurrency; i++) {
                nextStream(h2, url);
            }
        } else if (protocol.equals(SPDY)) {
            Channel spdy = connect(loop, port, SPDY);
            connections.add(spdy);
            SpdyLoop streams = spdy.pipeline().get(SpdyLoop.class);
            for (int i = 0; i < concurrency; i++) {
                spdy.eventLoop().execute(streams::next); // stream ids are taken, and written in order, on the loop
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
            close(ch);
        }
        System.out.printf("  %-9s %8.1f MB/s %8.0f responses/s%n", protocol, result[0], result[1]);
        if (RESETS.get() > 0) {
            System.err.printf("  %s: %d streams reset%s%n", protocol, RESETS.get(),
                    protocol.equals(SPDY) ? ", each retried" : ", each ending its GET loop");
        }
        return result;
    }

    /**
     * Closes a connection at once. A SPDY session's close goes around Netty's session handler, which would wait for
     * the streams still open to end and has no timeout for it (one smoke run waited for minutes); the proxy sees the
     * client go, as it would a browser's.
     */
    private static void close(Channel ch) throws InterruptedException {
        ChannelHandlerContext frames = ch.pipeline().context(SpdyFrameCodec.class);
        ChannelFuture closed = frames != null ? frames.close() : ch.close();
        if (!closed.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a connection did not close in 10 s: " + ch);
        }
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
                                    // (a stream beyond the server's limit waits, as a browser's does)
                                    ctx.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                                            .encoderEnforceMaxConcurrentStreams(true).initialSettings(
                                            Http2Settings.defaultSettings().initialWindowSize(1 << 20)).build());
                                    ctx.pipeline().addLast(new Http2MultiplexHandler(
                                            new ChannelInboundHandlerAdapter()));
                                    // A connection window as wide as browsers give: 16 MiB.
                                    ctx.channel().writeAndFlush(new DefaultHttp2WindowUpdateFrame((16 << 20)
                                            - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
                                } else if (chosen.equals(SPDY)) {
                                    // Frames of up to 16 KiB, the most Ferry sends, are read whole (as in h2).
                                    ctx.pipeline().addLast(new SpdyFrameCodec(SpdyVersion.SPDY_3_1, 16384, 16384, 6,
                                            15, 8));
                                    // The session handler keeps both windows and sends WINDOW_UPDATEs (stream 0
                                    // too) as data arrives: the stream window 1 MiB (announced in SETTINGS, as h2's
                                    // is), the session window 16 MiB (raised at the first DATA frame).
                                    SpdySessionHandler session = new SpdySessionHandler(SpdyVersion.SPDY_3_1, false);
                                    session.setSessionReceiveWindowSize(16 << 20);
                                    ctx.pipeline().addLast(session, new SpdyLoop());
                                    SpdySettingsFrame settings = new DefaultSpdySettingsFrame();
                                    settings.setValue(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20);
                                    ctx.channel().writeAndFlush(settings);
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
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof Http2ResetFrame) {
                    RESETS.incrementAndGet(); // (not retried: that GET loop ends, see the class comment)
                }
            }

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
                    // after the codec closed this stream: opened now, it would be the 101st of 100
                    h2.eventLoop().execute(() -> nextStream(h2, url));
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

    /**
     * GET after GET as SYN_STREAMs of one SPDY session, each carrying the absolute URL in :path as a proxy expects
     * (FIN set: no body), until the deadline. A stream the proxy resets is retried and not counted as a response.
     */
    private static final class SpdyLoop extends ChannelInboundHandlerAdapter {
        private Channel session;
        private int nextId = 1;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            session = ctx.channel();
        }

        void next() {
            if (System.nanoTime() > deadline || !session.isActive()) {
                return;
            }
            SpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(nextId, 0, (byte) 0);
            nextId += 2;
            syn.setLast(true);
            syn.headers().set(SpdyHeaders.HttpNames.METHOD, "GET").set(SpdyHeaders.HttpNames.PATH, target.toString())
                    .set(SpdyHeaders.HttpNames.VERSION, "HTTP/1.1").set(SpdyHeaders.HttpNames.SCHEME,
                            target.getScheme()).set(SpdyHeaders.HttpNames.HOST, target.getRawAuthority());
            session.writeAndFlush(syn).addListener(f -> {
                if (!f.isSuccess()) {
                    System.err.println("  spdy/3.1: SYN_STREAM failed: " + f.cause());
                }
            });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            boolean end = false;
            if (msg instanceof SpdyDataFrame) {
                BYTES.addAndGet(((SpdyDataFrame) msg).content().readableBytes());
                end = ((SpdyDataFrame) msg).isLast();
            } else if (msg instanceof SpdyHeadersFrame) { // SYN_REPLY, or HEADERS (trailers)
                end = ((SpdyHeadersFrame) msg).isLast();
            } else if (msg instanceof SpdyRstStreamFrame) {
                RESETS.incrementAndGet();
                next();
            }
            ReferenceCountUtil.release(msg);
            if (end) {
                RESPONSES.incrementAndGet();
                ctx.executor().execute(this::next);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (System.nanoTime() < deadline) { // (after it, a reset as both ends close is no news)
                System.err.println("  spdy/3.1 session failed: " + cause);
            }
            ctx.close();
        }
    }
}
