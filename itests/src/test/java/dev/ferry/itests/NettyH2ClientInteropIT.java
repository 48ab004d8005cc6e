package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
                    H2Peer.Answer answer = last.get(origin.url("/bytes?n=100000")).answer.get(30, TimeUnit.SECONDS);
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
        H2Peer.Answer answer = peer.get(origin.url("/bytes?n=" + size)).answer.get(60, TimeUnit.SECONDS);
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
        H2Peer.Answer sized = peer.send("POST", origin.url("/sha256"), body, true, true).answer.get(60, TimeUnit.SECONDS);
        assertEquals(200, sized.status);
        assertEquals(Patterns.sha256(size) + " " + size, sized.text);
        // Without content-length the body ends with END_STREAM; the proxy frames it for HTTP/1.1 itself.
        H2Peer.Answer unsized = peer.send("POST", origin.url("/sha256"), body, false, true).answer
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
        H2Tunnel.TlsGet get = new H2Tunnel.TlsGet(authority, "/bytes?n=" + size);
        H2Tunnel tunnel = peer.connect(authority);
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
            H2Tunnel tunnel = peer.connect("127.0.0.1:" + target.port());
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
                        H2Tunnel tunnel = peer.connect("127.0.0.1:" + target.port());
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
        H2Peer.Request stalled = peer.send("GET", origin.url("/bytes?n=" + size), null, false, false);
        int id = stalled.streamId.get(10, TimeUnit.SECONDS);
        Await.until("the first DATA of the stalled stream", 10_000,
                () -> peer.dataBytesReceived(id) > 0 ? Boolean.TRUE : null);
        // Time for the proxy to fill the stream's window; the reader takes nothing, so no WINDOW_UPDATE goes out.
        Thread.sleep(1500);
        long started = System.nanoTime();
        List<CompletableFuture<H2Peer.Answer>> others = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            others.add(peer.get(origin.url("/bytes?n=" + (200_000 + i * 1000))).answer);
        }
        long deadline = started + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < others.size(); i++) {
            H2Peer.Answer other = others.get(i).get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            assertEquals(200, other.status);
            assertEquals(Patterns.sha256(200_000 + i * 1000), other.sha256);
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.println("[h2-interop] 20 GETs beside a stalled stream: " + tookMillis + " ms");
        long held = peer.dataBytesReceived(id);
        System.out.println("[h2-interop] the stalled stream received " + held + " bytes while stalled");
        assertTrue("the stalled stream got " + held + " bytes, beyond its window", held <= H2Peer.STREAM_WINDOW);
        assertFalse("the stalled stream cannot be complete", stalled.answer.isDone());
        stalled.channel.config().setAutoRead(true);
        H2Peer.Answer resumed = stalled.answer.get(120, TimeUnit.SECONDS);
        assertEquals(200, resumed.status);
        assertEquals(size, resumed.length);
        assertEquals(Patterns.sha256(size), resumed.sha256);
    }

    @Test
    public void anUnreachableTargetIsA502OnItsStreamOnly() throws Exception {
        int closed = Ports.free();
        H2Peer.Request big = peer.get(origin.url("/bytes?n=400000"));
        H2Peer.Answer refused = peer.get("http://127.0.0.1:" + closed + "/").answer.get(30, TimeUnit.SECONDS);
        assertEquals(502, refused.status);
        assertTrue(refused.headers.toString(), refused.header("proxy-status") != null
                && refused.header("proxy-status").contains("error=connection_refused"));
        H2Peer.Answer answer = big.answer.get(60, TimeUnit.SECONDS);
        assertEquals(200, answer.status);
        assertEquals(Patterns.sha256(400_000), answer.sha256);
    }
}
