package dev.ferry.spdy.client;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** CONNECT tunnels on streams, against the raw-frame echo peer. */
public class TunnelTest extends SharedClientTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void connectSendsChromesHeadersWithoutFin() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN);
                Tunnel tunnel = session.connect("example.test:443", Map.of("user-agent", "ferry-test"))) {
            assertEquals(200, tunnel.status());
            assertEquals("200 Connection established", tunnel.statusLine());
            assertEquals("raw", tunnel.headers().get("x-server").get(0));
            Map<String, String> syn = server.requests.get(tunnel.streamId());
            assertEquals("CONNECT", syn.get(":method"));
            assertEquals("example.test:443", syn.get(":path"));
            assertEquals("example.test:443", syn.get(":host"));
            assertEquals("HTTP/1.1", syn.get(":version"));
            assertEquals("ferry-test", syn.get("user-agent"));
            assertFalse(syn.containsKey(":scheme"));
            // No FIN on the SYN_STREAM: the tunnel still carries bytes.
            tunnel.output().write("abc".getBytes(StandardCharsets.US_ASCII));
            assertEquals("abc", new String(tunnel.input().readNBytes(3), StandardCharsets.US_ASCII));
        }
    }

    @Test
    public void eightMebibytesEchoBothWaysIntact() throws Exception {
        int size = 8 * 1024 * 1024;
        byte[] data = Patterns.random(42, size);
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN);
                Tunnel tunnel = session.connect("echo.test:443")) {
            long start = System.nanoTime();
            CompletableFuture<Void> writer = writeAndClose(tunnel.output(), data, 64 * 1024);
            String echoed = sha256(tunnel.input());
            writer.get(30, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("tunnel echo of 8 MiB each way: %d ms%n", millis);
            assertEquals(Patterns.sha256(data), echoed);
            assertEquals(size, server.received(tunnel.streamId()));
            assertEquals(size, server.sent(tunnel.streamId()));
            assertEquals(List.of(), server.violations);
            assertEquals(List.of(), session.peerViolations());
            Await.until(() -> openStreams(session) == 0, 5000, () -> "open streams");
        }
    }

    @Test
    public void finIsAHalfClose() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN);
                Tunnel tunnel = session.connect("echo.test:443")) {
            tunnel.output().write("last words".getBytes(StandardCharsets.US_ASCII));
            tunnel.output().close();
            assertThrows(IOException.class, () -> tunnel.output().write(1));
            // Our direction is closed; the proxy's still delivers, then its FIN ends the input.
            assertEquals("last words", new String(tunnel.input().readAllBytes(), StandardCharsets.US_ASCII));
            assertEquals(-1, tunnel.input().read());
            Await.until(() -> openStreams(session) == 0, 5000, () -> "open streams");
            assertEquals(List.of(), server.violations);
        }
    }

    @Test
    public void aRefusedTunnelCarriesTheProxysAnswer() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN);
                Tunnel tunnel = session.connect("refuse:1")) {
            assertEquals(502, tunnel.status());
            assertEquals("no tunnel", new String(tunnel.input().readAllBytes(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    public void hundredTunnelsInterleaveOnOneSession() throws Exception {
        int tunnels = 100;
        int size = 64 * 1024;
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            long start = System.nanoTime();
            List<CompletableFuture<String>> results = new ArrayList<>();
            for (int i = 0; i < tunnels; i++) {
                byte[] data = Patterns.random(i, size);
                results.add(session.connectAsync("echo" + i + ".test:443", Map.of()).thenApplyAsync(tunnel -> {
                    try (tunnel) {
                        // 64 KiB fits the windows, so one thread can write it all before it reads.
                        try (OutputStream out = tunnel.output()) {
                            out.write(data);
                        }
                        return sha256(tunnel.input());
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, threads));
            }
            for (int i = 0; i < tunnels; i++) {
                assertEquals(Patterns.sha256(Patterns.random(i, size)), results.get(i).get(30, TimeUnit.SECONDS));
            }
            System.out.printf("%d tunnels echoing %d bytes each on one session: %d ms%n", tunnels, size,
                    (System.nanoTime() - start) / 1_000_000);
            assertEquals(tunnels, server.requests.size());
            assertEquals(List.of(), server.violations);
            assertEquals(List.of(), session.peerViolations());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    public void badTargetsAreRefusedBeforeAnythingIsSent() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            for (String bad : new String[] {"example.test", "example.test:0", "example.test:65536", ":443",
                "::1:443", "example.test:+80"}) {
                assertThrows(bad, IllegalArgumentException.class, () -> session.connect(bad));
            }
            assertThrows(IllegalArgumentException.class, () -> session.get("https://example.test/"));
            assertThrows(IllegalArgumentException.class, () -> session.get("/relative"));
            try (Tunnel tunnel = session.connect("[::1]:443")) {
                assertEquals(200, tunnel.status());
                assertEquals(1, tunnel.streamId());
            }
        }
    }

    static CompletableFuture<Void> writeAndClose(OutputStream out, byte[] data, int piece) {
        return CompletableFuture.runAsync(() -> {
            try (out) {
                for (int off = 0; off < data.length; off += piece) {
                    out.write(data, off, Math.min(piece, data.length - off));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest digest = Patterns.digest();
        byte[] buffer = new byte[16 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static int openStreams(SpdySession session) {
        try {
            return session.openStreams();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
