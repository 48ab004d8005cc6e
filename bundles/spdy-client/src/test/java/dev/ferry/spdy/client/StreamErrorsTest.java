package dev.ferry.spdy.client;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** Resets, GOAWAY, protocol errors and the session's life, against the raw peer. */
public class StreamErrorsTest extends SharedClientTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void aResetBeforeTheReplyIsThrownWithItsStatus() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            SpdyStreamException e = assertThrows(SpdyStreamException.class,
                    () -> session.get("http://example.test/reset?status=3"));
            assertEquals(3, e.status());
            assertEquals("REFUSED_STREAM", e.statusName());
            assertTrue(e.sentByPeer());
            assertEquals(1, e.streamId());
            assertEquals("stream 1 reset by the proxy: REFUSED_STREAM (3)", e.getMessage());
            assertEquals(Integer.valueOf(3), session.resetReceived(1).get(1, TimeUnit.SECONDS));
            assertEquals(List.of(), session.peerViolations());
        }
    }

    @Test
    public void aResetAfterTheReplyEndsTheBodyAfterItsData() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN);
                Response response = session.get("http://example.test/reply-then-reset?status=6")) {
            assertEquals(200, response.status());
            assertArrayEquals(Patterns.bytes(0, 1000), response.body().readNBytes(1000));
            SpdyStreamException e = assertThrows(SpdyStreamException.class, () -> response.body().read());
            assertEquals("INTERNAL_ERROR", e.statusName());
            assertTrue(e.sentByPeer());
        }
    }

    @Test
    public void goAwayFailsTheStreamsAboveTheLastGoodOneAndRefusesNewOnes() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            try (Response first = session.get("http://example.test/download?bytes=100")) {
                assertEquals(100, first.bodyBytes().length);
            }
            assertNull(session.goAwayReceived());
            IOException e = assertThrows(IOException.class, () -> session.get("http://example.test/goaway?status=2"));
            assertTrue(e.getMessage(), e.getMessage().contains("stream 3 was not processed"));
            GoAway goAway = session.goAway().get(5, TimeUnit.SECONDS);
            assertEquals(new GoAway(1, 2), goAway);
            assertEquals("INTERNAL_ERROR", goAway.statusName());
            assertEquals(goAway, session.goAwayReceived());
            IOException refused = assertThrows(IOException.class, () -> session.get("http://example.test/x"));
            assertTrue(refused.getMessage(), refused.getMessage().contains("no new streams"));
            assertEquals(0, session.openStreams());
        }
    }

    @Test
    public void anInvalidFrameFromTheProxyEndsTheSessionWithGoAway() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            IOException e = assertThrows(IOException.class, () -> session.get("http://example.test/invalid-frame"));
            assertTrue(e.getMessage(), e.getMessage().contains("invalid frame"));
            assertEquals("GOAWAY PROTOCOL_ERROR", Integer.valueOf(1), server.goAwayFromClient.get(5, TimeUnit.SECONDS));
            session.closed().get(5, TimeUnit.SECONDS);
            assertFalse(session.isOpen());
            assertEquals(1, session.peerViolations().size());
            assertThrows(IOException.class, session::ping);
        }
    }

    @Test
    public void dataBeforeTheReplyIsAProtocolError() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            SpdyStreamException e = assertThrows(SpdyStreamException.class,
                    () -> session.get("http://example.test/data-before-reply"));
            assertEquals("PROTOCOL_ERROR", e.statusName());
            assertFalse(e.sentByPeer());
            Await.until(() -> server.resetsFromClient.containsKey(1), 5000, () -> "resets");
            assertEquals(Integer.valueOf(1), server.resetsFromClient.get(1));
            assertEquals(List.of("DATA before SYN_REPLY on stream 1"), session.peerViolations());
        }
    }

    @Test
    public void dataAfterTheProxysFinIsNoticed() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN);
                Response response = session.get("http://example.test/data-after-fin")) {
            assertEquals(-1, response.body().read());
            Await.until(() -> server.resetsFromClient.containsKey(1), 5000, () -> "resets");
            assertEquals("STREAM_ALREADY_CLOSED", Integer.valueOf(9), server.resetsFromClient.get(1));
            assertEquals(List.of("DATA on stream 1 after the proxy's FIN"), session.peerViolations());
        }
    }

    @Test
    public void replyHeadersAreParsed() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN);
                Response response = session.get("http://example.test/headers")) {
            assertEquals(204, response.status());
            assertEquals("204 No Content", response.statusLine());
            assertEquals("1", response.header("X-One"));
            assertEquals(List.of("a", "b"), response.headers().get("x-two"));
            assertFalse(response.headers().containsKey(":status"));
            assertEquals(0, response.bodyBytes().length);
        }
    }

    @Test
    public void pingsGoBothWays() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn(), 65_536, false, true);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            assertEquals("the client echoed the proxy's PING", Integer.valueOf(2),
                    server.pong.get(5, TimeUnit.SECONDS));
            Duration roundTrip = session.ping();
            assertTrue(roundTrip.toNanos() > 0 && roundTrip.toMillis() < 5000);
        }
    }

    @Test
    public void noReplyWithinTheTimeoutCancelsTheStream() throws Exception {
        SessionOptions options = SessionOptions.defaults().withTimeout(Duration.ofMillis(500));
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN, options)) {
            long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> session.get("http://example.test/silent"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue("waited " + millis + " ms", millis >= 450 && millis < 3000);
            Await.until(() -> server.resetsFromClient.containsKey(1), 5000, () -> "resets");
            assertEquals("CANCEL", Integer.valueOf(5), server.resetsFromClient.get(1));
        }
    }

    @Test
    public void closingAResponseEarlyCancelsItAndReturnsTheWindow() throws Exception {
        SessionOptions options = SessionOptions.defaults().withSessionWindow(65_536);
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn());
                SpdySession session = client.open(server.address(), Negotiation.ALPN, options)) {
            Response big = session.get("http://example.test/download?bytes=1048576");
            Await.until(() -> server.sent(1) == 65_536, 5000, () -> "sent " + server.sent(1));
            assertEquals(10, big.body().readNBytes(10).length);
            big.close();
            Await.until(() -> server.resetsFromClient.containsKey(1), 5000, () -> "resets");
            assertEquals(Integer.valueOf(5), server.resetsFromClient.get(1));
            // The unread 64 KiB went back to the session window, or this download could not finish.
            try (Response next = session.get("http://example.test/download?bytes=200000&seed=4")) {
                assertEquals(Patterns.sha256OfPattern(4, 200_000), next.sha256());
            }
            assertEquals(0, session.openStreams());
            assertThrows(IOException.class, () -> big.body().read());
        }
    }

    @Test
    public void closingTheSessionSendsGoAwayOkAndFailsOpenStreams() throws Exception {
        try (RawSpdyServer server = new RawSpdyServer(TestTls.alpn())) {
            SpdySession session = client.open(server.address(), Negotiation.ALPN);
            Tunnel tunnel = session.connect("echo.test:443");
            var pending = session.send("GET", "http://example.test/silent", Map.of(), (java.io.InputStream) null);
            Await.until(() -> server.requests.size() == 2, 5000, () -> "requests " + server.requests.keySet());
            session.close();
            assertEquals("GOAWAY OK", Integer.valueOf(0), server.goAwayFromClient.get(5, TimeUnit.SECONDS));
            assertFalse(session.isOpen());
            ExecutionException e = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage(), e.getCause().getMessage().contains("closed by the client"));
            assertThrows(IOException.class, () -> tunnel.input().read());
            assertThrows(IOException.class, () -> tunnel.output().write(1));
            assertThrows(IOException.class, () -> session.get("http://example.test/x"));
        }
    }
}
