package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHttpCodec;
import io.netty.handler.codec.spdy.SpdyHttpHeaders;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySessionHandler;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.codec.spdy.SpdyWindowUpdateFrame;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Ferry's SPDY/3.1 listener driven by Netty's own SPDY client stack — {@link SpdyFrameCodec},
 * {@link SpdySessionHandler} in client mode (stream bookkeeping, both directions of flow control, its own
 * WINDOW_UPDATEs as it receives) and {@link SpdyHttpCodec} — an independent peer, not the project's SPDY client.
 * Netty's session handler answers anything it finds against SPDY/3.1 (e.g. DATA beyond its window) with RST_STREAM
 * or GOAWAY; each test checks that it never had to.
 */
public class NettySpdyClientInteropIT {

    private static FerryProcess ferry;
    private static TestOrigin origin;
    private NettyPeer peer;

    @BeforeClass
    public static void start() throws Exception {
        ferry = FerryProcess.start("-Xmx64m", Map.of());
        origin = new TestOrigin(null);
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (ferry != null) {
                ferry.collectGarbage();
                try (NettyPeer last = new NettyPeer(ferry.httpsPort)) {
                    Answer answer = last.get(origin.url("/bytes?n=100000")).get(30, TimeUnit.SECONDS);
                    assertEquals(Patterns.sha256(100_000), answer.sha256);
                }
                ferry.assertNoLeaks();
            }
        } finally {
            for (AutoCloseable c : new AutoCloseable[] {ferry, origin}) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    @Before
    public void connect() throws Exception {
        peer = new NettyPeer(ferry.httpsPort);
    }

    @After
    public void nettyFoundNothingWrong() {
        List<String> sent = peer.errorsSent();
        List<String> received = peer.errorsReceived();
        peer.close();
        assertTrue("Netty's session handler objected to the proxy: " + sent, sent.isEmpty());
        assertTrue("the proxy reset or ended Netty's streams: " + received, received.isEmpty());
    }

    @Test
    public void alpnSelectsSpdyAndAGetArrivesIntact() throws Exception {
        assertEquals("spdy/3.1", peer.protocol);
        Map<Integer, Integer> settings = peer.settings.get(10, TimeUnit.SECONDS);
        assertEquals(Integer.valueOf(100), settings.get(SpdySettingsFrame.SETTINGS_MAX_CONCURRENT_STREAMS));
        int size = 700_000;
        Answer answer = peer.get(origin.url("/bytes?n=" + size)).get(60, TimeUnit.SECONDS);
        assertEquals(1, answer.streamId);
        assertEquals(200, answer.status);
        assertEquals("1.1 ferry", answer.headers.get("via"));
        assertEquals(size, answer.length);
        assertEquals(Patterns.sha256(size), answer.sha256);
        // 700 kB through 64 KiB windows: only Netty's own WINDOW_UPDATEs can have let it through.
        assertTrue("stream window updates sent: " + peer.streamWindowUpdatesSent.get(),
                peer.streamWindowUpdatesSent.get() >= size / 65_536);
        assertEquals(size, peer.dataBytesReceived.get());
    }

    @Test
    public void concurrentGetsOnOneSession() throws Exception {
        int[] sizes = {300_000, 420_000, 555_555, 650_000, 1, 0};
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        for (int size : sizes) {
            answers.add(peer.get(origin.url("/bytes?n=" + size)));
        }
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            Answer answer = answers.get(i).get(60, TimeUnit.SECONDS);
            assertEquals(200, answer.status);
            assertEquals("size " + sizes[i], sizes[i], answer.length);
            assertEquals("size " + sizes[i], Patterns.sha256(sizes[i]), answer.sha256);
            ids.add(answer.streamId);
        }
        assertEquals(List.of(1, 3, 5, 7, 9, 11), ids);
    }

    @Test
    public void postBodyGoesOutWithinTheProxysWindows() throws Exception {
        // Netty's session handler splits the body to the windows Ferry grants and waits for its WINDOW_UPDATEs.
        int size = 1_500_000;
        byte[] body = new byte[size];
        Patterns.fill(body, 0, size);
        Answer answer = peer.send(HttpMethod.POST, origin.url("/sha256"), body, true).get(60, TimeUnit.SECONDS);
        assertEquals(200, answer.status);
        assertEquals(Patterns.sha256(size) + " " + size, answer.text);
        // Without content-length the body ends with the stream's FIN; the proxy has to frame it for HTTP/1.1 itself.
        Answer unsized = peer.send(HttpMethod.POST, origin.url("/sha256"), body, false).get(60, TimeUnit.SECONDS);
        assertEquals(200, unsized.status);
        assertEquals(Patterns.sha256(size) + " " + size, unsized.text);
        assertTrue("the proxy's window updates: " + peer.windowUpdatesReceived.get(),
                peer.windowUpdatesReceived.get() > 0);
    }

