package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.spdy.client.GoAway;
import dev.ferry.spdy.client.Negotiation;
import dev.ferry.spdy.client.Response;
import dev.ferry.spdy.client.SpdyClient;
import dev.ferry.spdy.client.SpdySession;
import dev.ferry.spdy.client.Tunnel;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Chrome's "SPDY proxy": TLS to Ferry negotiates spdy/3.1, http:// URLs ride SYN_STREAMs and https:// URLs CONNECT
 * tunnels on streams. Driven by the project's SPDY client against the real distribution (64 MiB heap, paranoid leak
 * detection); the client also records anything the proxy does against SPDY/3.1.
 */
public class SpdyProxyIT {

    private static final int SETTINGS_MAX_CONCURRENT_STREAMS = 4;
    private static final int SETTINGS_INITIAL_WINDOW_SIZE = 7;
    private static FerryProcess ferry;
    private static TestOrigin origin;
    private static TestOrigin tlsOrigin;
    private static SpdyClient client;
    private SpdySession session;

    @BeforeClass
    public static void start() throws Exception {
        ferry = FerryProcess.start("-Xmx64m", Map.of());
        origin = new TestOrigin(null);
        tlsOrigin = new TestOrigin(TlsOrigin.context());
        client = new SpdyClient();
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (ferry != null) {
                ferry.collectGarbage();
                try (SpdySession last = open()) {
                    last.get(origin.url("/bytes?n=100000")).sha256();
                }
                ferry.assertNoLeaks();
            }
        } finally {
            for (AutoCloseable c : new AutoCloseable[] {client, ferry, origin, tlsOrigin}) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    private static SpdySession open() throws Exception {
        return client.open(new InetSocketAddress("127.0.0.1", ferry.httpsPort), Negotiation.ALPN);
    }

    @Before
    public void openSession() throws Exception {
        session = open();
    }

    @After
    public void closeSession() {
        List<String> violations = session.peerViolations();
        session.close();
        assertTrue("the proxy broke SPDY/3.1: " + violations, violations.isEmpty());
    }

    @Test
    public void alpnNegotiatesSpdyAndTheProxyAdvertisesItsLimits() throws Exception {
        assertEquals("spdy/3.1", session.negotiatedProtocol());
        Map<Integer, Integer> settings = session.settings().get(10, TimeUnit.SECONDS);
        assertEquals(Integer.valueOf(100), settings.get(SETTINGS_MAX_CONCURRENT_STREAMS));
        assertEquals(Integer.valueOf(65536), settings.get(SETTINGS_INITIAL_WINDOW_SIZE));
        assertTrue(session.ping().toMillis() < 10_000);
    }

    @Test
    public void getStreamsTheResponseWithinTheWindows() throws Exception {
        try (Response response = session.get(origin.url("/bytes?n=3000000"))) {
            assertEquals(200, response.status());
            assertEquals("1.1 ferry", response.header("via"));
            assertEquals(Patterns.sha256(3_000_000), response.sha256());
        }
    }

    @Test
    public void postBodyStreamsIntact() throws Exception {
        long size = 4L << 20;
        try (Response response = session.send("POST", origin.url("/sha256"), Map.of(), Patterns.stream(size))
                .get(60, TimeUnit.SECONDS)) {
            assertEquals(200, response.status());
            assertEquals(Patterns.sha256(size) + " " + size,
                    new String(response.bodyBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    public void connectTunnelCarriesTlsToAnHttp11Origin() throws Exception {
        try (Tunnel tunnel = session.connect("127.0.0.1:" + tlsOrigin.port());
             TunnelBridge bridge = new TunnelBridge(tunnel)) {
            assertEquals(200, tunnel.status());
            Curl c = Curl.run("-k", "https://127.0.0.1:" + bridge.port() + "/echo");
            assertEquals(c.toString(), 0, c.exit);
            assertTrue(c.out, c.out.startsWith("GET /echo HTTP/1.1\n"));
        }
    }

    @Test
    public void tunnelHalfCloseGoesThroughAndTheRestStillArrives() throws Exception {
        long size = 8L << 20;
        try (RawTarget target = new RawTarget(size, false);
             Tunnel tunnel = session.connect("127.0.0.1:" + target.port())) {
            assertEquals(200, tunnel.status());
            OutputStream out = tunnel.output();
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.close();
            String[] digest;
            try (InputStream in = tunnel.input()) {
                digest = Patterns.digest(in);
            }
            assertEquals(Long.toString(size), digest[1]);
            assertEquals(Patterns.sha256(size), digest[0]);
            assertEquals(5, target.received.get());
        }
    }

    @Test
    public void aStalledTunnelHoldsBackItsSenderAndNotTheOtherStreams() throws Exception {
        long size = 64L << 20;
        try (RawTarget target = new RawTarget(size, true);
             Tunnel tunnel = session.connect("127.0.0.1:" + target.port())) {
            assertEquals(200, tunnel.status());
            Thread.sleep(2000);
            long sentWhileStalled = target.written.get();
            try (Response other = session.get(origin.url("/bytes?n=1000000"))) {
                assertEquals("another stream on the session", Patterns.sha256(1_000_000), other.sha256());
            }
            // The stream window (64 KiB) and socket buffers take a few MiB; a proxy without backpressure would
            // have read all 64 MiB by now.
            assertTrue("the target got " + sentWhileStalled + " bytes out while nobody read",
                    sentWhileStalled < (16L << 20));
            String[] digest;
            try (InputStream in = tunnel.input()) {
                digest = Patterns.digest(in);
            }
            assertEquals(Long.toString(size), digest[1]);
            assertEquals(Patterns.sha256(size), digest[0]);
        }
    }

    @Test
    public void anUnreachableTargetFailsItsStreamOnly() throws Exception {
        try (Response big = session.get(origin.url("/bytes?n=2000000"))) {
            int closed = Ports.free();
            try (Response failed = session.get("http://127.0.0.1:" + closed + "/")) {
                assertEquals(502, failed.status());
                assertTrue(failed.header("proxy-status"), failed.header("proxy-status")
                        .contains("error=connection_refused"));
            }
            try (Tunnel refused = session.connect("127.0.0.1:" + closed)) {
                assertEquals(502, refused.status());
            }
            assertEquals(Patterns.sha256(2_000_000), big.sha256());
        }
    }

    @Test
    public void dataForAnUnknownStreamIsResetWithInvalidStream() throws Exception {
        int never = session.reserveStreamId();
        session.sendFrame(new DefaultSpdyDataFrame(never, Unpooled.copiedBuffer("stray", StandardCharsets.US_ASCII)));
        assertEquals("INVALID_STREAM", Integer.valueOf(2), session.resetReceived(never).get(10, TimeUnit.SECONDS));
        try (Response after = session.get(origin.url("/echo"))) {
            assertEquals("the session goes on", 200, after.status());
        }
    }

    @Test
    public void overrunningAStreamWindowIsAFlowControlError() throws Exception {
        // The destination's connect hangs, so the proxy passes nothing on and the window only shrinks.
        try (Blackhole blackhole = new Blackhole()) {
            int id = session.reserveStreamId();
            SpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
            syn.headers().set(":method", "POST").set(":path", "http://127.0.0.1:" + blackhole.port() + "/")
                    .set(":version", "HTTP/1.1").set(":host", "127.0.0.1:" + blackhole.port()).set(":scheme", "http");
            session.sendFrame(syn);
            session.sendFrame(new DefaultSpdyDataFrame(id, Unpooled.wrappedBuffer(new byte[70_000])));
            assertEquals("FLOW_CONTROL_ERROR", Integer.valueOf(7),
                    session.resetReceived(id).get(10, TimeUnit.SECONDS));
        }
    }

    /**
     * A thousand uploads cancelled while their data waits in the proxy (the destination's connect hangs): each gives
     * its bytes back to the session window, so 8 MB went through a 1 MiB session window, and a 10 MiB upload on the
     * same session afterwards arrives whole.
     */
    @Test
    public void cancelledUploadsGiveTheirBytesBackToTheSessionWindow() throws Exception {
        try (Blackhole blackhole = new Blackhole()) {
            for (int i = 0; i < 1000; i++) {
                int id = session.reserveStreamId();
                SpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
                syn.headers().set(":method", "POST").set(":path", "http://127.0.0.1:" + blackhole.port() + "/")
                        .set(":version", "HTTP/1.1").set(":host", "127.0.0.1:" + blackhole.port())
                        .set(":scheme", "http");
                session.sendFrame(syn);
                session.sendFrame(new DefaultSpdyDataFrame(id, Unpooled.wrappedBuffer(new byte[8192])));
                session.sendFrame(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.CANCEL));
                if (i % 100 == 99) {
                    // A round trip now and then: the proxy keeps up, and the session is still there.
                    assertTrue(session.ping().toMillis() < 10_000);
                }
            }
        }
        assertEquals("no GOAWAY", null, session.goAwayReceived());
        long size = 10L << 20;
        try (Response response = session.send("POST", origin.url("/sha256"), Map.of(), Patterns.stream(size))
                .get(60, TimeUnit.SECONDS)) {
            assertEquals(200, response.status());
            assertEquals(Patterns.sha256(size) + " " + size, new String(response.bodyBytes(),
                    StandardCharsets.US_ASCII));
        }
    }

    @Test
    public void aMalformedFrameEndsTheSessionWithProtocolError() throws Exception {
        // A control frame claiming SPDY version 2.
        session.sendBytes(new byte[] {(byte) 0x80, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0, 0, 0, 1, 0, 0, 0, 0,
            0, 0});
        GoAway goAway = session.goAway().get(10, TimeUnit.SECONDS);
        assertEquals(1, goAway.statusCode());
        session.closed().get(10, TimeUnit.SECONDS);
    }

    @Test
    public void aHundredConcurrentStreamsOfGetsAndTunnelsOnOneSession() throws Exception {
        int size = 256 * 1024;
        // Body reads block: each gets a thread of its own, never the client's event loop.
        ExecutorService readers = Executors.newCachedThreadPool();
        try (RawTarget target = new RawTarget(size, false)) {
            List<CompletableFuture<String>> results = new ArrayList<>();
            List<AutoCloseable> open = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                if (i % 2 == 0) {
                    results.add(session.send("GET", origin.url("/bytes?n=" + size), Map.of(), (InputStream) null)
                            .thenApplyAsync(r -> {
                                synchronized (open) {
                                    open.add(r);
                                }
                                try {
                                    return r.sha256();
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            }, readers));
                } else {
                    results.add(session.connectAsync("127.0.0.1:" + target.port(), Map.of()).thenApplyAsync(t -> {
                        try (t) {
                            t.output().write(1);
                            t.output().close();
                            try (InputStream in = t.input()) {
                                return Patterns.digest(in)[0];
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, readers));
                }
            }
            String expected = Patterns.sha256(size);
            for (CompletableFuture<String> result : results) {
                assertEquals(expected, result.get(120, TimeUnit.SECONDS));
            }
            for (AutoCloseable c : open) {
                c.close();
            }
        } finally {
            readers.shutdownNow();
        }
    }
}
