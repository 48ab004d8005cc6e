package dev.ferry.spdy.client;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * SPDY/3.1 flow control both ways against the raw peer, which keeps its own account of the windows: it sends only
 * what the client's windows allow (and reports any overrun by the client), so what it has sent shows exactly how
 * much credit the client gave.
 */
public class FlowControlTest extends SharedClientTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final int WINDOW = 65_536;

    @Test
    public void aSlowReaderHoldsTheProxyAtTheStreamWindow() throws Exception {
        int size = 1024 * 1024;
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN);
                Response response = session.get("http://example.test/download?bytes=" + size + "&seed=5")) {
            int id = response.streamId();
            Await.until(() -> server.sent(id) == WINDOW, 5000, () -> "sent " + server.sent(id));
            Thread.sleep(300);
            assertEquals("nothing read, nothing more sent", WINDOW, server.sent(id));

            InputStream body = response.body();
            byte[] piece = new byte[4096];
            for (int i = 0; i < 4; i++) {
                assertEquals(4096, body.read(piece));
            }
            Thread.sleep(300);
            assertEquals("16 KiB read is below half a window: no WINDOW_UPDATE yet", WINDOW, server.sent(id));
            assertEquals(0, server.streamWindowUpdatesFromClient.get());

            for (int i = 0; i < 4; i++) {
                assertEquals(4096, body.read(piece));
            }
            Await.until(() -> server.sent(id) == WINDOW + 32_768, 5000, () -> "sent " + server.sent(id));
            Thread.sleep(200);
            assertEquals("32 KiB read gave exactly 32 KiB of credit", WINDOW + 32_768, server.sent(id));
            assertEquals(1, server.streamWindowUpdatesFromClient.get());

            java.security.MessageDigest digest = Patterns.digest();
            byte[] start = new byte[32_768];
            Patterns.fill(5, 0, start, 0, start.length);
            digest.update(start);
            byte[] buffer = new byte[16 * 1024];
            long total = start.length;
            int n;
            while ((n = body.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
                total += n;
            }
            assertEquals(size, total);
            assertEquals(Patterns.sha256OfPattern(5, size), java.util.HexFormat.of().formatHex(digest.digest()));
            assertEquals(List.of(), server.violations);
            assertEquals(List.of(), session.peerViolations());
        }
    }

    @Test
    public void aSmallerStreamWindowIsAnnouncedAndHonoured() throws Exception {
        SessionOptions options = SessionOptions.defaults().withStreamWindow(16_384);
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN, options);
                Response response = session.get("http://example.test/download?bytes=262144&seed=1")) {
            Await.until(() -> server.settingsFromClient.containsKey(7), 5000, () -> "client settings");
            assertEquals(Integer.valueOf(16_384), server.settingsFromClient.get(7));
            Await.until(() -> server.sent(response.streamId()) == 16_384, 5000,
                    () -> "sent " + server.sent(response.streamId()));
            Thread.sleep(300);
            assertEquals(16_384, server.sent(response.streamId()));
            assertEquals(Patterns.sha256OfPattern(1, 262_144), response.sha256());
        }
    }

    @Test
    public void theSessionWindowBoundsAllStreamsTogether() throws Exception {
        // Streams may take 1 MiB each, but the session only the SPDY minimum: the two downloads share 64 KiB.
        SessionOptions options = SessionOptions.defaults().withStreamWindow(1024 * 1024)
                .withSessionWindow(WINDOW);
        int size = 512 * 1024;
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN, options)) {
            Await.until(() -> server.settingsFromClient.containsKey(7), 5000, () -> "client settings");
            assertEquals(Integer.valueOf(1024 * 1024), server.settingsFromClient.get(7));
            Response a = session.get("http://example.test/download?bytes=" + size + "&seed=1");
            Response b = session.get("http://example.test/download?bytes=" + size + "&seed=2");
            Await.until(() -> server.sentTotal() == WINDOW, 5000, () -> "sent " + server.sentTotal());
            Thread.sleep(300);
            assertEquals(WINDOW, server.sentTotal());
            // Read both at once: read one after the other, the unread one could hold the whole session window.
            CompletableFuture<String> shaA = CompletableFuture.supplyAsync(() -> sha(a));
            CompletableFuture<String> shaB = CompletableFuture.supplyAsync(() -> sha(b));
            assertEquals(Patterns.sha256OfPattern(1, size), shaA.get(30, TimeUnit.SECONDS));
            assertEquals(Patterns.sha256OfPattern(2, size), shaB.get(30, TimeUnit.SECONDS));
            assertEquals(List.of(), server.violations);
        }
    }

    @Test
    public void writesStopAtTheProxysStreamWindowUntilItGivesCredit() throws Exception {
        int size = 256 * 1024;
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn(), 16_384, true, false);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            assertEquals(Integer.valueOf(16_384), session.settings().get(5, TimeUnit.SECONDS).get(7));
            try (Tunnel tunnel = session.connect("hold:1")) {
                CompletableFuture<Void> writer = TunnelTest.writeAndClose(tunnel.output(),
                        Patterns.random(3, size), 8192);
                int id = tunnel.streamId();
                Await.until(() -> server.received(id) == 16_384, 5000, () -> "received " + server.received(id));
                Thread.sleep(300);
                assertEquals(16_384, server.received(id));
                assertFalse("the writer is blocked", writer.isDone());
                server.releaseCredit();
                writer.get(30, TimeUnit.SECONDS);
                Await.until(() -> server.received(id) == size, 5000, () -> "received " + server.received(id));
                assertEquals(-1, tunnel.input().read());
            }
            assertEquals(List.of(), server.violations);
        }
    }

    @Test
    public void writesStopAtTheProxysSessionWindow() throws Exception {
        int size = 128 * 1024;
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn(), 1024 * 1024, true, false);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            session.settings().get(5, TimeUnit.SECONDS);
            Tunnel first = session.connect("hold:1");
            Tunnel second = session.connect("hold:1");
            CompletableFuture<Void> writer1 = TunnelTest.writeAndClose(first.output(), new byte[size], 8192);
            CompletableFuture<Void> writer2 = TunnelTest.writeAndClose(second.output(), new byte[size], 8192);
            Await.until(() -> server.receivedTotal() == WINDOW, 5000, () -> "received " + server.receivedTotal());
            Thread.sleep(300);
            assertEquals(WINDOW, server.receivedTotal());
            assertFalse(writer1.isDone() && writer2.isDone());
            server.releaseCredit();
            writer1.get(30, TimeUnit.SECONDS);
            writer2.get(30, TimeUnit.SECONDS);
            Await.until(() -> server.receivedTotal() == 2 * size, 5000, () -> "received " + server.receivedTotal());
            first.close();
            second.close();
            assertEquals(List.of(), server.violations);
        }
    }

    @Test
    public void anUploadStreamsUnderTheWindowsWithoutContentLengthWhenUnknown() throws Exception {
        byte[] body = Patterns.random(9, 1024 * 1024 + 7);
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn(), 16_384, false, false);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            session.settings().get(5, TimeUnit.SECONDS);
            try (Response response = session.send("POST", "http://example.test/upload", Map.of("x-a", "b"),
                    new ByteArrayInputStream(body)).get(30, TimeUnit.SECONDS)) {
                assertEquals(Integer.toString(body.length), response.header("x-bytes"));
                assertEquals(Patterns.sha256(body), response.header("x-sha256"));
                assertEquals(-1, response.body().read());
                Map<String, String> syn = server.requests.get(response.streamId());
                assertEquals("POST", syn.get(":method"));
                assertEquals("http://example.test/upload", syn.get(":path"));
                assertEquals("http", syn.get(":scheme"));
                assertEquals("b", syn.get("x-a"));
                assertFalse(syn.containsKey("content-length"));
            }
            assertEquals(List.of(), server.violations);
        }
    }

    @Test
    public void aProxyOverrunningTheWindowGetsFlowControlError() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN);
                Response response = session.get("http://example.test/overrun")) {
            int id = response.streamId();
            // Read nothing until the client has judged the overrun: reading gives credit, and bytes that arrive
            // after that credit are within the window by the client's account.
            Await.until(() -> server.resetsFromClient.containsKey(id), 5000, () -> "resets " + server.resetsFromClient);
            assertEquals(WINDOW + 1000, server.sent(id));
            long read = 0;
            try {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = response.body().read(buffer)) >= 0) {
                    read += n;
                }
                throw new AssertionError("the overrun was not noticed");
            } catch (SpdyStreamException e) {
                assertEquals("the data within the window is delivered first", WINDOW, read);
                assertEquals(7, e.status());
                assertEquals("FLOW_CONTROL_ERROR", e.statusName());
                assertFalse(e.sentByPeer());
                assertEquals(id, e.streamId());
            }
            assertEquals(Integer.valueOf(7), server.resetsFromClient.get(id));
            assertEquals(1, session.peerViolations().size());
            assertTrue(session.peerViolations().get(0), session.peerViolations().get(0).contains("stream window"));
            // The session survives a stream error.
            try (Response next = session.get("http://example.test/download?bytes=10")) {
                assertEquals(10, next.bodyBytes().length);
            }
        }
    }

    private static String sha(Response response) {
        try (response) {
            return response.sha256();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