    @Test
    public void headEndsItsStreamWithoutABody() throws Exception {
        // The origin announces 12345 bytes and sends none: the proxy must end the stream anyway.
        Answer head = peer.send(HttpMethod.HEAD, origin.url("/bytes?n=12345"), null, false).get(30, TimeUnit.SECONDS);
        assertEquals(200, head.status);
        assertEquals(0, head.length);
        Answer after = peer.get(origin.url("/bytes?n=12345")).get(30, TimeUnit.SECONDS);
        assertEquals(Patterns.sha256(12345), after.sha256);
    }

    @Test
    public void anUnreachableTargetIsA502OnItsStreamOnly() throws Exception {
        int closed = Ports.free();
        CompletableFuture<Answer> big = peer.get(origin.url("/bytes?n=400000"));
        Answer refused = peer.get("http://127.0.0.1:" + closed + "/").get(30, TimeUnit.SECONDS);
        assertEquals(502, refused.status);
        assertTrue(refused.headers.toString(),
                refused.headers.get("proxy-status").contains("error=connection_refused"));
        assertEquals(Patterns.sha256(400_000), big.get(60, TimeUnit.SECONDS).sha256);
    }

    /** A response as the test keeps it: no buffers, so nothing to release. */
    static final class Answer {
        final int streamId;
        final int status;
        final Map<String, String> headers;
        final long length;
        final String sha256;
        final String text;

        Answer(FullHttpResponse response) {
            this.streamId = response.headers().getInt(SpdyHttpHeaders.Names.STREAM_ID);
            this.status = response.status().code();
            Map<String, String> h = new HashMap<>();
            response.headers().forEach(e -> h.putIfAbsent(e.getKey().toLowerCase(), e.getValue()));
            this.headers = h;
            ByteBuf content = response.content();
            this.length = content.readableBytes();
            MessageDigest sha = Patterns.sha();
            sha.update(content.nioBuffer());
            this.sha256 = HexFormat.of().formatHex(sha.digest());
            this.text = length <= 4096 ? content.toString(StandardCharsets.UTF_8) : null;
        }
    }

    /** One TLS connection to Ferry with Netty's SPDY/3.1 client stack, plus a recorder of the frames around it. */
    static final class NettyPeer implements AutoCloseable {

        final NioEventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("netty-spdy-peer", true));
        final Channel channel;
        final String protocol;
        final CompletableFuture<Map<Integer, Integer>> settings = new CompletableFuture<>();
        final AtomicInteger streamWindowUpdatesSent = new AtomicInteger();
        final AtomicInteger windowUpdatesReceived = new AtomicInteger();
        final AtomicLong dataBytesReceived = new AtomicLong();
        private final List<String> errorsSent = Collections.synchronizedList(new ArrayList<>());
        private final List<String> errorsReceived = Collections.synchronizedList(new ArrayList<>());
        private final Map<Integer, CompletableFuture<Answer>> pending = new ConcurrentHashMap<>();
        /** Used on the event loop only. */
        private int nextStreamId = 1;

