package dev.ferry.spdy.client;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Requests against Netty's own SPDY server side ({@code SpdySessionHandler} + {@code SpdyHttpCodec}): what
 * the server's HTTP layer sees, bodies both ways, many streams on one session, and raw frames.
 */
public class RequestsTest extends SharedClientTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void getSendsTheFullUrlAsAProxyRequest() throws Exception {
        try (NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 0);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            Map<String, String> headers = new HashMap<>();
            headers.put("Accept", "text/plain");
            headers.put("X-Custom", "v");
            try (Response response = session.get("http://example.test:8080/hello?x=1#fragment", headers)) {
                assertEquals(200, response.status());
                assertEquals("Netty's SpdyHttpEncoder sends the bare code", "200", response.statusLine());
                assertEquals("HTTP/1.1", response.version());
                assertEquals("netty-spdy", response.header("X-Server"));
                assertEquals(List.of("netty-spdy"), response.headers().get("x-server"));
                assertEquals(1, response.streamId());
                assertEquals("hello http://example.test:8080/hello?x=1", new String(response.bodyBytes()));
            }
            NettySpdyServer.Request seen = server.requests.poll(5, TimeUnit.SECONDS);
            assertEquals("GET", seen.method);
            assertEquals("http://example.test:8080/hello?x=1", seen.uri);
            assertEquals("example.test:8080", seen.headers.get("host"));
            assertEquals("text/plain", seen.headers.get("accept"));
            assertEquals("v", seen.headers.get("x-custom"));
            assertEquals(List.of(), session.peerViolations());
        }
    }

    @Test
    public void postOfFourMebibytesArrivesIntactAndComesBack() throws Exception {
        byte[] body = Patterns.random(7, 4 * 1024 * 1024 + 123);
        String sha = Patterns.sha256(body);
        try (NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 0);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            long start = System.nanoTime();
            try (Response response = session.send("POST", "http://example.test/echo", Map.of(), body)
                    .get(30, TimeUnit.SECONDS)) {
                assertEquals(200, response.status());
                assertEquals("the server's SHA-256 of what it received", sha, response.header("x-sha256"));
                assertEquals("the SHA-256 of the echo", sha, response.sha256());
            }
            System.out.printf("POST 4 MiB + echo over SPDY: %d ms%n", (System.nanoTime() - start) / 1_000_000);
            NettySpdyServer.Request seen = server.requests.poll(5, TimeUnit.SECONDS);
            assertEquals("POST", seen.method);
            assertEquals(Integer.toString(body.length), seen.headers.get("content-length"));
            assertEquals(List.of(), session.peerViolations());
        }
    }

    @Test
    public void postFromAStreamOfUnknownLength() throws Exception {
        byte[] body = Patterns.random(8, 3 * 1024 * 1024);
        try (NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 0);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            try (Response response = session.send("PUT", "http://example.test/echo", Map.of(),
                    new ByteArrayInputStream(body)).get(30, TimeUnit.SECONDS)) {
                assertEquals(Patterns.sha256(body), response.header("x-sha256"));
                assertEquals(Patterns.sha256(body), response.sha256());
            }
            // (Netty's SpdyHttpDecoder adds a content-length itself; RawServerTest checks what goes on the wire.)
            assertEquals("PUT", server.requests.poll(5, TimeUnit.SECONDS).method);
        }
    }

    @Test
    public void hundredConcurrentGetsOnOneSession() throws Exception {
        int streams = 100;
        int size = 50_000;
        try (NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 0);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            long start = System.nanoTime();
            List<CompletableFuture<Response>> futures = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                futures.add(session.send("GET", "http://example.test/bytes/" + size + "?seed=" + i, Map.of(),
                        (java.io.InputStream) null));
            }
            Set<Integer> ids = new TreeSet<>();
            for (int i = 0; i < streams; i++) {
                try (Response response = futures.get(i).get(30, TimeUnit.SECONDS)) {
                    assertEquals(200, response.status());
                    assertEquals("stream " + response.streamId(), Patterns.sha256OfPattern(i, size),
                            response.sha256());
                    ids.add(response.streamId());
                }
            }
            System.out.printf("%d concurrent GETs of %d bytes on one session: %d ms%n", streams, size,
                    (System.nanoTime() - start) / 1_000_000);
            assertEquals(streams, ids.size());
            assertTrue(ids.stream().allMatch(id -> (id & 1) == 1 && id <= 2 * streams - 1));
            assertEquals(0, session.openStreams());
            assertEquals(List.of(), session.peerViolations());
        }
    }

    @Test
    public void streamsWaitForASlotUnderMaxConcurrentStreams() throws Exception {
        try (NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 10);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            assertEquals(Integer.valueOf(10), session.settings().get(5, TimeUnit.SECONDS).get(4));
            long start = System.nanoTime();
            List<CompletableFuture<Response>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                futures.add(session.send("GET", "http://example.test/slow", Map.of(), (java.io.InputStream) null));
            }
            for (CompletableFuture<Response> future : futures) {
                try (Response response = future.get(30, TimeUnit.SECONDS)) {
                    assertEquals("slow", new String(response.bodyBytes()));
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            // 40 streams, 10 at a time, 300 ms each: at least four rounds.
            assertTrue("took " + millis + " ms", millis >= 4 * 300 - 50);
        }
    }

    @Test
    public void withoutTheLimitTheServerRefusesTheExtraStreams() throws Exception {
        SessionOptions options = SessionOptions.defaults().withRespectMaxConcurrentStreams(false);
        try (NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 10);
                SpdySession session = client.open(server.address(), Negotiation.ALPN, options)) {
            session.settings().get(5, TimeUnit.SECONDS);
            List<CompletableFuture<Response>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                futures.add(session.send("GET", "http://example.test/slow", Map.of(), (java.io.InputStream) null));
            }
            int ok = 0;
            int refused = 0;
            for (CompletableFuture<Response> future : futures) {
                try (Response response = future.get(30, TimeUnit.SECONDS)) {
                    response.bodyBytes();
                    ok++;
                } catch (ExecutionException e) {
                    SpdyStreamException reset = (SpdyStreamException) e.getCause();
                    assertEquals(3, reset.status());
                    assertEquals("REFUSED_STREAM", reset.statusName());
                    assertTrue(reset.sentByPeer());
                    refused++;
                }
            }
            // All 40 go out at once; the server takes 10 and refuses the rest (30 unless the machine stalled for the
            // 300 ms the first ten stay open).
            assertEquals(40, ok + refused);
            assertTrue("ok " + ok + ", refused " + refused, ok >= 10 && refused >= 20);
        }
    }

    @Test
    public void sessionsSpreadOverSeveralEventLoops() throws Exception {
        try (SpdyClient twoThreads = new SpdyClient(2);
                NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 0)) {
            List<SpdySession> sessions = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                sessions.add(twoThreads.open(server.address(), Negotiation.ALPN));
            }
            for (SpdySession session : sessions) {
                try (Response response = session.get("http://example.test/bytes/100000?seed=3")) {
                    assertEquals(Patterns.sha256OfPattern(3, 100_000), response.sha256());
                }
            }
        }
    }

    @Test
    public void pingMeasuresTheRoundTrip() throws Exception {
        try (NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 0);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            Duration first = session.ping();
            Duration second = session.ping();
            assertFalse(first.isNegative() || first.isZero());
            assertTrue(second.compareTo(Duration.ofSeconds(5)) < 0);
        }
    }

    @Test
    public void aRawDataFrameOnAReservedStreamIsAnsweredWithInvalidStream() throws Exception {
        try (NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 0);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            session.get("http://example.test/hello").close();
            int id = session.reserveStreamId();
            assertEquals(3, id);
            session.sendFrame(new DefaultSpdyDataFrame(id, Unpooled.wrappedBuffer(new byte[10])));
            assertEquals(Integer.valueOf(2), session.resetReceived(id).get(5, TimeUnit.SECONDS));
            try (Response response = session.get("http://example.test/hello")) {
                assertEquals(5, response.streamId());
                assertEquals(200, response.status());
                response.bodyBytes();
            }
            assertEquals(List.of(), session.peerViolations());
        }
    }

    @Test
    public void malformedBytesMakeTheServerSendGoAway() throws Exception {
        try (NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 0);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            // A SYN_STREAM header claiming SPDY version 2, which a SPDY/3.1 decoder refuses.
            session.sendBytes(new byte[] {(byte) 0x80, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a,
                0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
            GoAway goAway = session.goAway().get(5, TimeUnit.SECONDS);
            assertEquals(1, goAway.statusCode());
            assertEquals("PROTOCOL_ERROR", goAway.statusName());
            assertEquals(goAway, session.goAwayReceived());
            session.closed().get(5, TimeUnit.SECONDS);
            assertFalse(session.isOpen());
            assertThrows(java.io.IOException.class, () -> session.get("http://example.test/hello"));
        }
    }
}
