package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestWatcher;
import org.junit.runner.Description;

/**
 * Ferry's TLS listener driven by Netty's own HTTP/2 client stack — TLS with ALPN offering only {@code h2},
 * {@link Http2FrameCodecBuilder#forClient()}, {@link Http2MultiplexHandler} and one {@link Http2StreamChannel} per
 * stream ({@link Http2StreamChannelBootstrap}) — an independent peer, not a client of the project. Netty's codec
 * enforces HTTP/2 on what it receives (flow control, header validation, stream states) and answers a violation with
 * RST_STREAM or GOAWAY; a frame logger at the codec sees every frame both ways and each test checks that neither
 * side reset a stream or ended the connection with an error.
 *
 * <p>The client grants 1 MiB per stream (SETTINGS_INITIAL_WINDOW_SIZE) and 16 MiB for the connection: a stream whose
 * reader stalls holds at most its own window of the connection window, as a browser's would.
 */
public class NettyH2ClientInteropIT {

    static final int STREAM_WINDOW = 1 << 20;
    static final int CONNECTION_WINDOW = 16 << 20;

    private static FerryProcess ferry;
    private static TestOrigin origin;
    private static TestOrigin tlsOrigin;
    private H2Peer peer;

    /** Times each test; on a failure prints the end of the proxy's log (the whole log stays in its home). */
    @Rule
    public final TestWatcher report = new TestWatcher() {
        private long started;

        @Override
        protected void starting(Description d) {
            started = System.nanoTime();
        }

        @Override
        protected void succeeded(Description d) {
            System.out.println("[h2-interop] " + d.getMethodName() + " passed in " + millis() + " ms");
        }

        @Override
        protected void failed(Throwable e, Description d) {
            System.out.println("[h2-interop] " + d.getMethodName() + " FAILED after " + millis() + " ms: " + e);
            if (ferry != null) {
                List<String> lines = ferry.log().lines().toList();
                System.out.println("[h2-interop] last lines of " + ferry.home.resolve("data/log/ferry.log") + ":");
                lines.subList(Math.max(0, lines.size() - 120), lines.size()).forEach(System.out::println);
                List<String> access = ferry.accessLog().lines().toList();
                System.out.println("[h2-interop] last lines of the access log:");
                access.subList(Math.max(0, access.size() - 30), access.size()).forEach(System.out::println);
            }
        }

        private long millis() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        }
    };

    @BeforeClass
    public static void start() throws Exception {
        ferry = FerryProcess.start("-Xmx64m", Map.of());
        origin = new TestOrigin(null);
        tlsOrigin = new TestOrigin(TlsOrigin.context());
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (ferry != null) {
                ferry.collectGarbage();
                try (H2Peer last = new H2Peer(ferry.httpsPort)) {
                    Answer answer = last.get(origin.url("/bytes?n=100000")).answer.get(30, TimeUnit.SECONDS);
                    assertEquals(Patterns.sha256(100_000), answer.sha256);
                }
                ferry.assertNoLeaks();
            }
        } finally {
            for (AutoCloseable c : new AutoCloseable[] {ferry, origin, tlsOrigin}) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    @Before
    public void connect() throws Exception {
        peer = new H2Peer(ferry.httpsPort);
    }

    @After
    public void nettyFoundNothingWrong() {
        List<String> sent = peer.errorsSent();
        List<String> received = peer.errorsReceived();
        peer.close();
        assertTrue("Netty's HTTP/2 stack objected to the proxy (or a stream was given up): " + sent, sent.isEmpty());
        assertTrue("the proxy reset Netty's streams or ended the connection: " + received, received.isEmpty());
    }

    @Test
    public void alpnSelectsH2AndAGetArrivesIntact() throws Exception {
        assertEquals("h2", peer.protocol);
        Http2Settings settings = peer.settings.get(10, TimeUnit.SECONDS);
        assertEquals("SETTINGS_MAX_CONCURRENT_STREAMS in " + settings, Long.valueOf(100),
                settings.maxConcurrentStreams());
        int size = 700_000;
        Answer answer = peer.get(origin.url("/bytes?n=" + size)).answer.get(60, TimeUnit.SECONDS);
        assertEquals(200, answer.status);
        assertTrue(answer.headers.toString(), answer.header("via") != null && answer.header("via").contains("ferry"));
        // HTTP/2 forbids connection-specific headers (Netty's decoder would also have reset the stream for them).
        for (String hopByHop : List.of("connection", "keep-alive", "proxy-connection", "transfer-encoding",
                "upgrade")) {
            assertNull(hopByHop + " in " + answer.headers, answer.header(hopByHop));
        }
        assertEquals(size, answer.length);
        assertEquals(Patterns.sha256(size), answer.sha256);
        assertEquals("DATA bytes on the wire", size, peer.dataBytesReceived(answer.streamId));
    }

    @Test
    public void postBodyArrivesWithAndWithoutContentLength() throws Exception {
        int size = 1_500_000;
        byte[] body = new byte[size];
        Patterns.fill(body, 0, size);
        // 1.5 MB is more than the proxy's initial windows: Netty sends as the proxy's WINDOW_UPDATEs allow.
        Answer sized = peer.send("POST", origin.url("/sha256"), body, true, true).answer.get(60, TimeUnit.SECONDS);
        assertEquals(200, sized.status);
        assertEquals(Patterns.sha256(size) + " " + size, sized.text);
        // Without content-length the body ends with END_STREAM; the proxy frames it for HTTP/1.1 itself.
        Answer unsized = peer.send("POST", origin.url("/sha256"), body, false, true).answer
                .get(60, TimeUnit.SECONDS);
        assertEquals(200, unsized.status);
        assertEquals(Patterns.sha256(size) + " " + size, unsized.text);
    }

    @Test
    public void connectTunnelCarriesTlsAndAHundredMiB() throws Exception {
        long size = 100L << 20;
        String expected = Patterns.sha256(size);
        String authority = "127.0.0.1:" + tlsOrigin.port();
        long started = System.nanoTime();
        TlsGet get = new TlsGet(authority, "/bytes?n=" + size);
        Tunnel tunnel = peer.connect(authority);
        assertEquals("CONNECT " + authority + ": " + tunnel.headers, 200, tunnel.status.get(30, TimeUnit.SECONDS)
                .intValue());
        get.startOn(tunnel);
        String[] result = get.result.get(240, TimeUnit.SECONDS);
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.println("[h2-interop] 100 MiB over TLS in an h2 CONNECT stream: " + elapsed + " ms");
        assertEquals("status of GET through the tunnel", "200", result[0]);
        assertEquals(Long.toString(size), result[1]);
        assertEquals(expected, result[2]);
        // After the client's close_notify and END_STREAM the origin closed its TLS session and its connection: the
        // proxy passed the close_notify and then END_STREAM on.
        tunnel.remoteEnded.get(30, TimeUnit.SECONDS);
        Await.until("the origin's close_notify through the tunnel", 5000,
                () -> get.closeNotifyReceived ? Boolean.TRUE : null);
        assertTrue("raw tunnel bytes received: " + tunnel.rawBytesReceived.get(),
                tunnel.rawBytesReceived.get() > size);
    }

    @Test
    public void tunnelHalfCloseGoesThroughAndTheRestStillArrives() throws Exception {
        long size = 8L << 20;
        try (RawTarget target = new RawTarget(size, false)) {
            Tunnel tunnel = peer.connect("127.0.0.1:" + target.port());
            assertEquals(200, tunnel.status.get(30, TimeUnit.SECONDS).intValue());
            // The target reads until its end of stream: only the proxy passing END_STREAM on as a FIN lets it answer.
            tunnel.send("hello".getBytes(StandardCharsets.US_ASCII), true);
            long received = tunnel.remoteEnded.get(60, TimeUnit.SECONDS);
            assertEquals(size, received);
            assertEquals(Patterns.sha256(size), tunnel.digest.hex());
            assertEquals(5, target.received.get());
        }
    }

    @Test
    public void aHundredConcurrentStreamsOfGetsPostsAndTunnels() throws Exception {
        assertEquals(Long.valueOf(100), peer.settings.get(10, TimeUnit.SECONDS).maxConcurrentStreams());
        int tunnelBytes = 256 * 1024;
        try (RawTarget target = new RawTarget(tunnelBytes, false)) {
            List<CompletableFuture<String>> results = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int size = (int) ((i * 104_729L) % 600_001);
                switch (i % 4) {
                    case 0:
                        expected.add("GET 200 " + size + " " + Patterns.sha256(size));
                        results.add(peer.get(origin.url("/bytes?n=" + size)).answer
                                .thenApply(a -> "GET " + a.status + " " + a.length + " " + a.sha256));
                        break;
                    case 1:
                        expected.add("GET chunked 200 " + size + " " + Patterns.sha256(size));
                        results.add(peer.get(origin.url("/bytes?chunked&n=" + size)).answer
                                .thenApply(a -> "GET chunked " + a.status + " " + a.length + " " + a.sha256));
                        break;
                    case 2:
                        byte[] body = new byte[100_000 + i * 1000];
                        Patterns.fill(body, 0, body.length);
                        expected.add("POST 200 " + Patterns.sha256(body.length) + " " + body.length);
                        results.add(peer.send("POST", origin.url("/sha256"), body, i % 8 == 2, true).answer
                                .thenApply(a -> "POST " + a.status + " " + a.text));
                        break;
                    default:
                        expected.add("CONNECT 200 " + tunnelBytes + " " + Patterns.sha256(tunnelBytes));
                        Tunnel tunnel = peer.connect("127.0.0.1:" + target.port());
                        byte marker = (byte) i;
                        results.add(tunnel.status.thenCompose(status -> {
                            // The target answers after its end of stream: one byte, then END_STREAM.
                            tunnel.send(new byte[] {marker}, true);
                            return tunnel.remoteEnded.thenApply(n -> "CONNECT " + status + " " + n + " "
                                    + tunnel.digest.hex());
                        }));
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            for (int i = 0; i < results.size(); i++) {
                long left = Math.max(1, deadline - System.nanoTime());
                assertEquals("stream " + i, expected.get(i), results.get(i).get(left, TimeUnit.NANOSECONDS));
            }
        }
    }

    @Test
    public void aStalledReaderDoesNotStallTheOtherStreams() throws Exception {
        int size = 50_000_000;
        Request stalled = peer.send("GET", origin.url("/bytes?n=" + size), null, false, false);
        int id = stalled.streamId.get(10, TimeUnit.SECONDS);
        Await.until("the first DATA of the stalled stream", 10_000,
                () -> peer.dataBytesReceived(id) > 0 ? Boolean.TRUE : null);
        // Time for the proxy to fill the stream's window; the reader takes nothing, so no WINDOW_UPDATE goes out.
        Thread.sleep(1500);
        long started = System.nanoTime();
        List<CompletableFuture<Answer>> others = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            others.add(peer.get(origin.url("/bytes?n=" + (200_000 + i * 1000))).answer);
        }
        long deadline = started + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < others.size(); i++) {
            Answer other = others.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertEquals(200, other.status);
            assertEquals(Patterns.sha256(200_000 + i * 1000), other.sha256);
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.println("[h2-interop] 20 GETs beside a stalled stream: " + tookMillis + " ms");
        long held = peer.dataBytesReceived(id);
        System.out.println("[h2-interop] the stalled stream received " + held + " bytes while stalled");
        assertTrue("the stalled stream got " + held + " bytes, beyond its window", held <= STREAM_WINDOW);
        assertFalse("the stalled stream cannot be complete", stalled.answer.isDone());
        stalled.channel.config().setAutoRead(true);
        Answer resumed = stalled.answer.get(120, TimeUnit.SECONDS);
        assertEquals(200, resumed.status);
        assertEquals(size, resumed.length);
        assertEquals(Patterns.sha256(size), resumed.sha256);
    }

    @Test
    public void anUnreachableTargetIsA502OnItsStreamOnly() throws Exception {
        int closed = Ports.free();
        Request big = peer.get(origin.url("/bytes?n=400000"));
        Answer refused = peer.get("http://127.0.0.1:" + closed + "/").answer.get(30, TimeUnit.SECONDS);
        assertEquals(502, refused.status);
        assertTrue(refused.headers.toString(), refused.header("proxy-status") != null
                && refused.header("proxy-status").contains("error=connection_refused"));
        Answer answer = big.answer.get(60, TimeUnit.SECONDS);
        assertEquals(200, answer.status);
        assertEquals(Patterns.sha256(400_000), answer.sha256);
    }

    /** A response as the test keeps it: no buffers, so nothing to release. */
    static final class Answer {
        final int streamId;
        final int status;
        final Map<String, String> headers;
        final long length;
        final String sha256;
        /** The body as text when it is at most 4096 bytes. */
        final String text;

        Answer(int streamId, int status, Map<String, String> headers, long length, String sha256, String text) {
            this.streamId = streamId;
            this.status = status;
            this.headers = headers;
            this.length = length;
            this.sha256 = sha256;
            this.text = text;
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    /** A request stream: its child channel, its id once its HEADERS went out, and its answer. */
    static final class Request {
        final Http2StreamChannel channel;
        final CompletableFuture<Integer> streamId;
        final CompletableFuture<Answer> answer;

        Request(Http2StreamChannel channel, CompletableFuture<Integer> streamId, CompletableFuture<Answer> answer) {
            this.channel = channel;
            this.streamId = streamId;
            this.answer = answer;
        }
    }

    /** SHA-256 and count of the bytes that reach it (inbound ByteBufs, released). */
    static final class Digest extends ChannelInboundHandlerAdapter {
        private final MessageDigest sha = Patterns.sha();
        private long count;
        private volatile String hex;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf buf = (ByteBuf) msg;
                count += buf.readableBytes();
                for (ByteBuffer b : buf.nioBuffers()) {
                    sha.update(b);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == Tunnel.END_STREAM) {
                hex = HexFormat.of().formatHex(sha.digest());
            }
            ctx.fireUserEventTriggered(evt);
        }

        /** Valid once the tunnel's END_STREAM arrived. */
        String hex() {
            return hex;
        }
    }

    /**
     * A CONNECT stream: the first handler of its child channel turns DATA frames into the tunnel's bytes (passed on
     * as ByteBufs) and ByteBufs written into DATA frames; END_STREAM from the proxy completes {@link #remoteEnded}
     * (with the count of tunnel bytes) and is passed on as the user event {@link #END_STREAM}.
     */
    static final class Tunnel extends ChannelDuplexHandler {
        static final Object END_STREAM = "END_STREAM";

        final CompletableFuture<Integer> status = new CompletableFuture<>();
        final CompletableFuture<Long> remoteEnded = new CompletableFuture<>();
        final AtomicLong rawBytesReceived = new AtomicLong();
        final Digest digest = new Digest();
        volatile Map<String, String> headers;
        private final H2Peer peer;
        volatile Http2StreamChannel channel;
        private volatile ChannelHandlerContext ctx;

        Tunnel(H2Peer peer) {
            this.peer = peer;
        }

        /** Sends {@code bytes} as one DATA frame, with END_STREAM if {@code end}. */
        void send(byte[] bytes, boolean end) {
            channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), end))
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            fail(f.cause());
                        }
                    });
        }

        /** END_STREAM (an empty DATA frame) behind whatever the handlers above wrote so far. */
        void end() {
            ctx.writeAndFlush(new DefaultHttp2DataFrame(true)).addListener(f -> {
                if (!f.isSuccess()) {
                    fail(f.cause());
                }
            });
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame) {
                Http2HeadersFrame frame = (Http2HeadersFrame) msg;
                if (!status.isDone()) {
                    headers = H2Peer.toMap(frame.headers());
                    status.complete(Integer.parseInt(frame.headers().status().toString()));
                } else {
                    peer.errorsReceived.add("HEADERS on tunnel stream " + channel.stream().id() + " after its 200: "
                            + frame.headers());
                }
                if (frame.isEndStream()) {
                    ended(ctx);
                }
            } else if (msg instanceof Http2DataFrame) {
                Http2DataFrame frame = (Http2DataFrame) msg;
                boolean end = frame.isEndStream();
                ByteBuf content = frame.content().retain();
                frame.release();
                if (content.isReadable()) {
                    rawBytesReceived.addAndGet(content.readableBytes());
                    ctx.fireChannelRead(content);
                } else {
                    content.release();
                }
                if (end) {
                    ended(ctx);
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        private void ended(ChannelHandlerContext ctx) {
            ctx.fireUserEventTriggered(END_STREAM);
            remoteEnded.complete(rawBytesReceived.get());
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ctx.write(msg instanceof ByteBuf ? new DefaultHttp2DataFrame((ByteBuf) msg, false) : msg, promise);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame) {
                fail(new IOException("the proxy reset the tunnel stream: "
                        + Http2Error.valueOf(((Http2ResetFrame) evt).errorCode())));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(new IOException("the tunnel stream's channel closed"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            peer.errorsSent.add("exception on a tunnel stream: " + cause);
            fail(cause);
        }

        void fail(Throwable cause) {
            status.completeExceptionally(cause);
            remoteEnded.completeExceptionally(cause);
        }
    }

    /**
     * An HTTP/1.1 GET over TLS inside a tunnel stream: Netty's {@link SslHandler} and {@link HttpClientCodec} on the
     * child channel behind the {@link Tunnel} handler. The connection stays open after the response; the client then
     * ends its TLS session (close_notify) and the stream (END_STREAM), and the origin does the same in return.
     * {@link #result} is status, length and SHA-256 of the body, complete when the proxy ended the stream too.
     */
    static final class TlsGet extends ChannelInboundHandlerAdapter {
        final CompletableFuture<String[]> result = new CompletableFuture<>();
        volatile boolean closeNotifyReceived;
        private final String authority;
        private final String path;
        private final MessageDigest sha = Patterns.sha();
        private Tunnel tunnel;
        private SslHandler ssl;
        private int status = -1;
        private long length;
        private boolean bodyComplete;

        TlsGet(String authority, String path) {
            this.authority = authority;
            this.path = path;
        }

        /** Adds TLS, the HTTP codec and this handler behind the tunnel's; TLS starts its handshake at once. */
        void startOn(Tunnel tunnel) throws Exception {
            this.tunnel = tunnel;
            SslContext tls = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .build();
            Http2StreamChannel ch = tunnel.channel;
            String host = authority.substring(0, authority.lastIndexOf(':'));
            int port = Integer.parseInt(authority.substring(authority.lastIndexOf(':') + 1));
            ch.eventLoop().submit(() -> {
                ssl = tls.newHandler(ch.alloc(), host, port);
                // TLS takes the tunnel's bytes instead of the digest.
                ch.pipeline().remove(tunnel.digest);
                ch.pipeline().addLast(ssl, new HttpClientCodec(), this);
            }).get(10, TimeUnit.SECONDS);
            tunnel.remoteEnded.whenComplete((n, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else if (!bodyComplete) {
                    result.completeExceptionally(new IOException("the tunnel ended after " + length
                            + " body bytes, before the response was complete"));
                } else {
                    result.complete(new String[] {Integer.toString(status), Long.toString(length),
                        HexFormat.of().formatHex(sha.digest())});
                }
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent) {
                SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent) evt;
                if (done.isSuccess()) {
                    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
                    request.headers().set(HttpHeaderNames.HOST, authority);
                    ctx.writeAndFlush(request);
                } else {
                    result.completeExceptionally(done.cause());
                }
            } else if (evt instanceof SslCloseCompletionEvent) {
                closeNotifyReceived = ((SslCloseCompletionEvent) evt).isSuccess();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse) {
                    status = ((HttpResponse) msg).status().code();
                }
                if (msg instanceof HttpContent) {
                    ByteBuf content = ((HttpContent) msg).content();
                    length += content.readableBytes();
                    for (ByteBuffer b : content.nioBuffers()) {
                        sha.update(b);
                    }
                }
                if (msg instanceof LastHttpContent) {
                    bodyComplete = true;
                    ssl.closeOutbound().addListener(f -> tunnel.end());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            tunnel.peer.errorsSent.add("exception in the TLS session inside a tunnel: " + cause);
            result.completeExceptionally(cause);
        }
    }

    /** One TLS connection to Ferry with Netty's HTTP/2 client stack, plus a recorder of the frames around it. */
    static final class H2Peer implements AutoCloseable {

        final NioEventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("netty-h2-peer", true));
        final Channel channel;
        final String protocol;
        final CompletableFuture<Http2Settings> settings = new CompletableFuture<>();
        final List<String> errorsSent = Collections.synchronizedList(new ArrayList<>());
        final List<String> errorsReceived = Collections.synchronizedList(new ArrayList<>());
        private final Map<Integer, AtomicLong> dataReceived = new ConcurrentHashMap<>();
        private volatile boolean closing;

        H2Peer(int port) throws Exception {
            SslContext tls = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2))
                    .build();
            CompletableFuture<String> negotiated = new CompletableFuture<>();
            channel = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", port));
                            ch.pipeline().addLast(new ApplicationProtocolNegotiationHandler("(none)") {
                                @Override
                                protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                                        startHttp2(ctx.pipeline().channel());
                                    }
                                    negotiated.complete(protocol);
                                }

                                @Override
                                protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                                    negotiated.completeExceptionally(cause);
                                    ctx.close();
                                }
                            });
                        }
                    })
                    .connect("127.0.0.1", port).sync().channel();
            try {
                negotiated.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                close();
                throw new IOException("TLS handshake with the proxy failed", e);
            }
            protocol = channel.pipeline().get(SslHandler.class).applicationProtocol();
            if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                close();
                throw new AssertionError("ALPN selected " + protocol + ", not h2");
            }
        }

        private void startHttp2(Channel ch) {
            Http2Settings initial = Http2Settings.defaultSettings().initialWindowSize(STREAM_WINDOW).pushEnabled(false);
            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                    .initialSettings(initial)
                    .frameLogger(new Recorder())
                    .build());
            ch.pipeline().addLast(new Http2MultiplexHandler(new NoPushes()));
            // Connection-level frames (SETTINGS, its ack, PING, GOAWAY) end here; the recorder has seen them.
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ReferenceCountUtil.release(msg);
                }
            });
            // Without a stream, a WINDOW_UPDATE is for the connection: 64 KiB - 1 is raised to CONNECTION_WINDOW.
            ch.writeAndFlush(new DefaultHttp2WindowUpdateFrame(
                    CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
        }

        Request get(String absoluteUrl) throws Exception {
            return send("GET", absoluteUrl, null, false, true);
        }

        /**
         * Opens a stream with the request as HTTP/2 has it: {@code :method}, {@code :scheme}, {@code :authority},
         * {@code :path} of the absolute URL; a body as one DATA frame with END_STREAM (Netty's encoder splits it to
         * the frame size and the proxy's windows), with or without content-length. With {@code autoRead} false the
         * stream's channel reads nothing (so its window is not replenished) until its auto-read is switched on.
         */
        Request send(String method, String absoluteUrl, byte[] body, boolean contentLength, boolean autoRead)
                throws Exception {
            URI uri = URI.create(absoluteUrl);
            String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            Http2Headers headers = new DefaultHttp2Headers()
                    .method(method)
                    .scheme(uri.getScheme())
                    .authority(uri.getRawAuthority())
                    .path(path);
            if (body != null && contentLength) {
                headers.setInt("content-length", body.length);
            }
            Collector collector = new Collector();
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel)
                    .option(ChannelOption.AUTO_READ, autoRead)
                    .handler(collector)
                    .open().get(10, TimeUnit.SECONDS);
            CompletableFuture<Integer> id = new CompletableFuture<>();
            stream.write(new DefaultHttp2HeadersFrame(headers, body == null)).addListener(f -> {
                if (f.isSuccess()) {
                    id.complete(stream.stream().id());
                } else {
                    id.completeExceptionally(f.cause());
                    collector.answer.completeExceptionally(f.cause());
                }
            });
            if (body != null) {
                stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true)).addListener(f -> {
                    if (!f.isSuccess()) {
                        collector.answer.completeExceptionally(f.cause());
                    }
                });
            }
            stream.flush();
            return new Request(stream, id, collector.answer);
        }

        /** Opens a stream with {@code :method CONNECT} and {@code :authority} (nothing else) and its HEADERS only. */
        Tunnel connect(String authority) throws Exception {
            Tunnel tunnel = new Tunnel(this);
            return open(tunnel, new DefaultHttp2Headers().method("CONNECT").authority(authority), tunnel.digest);
        }

        /**
         * Opens a stream with {@code headers} (no END_STREAM) whose DATA the {@link Tunnel} turns into bytes for
         * {@code above}, the handlers behind it.
         */
        Tunnel open(Tunnel tunnel, Http2Headers headers, ChannelHandler... above) throws Exception {
            Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel)
                    .handler(new ChannelInitializer<Http2StreamChannel>() {
                        @Override
                        protected void initChannel(Http2StreamChannel ch) {
                            ch.pipeline().addLast(tunnel);
                            ch.pipeline().addLast(above);
                        }
                    })
                    .open().get(10, TimeUnit.SECONDS);
            tunnel.channel = stream;
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false)).addListener(f -> {
                if (!f.isSuccess()) {
                    tunnel.fail(f.cause());
                }
            });
            return tunnel;
        }

        /** DATA payload bytes (with padding) received on {@code streamId}, counted as they come off the wire. */
        long dataBytesReceived(int streamId) {
            AtomicLong n = dataReceived.get(streamId);
            return n == null ? 0 : n.get();
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
            closing = true;
            channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }

        static Map<String, String> toMap(Http2Headers headers) {
            Map<String, String> map = new HashMap<>();
            headers.forEach(e -> map.merge(e.getKey().toString().toLowerCase(), e.getValue().toString(),
                    (a, b) -> a + ", " + b));
            return map;
        }

        /** Sees every frame at the codec, both ways, as it is read or written. */
        private final class Recorder extends Http2FrameLogger {

            Recorder() {
                super(LogLevel.TRACE, "netty-h2-peer");
            }

            @Override
            public void logSettings(Direction direction, ChannelHandlerContext ctx, Http2Settings s) {
                if (direction == Direction.INBOUND) {
                    settings.complete(new Http2Settings().copyFrom(s));
                }
            }

            @Override
            public void logData(Direction direction, ChannelHandlerContext ctx, int streamId, ByteBuf data,
                    int padding, boolean endStream) {
                if (direction == Direction.INBOUND) {
                    dataReceived.computeIfAbsent(streamId, k -> new AtomicLong())
                            .addAndGet(data.readableBytes() + padding);
                }
            }

            @Override
            public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
                String rst = "RST_STREAM stream " + streamId + " " + name(errorCode);
                (direction == Direction.INBOUND ? errorsReceived : errorsSent).add(rst);
            }

            @Override
            public void logGoAway(Direction direction, ChannelHandlerContext ctx, int lastStreamId, long errorCode,
                    ByteBuf debugData) {
                String goAway = "GOAWAY last stream " + lastStreamId + " " + name(errorCode) + " "
                        + debugData.toString(StandardCharsets.UTF_8);
                if (direction == Direction.INBOUND) {
                    if (!closing) {
                        errorsReceived.add(goAway);
                    }
                } else if (errorCode != Http2Error.NO_ERROR.code()) {
                    errorsSent.add(goAway);
                }
            }

            private String name(long errorCode) {
                Http2Error error = Http2Error.valueOf(errorCode);
                return error == null ? "error " + errorCode : error.name();
            }
        }

        /** Push is off (SETTINGS_ENABLE_PUSH 0): a stream the proxy opens is an error. */
        @ChannelHandler.Sharable
        private final class NoPushes extends ChannelInboundHandlerAdapter {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                errorsReceived.add("the proxy opened stream " + ((Http2StreamChannel) ctx.channel()).stream().id());
            }
        }

        /** A request stream's response: head, body digest, trailers, complete at END_STREAM. */
        private final class Collector extends ChannelInboundHandlerAdapter {
            final CompletableFuture<Answer> answer = new CompletableFuture<>();
            private final MessageDigest sha = Patterns.sha();
            private final ByteArrayOutputStream start = new ByteArrayOutputStream();
            private Map<String, String> head;
            private int status = -1;
            private long length;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                try {
                    if (msg instanceof Http2HeadersFrame) {
                        Http2HeadersFrame frame = (Http2HeadersFrame) msg;
                        if (head == null) {
                            int code = Integer.parseInt(frame.headers().status().toString());
                            if (code >= 200) {
                                status = code;
                                head = toMap(frame.headers());
                            }
                        }
                        if (frame.isEndStream()) {
                            finish(ctx);
                        }
                    } else if (msg instanceof Http2DataFrame) {
                        Http2DataFrame frame = (Http2DataFrame) msg;
                        ByteBuf content = frame.content();
                        if (head == null) {
                            answer.completeExceptionally(new IOException("DATA before a final response head"));
                        }
                        length += content.readableBytes();
                        for (ByteBuffer b : content.nioBuffers()) {
                            sha.update(b);
                        }
                        int keep = Math.min(content.readableBytes(), 4096 - start.size());
                        if (keep > 0) {
                            content.getBytes(content.readerIndex(), start, keep);
                        }
                        if (frame.isEndStream()) {
                            finish(ctx);
                        }
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            private void finish(ChannelHandlerContext ctx) {
                if (head == null) {
                    answer.completeExceptionally(new IOException("END_STREAM without a final response head"));
                    return;
                }
                answer.complete(new Answer(((Http2StreamChannel) ctx.channel()).stream().id(), status, head, length,
                        HexFormat.of().formatHex(sha.digest()),
                        length <= 4096 ? start.toString(StandardCharsets.UTF_8) : null));
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof Http2ResetFrame) {
                    answer.completeExceptionally(new IOException("the proxy reset stream "
                            + ((Http2StreamChannel) ctx.channel()).stream().id() + ": "
                            + Http2Error.valueOf(((Http2ResetFrame) evt).errorCode())));
                }
                ctx.fireUserEventTriggered(evt);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                answer.completeExceptionally(new IOException("stream channel closed before the response ended"));
                ctx.fireChannelInactive();
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                errorsSent.add("exception on stream " + ((Http2StreamChannel) ctx.channel()).stream().id() + ": "
                        + cause);
                answer.completeExceptionally(cause);
            }
        }
    }
}