        NettyPeer(int port) throws Exception {
            SslContext tls = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "spdy/3.1"))
                    .build();
            channel = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(tls.newHandler(ch.alloc(), "127.0.0.1", port))
                                    .addLast(new SpdyFrameCodec(SpdyVersion.SPDY_3_1))
                                    .addLast(new FrameRecorder())
                                    .addLast(new SpdySessionHandler(SpdyVersion.SPDY_3_1, false))
                                    .addLast(new SpdyHttpCodec(SpdyVersion.SPDY_3_1, 16 * 1024 * 1024))
                                    .addLast(new Responses());
                        }
                    })
                    .connect("127.0.0.1", port).sync().channel();
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (!ssl.handshakeFuture().await(10, TimeUnit.SECONDS) || !ssl.handshakeFuture().isSuccess()) {
                channel.close();
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                throw new IOException("TLS handshake with the proxy failed", ssl.handshakeFuture().cause());
            }
            protocol = ssl.applicationProtocol();
            if (!"spdy/3.1".equals(protocol)) {
                close();
                throw new IOException("ALPN selected " + protocol + ", not spdy/3.1");
            }
        }

        CompletableFuture<Answer> get(String absoluteUrl) {
            return send(HttpMethod.GET, absoluteUrl, null, false);
        }

        /**
         * Sends a request the way Netty's SPDY HTTP layer expects it: an absolute URI (a proxy request), Host, the
         * scheme and the odd stream id as headers; ids taken and frames written in order on the event loop. With
         * {@code contentLength} false a body goes without a content-length header (it ends with the FIN).
         */
        CompletableFuture<Answer> send(HttpMethod method, String absoluteUrl, byte[] body, boolean contentLength) {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            java.net.URI uri = java.net.URI.create(absoluteUrl);
            channel.eventLoop().execute(() -> {
                FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, absoluteUrl,
                        body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
                int id = nextStreamId;
                nextStreamId += 2;
                request.headers().set(HttpHeaderNames.HOST, uri.getAuthority());
                request.headers().set(SpdyHttpHeaders.Names.SCHEME, uri.getScheme());
                request.headers().setInt(SpdyHttpHeaders.Names.STREAM_ID, id);
                if (body != null && contentLength) {
                    request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                }
                pending.put(id, answer);
                channel.writeAndFlush(request).addListener(f -> {
                    if (!f.isSuccess()) {
                        fail(id, f.cause());
                    }
                });
            });
            return answer;
        }

        private void fail(int streamId, Throwable cause) {
            CompletableFuture<Answer> answer = pending.remove(streamId);
            if (answer != null) {
                answer.completeExceptionally(cause);
            }
        }

        List<String> errorsSent() {
            synchronized (errorsSent) {
                return new ArrayList<>(errorsSent);
            }
        }

        List<String> errorsReceived() {
            synchronized (errorsReceived) {
                return new ArrayList<>(errorsReceived);
            }
        }

        @Override
        public void close() {
            channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }

        /** Between the frame codec and the session handler: sees every frame both ways, passes each on as it is. */
        private final class FrameRecorder extends ChannelDuplexHandler {

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof SpdySettingsFrame) {
                    SpdySettingsFrame frame = (SpdySettingsFrame) msg;
                    Map<Integer, Integer> values = new HashMap<>();
                    for (int id : frame.ids()) {
                        values.put(id, frame.getValue(id));
                    }
                    settings.complete(values);
                } else if (msg instanceof SpdyDataFrame) {
                    dataBytesReceived.addAndGet(((SpdyDataFrame) msg).content().readableBytes());
                } else if (msg instanceof SpdyWindowUpdateFrame) {
                    windowUpdatesReceived.incrementAndGet();
                } else if (msg instanceof SpdyRstStreamFrame) {
                    SpdyRstStreamFrame rst = (SpdyRstStreamFrame) msg;
                    errorsReceived.add("RST_STREAM " + rst.streamId() + " " + rst.status());
                    fail(rst.streamId(), new IOException("the proxy reset stream " + rst.streamId() + ": "
                            + rst.status()));
                } else if (msg instanceof SpdyGoAwayFrame) {
                    errorsReceived.add("GOAWAY " + ((SpdyGoAwayFrame) msg).status());
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof SpdyWindowUpdateFrame && ((SpdyWindowUpdateFrame) msg).streamId() != 0) {
                    streamWindowUpdatesSent.incrementAndGet();
                } else if (msg instanceof SpdyRstStreamFrame) {
                    errorsSent.add("RST_STREAM " + ((SpdyRstStreamFrame) msg).streamId() + " "
                            + ((SpdyRstStreamFrame) msg).status());
                } else if (msg instanceof SpdyGoAwayFrame && ((SpdyGoAwayFrame) msg).status().code() != 0) {
                    errorsSent.add("GOAWAY " + ((SpdyGoAwayFrame) msg).status());
                }
                ctx.write(msg, promise);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                for (Integer id : new ArrayList<>(pending.keySet())) {
                    fail(id, new IOException("the connection to the proxy closed"));
                }
                ctx.fireChannelInactive();
            }
        }

        /** Netty's SPDY HTTP decoder hands over each response whole, with its stream id as a header. */
        private final class Responses extends SimpleChannelInboundHandler<FullHttpResponse> {

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
                Answer answer = new Answer(response);
                CompletableFuture<Answer> waiting = pending.remove(answer.streamId);
                if (waiting != null) {
                    waiting.complete(answer);
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                errorsSent.add("exception: " + cause);
                for (Integer id : new ArrayList<>(pending.keySet())) {
                    fail(id, cause);
                }
                ctx.close();
            }
        }
    }
}
