package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * HTTP/1.1 forward proxying through the real distribution, driven by curl and raw sockets against origins on
 * 127.0.0.1. The proxy runs with a 64 MiB heap and paranoid leak detection.
 */
public class HttpProxyIT {

    private static FerryProcess ferry;
    private static TestOrigin origin;
    private static TestOrigin tlsOrigin;
    private static String proxy;

    @BeforeClass
    public static void start() throws Exception {
        ferry = FerryProcess.start("-Xmx64m", Map.of("dev.ferry.pool.cfg",
                Map.of("tcpConnectTimeoutMillis", "2000")));
        origin = new TestOrigin(null);
        tlsOrigin = new TestOrigin(TlsOrigin.context());
        proxy = "http://127.0.0.1:" + ferry.httpPort;
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (ferry != null) {
                ferry.collectGarbage();
                // Leaks are reported when buffers are allocated after the collection.
                for (int i = 0; i < 5; i++) {
                    Curl.run("-x", proxy, origin.url("/bytes?n=100000"), "-o", "/dev/null");
                }
                ferry.assertNoLeaks();
            }
        } finally {
            if (ferry != null) {
                ferry.close();
            }
            if (origin != null) {
                origin.close();
                tlsOrigin.close();
            }
        }
    }

    @Test
    public void forwardsInOriginFormWithHostViaAndWithoutHopByHopHeaders() throws Exception {
        Curl c = Curl.run("-x", proxy, "-H", "Connection: X-Secret", "-H", "X-Secret: s", "-H", "Keep-Alive: 5",
                "-H", "Proxy-Authorization: Basic Zm9vOmJhcg==", "-H", "X-Kept: yes", origin.url("/echo?a=b"));
        assertEquals(c.toString(), 0, c.exit);
        String seen = c.out.toLowerCase();
        assertTrue(c.out, c.out.startsWith("GET /echo?a=b HTTP/1.1\n"));
        assertTrue(c.out, seen.contains("host: 127.0.0.1:" + origin.port() + "\n"));
        assertTrue(c.out, seen.contains("via: 1.1 ferry\n"));
        assertTrue(c.out, seen.contains("x-kept: yes\n"));
        for (String hop : new String[] {"x-secret", "keep-alive", "proxy-connection", "proxy-authorization",
            "connection:"}) {
            assertFalse(hop + " reached the origin:\n" + c.out, seen.contains(hop));
        }
    }

    @Test
    public void forwardsEveryMethod() throws Exception {
        for (String method : new String[] {"POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
            Curl c = Curl.run("-x", proxy, "-X", method, "--data-binary", "x", origin.url("/echo"));
            assertTrue(c.toString(), c.out.startsWith(method + " /echo HTTP/1.1\n"));
        }
        Curl head = Curl.run("-x", proxy, "-I", origin.url("/bytes?n=12345"));
        assertEquals(head.toString(), 0, head.exit);
        assertTrue(head.out, head.out.startsWith("HTTP/1.1 200"));
        assertTrue(head.out, head.out.toLowerCase().contains("content-length: 12345"));
    }

    @Test
    public void requestBodiesArriveIntactWithContentLengthAndChunked() throws Exception {
        Path body = Files.createTempFile("ferry-body", ".bin");
        try (InputStream in = Patterns.stream(8 << 20)) {
            Files.copy(in, body, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String expected = Patterns.sha256(8 << 20) + " " + (8 << 20);
        Curl sized = Curl.run("-x", proxy, "--data-binary", "@" + body, origin.url("/sha256"));
        assertEquals(sized.toString(), expected, sized.out);
        Curl chunked = Curl.run("-x", proxy, "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + body,
                origin.url("/sha256"));
        assertEquals(chunked.toString(), expected, chunked.out);
        Files.delete(body);
    }

    @Test
    public void responsesArriveIntactWithContentLengthAndChunked() throws Exception {
        for (String query : new String[] {"n=5000000", "n=5000000&chunked"}) {
            Process p = new ProcessBuilder("curl", "-s", "-x", proxy, origin.url("/bytes?" + query)).start();
            String[] digest = Patterns.digest(p.getInputStream());
            assertEquals(0, p.waitFor());
            assertEquals(query, "5000000", digest[1]);
            assertEquals(query, Patterns.sha256(5_000_000), digest[0]);
        }
    }

    @Test
    public void oneClientConnectionCarriesManyRequestsOverOnePooledOriginConnection() throws Exception {
        TestOrigin fresh = new TestOrigin(null);
        try {
            Curl c = Curl.run("-x", proxy, fresh.url("/echo?[1-100]"), "-o", "/dev/null", "-w",
                    "%{http_code} %{num_connects}\n");
            String[] lines = c.out.trim().split("\n");
            assertEquals(c.toString(), 100, lines.length);
            int connects = 0;
            for (String line : lines) {
                assertTrue(line, line.startsWith("200 "));
                connects += Integer.parseInt(line.substring(4));
            }
            assertEquals("client connections to the proxy", 1, connects);
            assertEquals("requests at the origin", 100, fresh.requests.get());
            assertEquals("origin connections", 1, fresh.connections.get());
        } finally {
            fresh.close();
        }
    }

    @Test
    public void aReusedConnectionTheOriginDroppedIsRetriedOnceForIdempotentRequests() throws Exception {
        TestOrigin fresh = new TestOrigin(null);
        try {
            // The second GET reuses the pooled connection, which the origin closes unanswered.
            Curl c = Curl.run("-x", proxy, fresh.url("/drop-next"), fresh.url("/echo"), "-w", "%{http_code}\n");
            assertTrue(c.toString(), c.out.contains("GET /echo HTTP/1.1\n"));
            assertTrue(c.toString(), c.out.endsWith("200\n"));
            assertEquals("origin connections", 2, fresh.connections.get());
            // A request with a body is not repeated behind the client's back.
            Curl post = Curl.run("-x", proxy, fresh.url("/drop-next"), "--data-binary", "x", fresh.url("/echo"),
                    "-w", "%{http_code}\n");
            assertTrue(post.toString(), post.out.endsWith("502\n"));
        } finally {
            fresh.close();
        }
    }

    @Test
    public void connectTunnelInsideTlsToTheProxy() throws Exception {
        Curl c = Curl.run("--proxy", "https://127.0.0.1:" + ferry.httpsPort, "--proxy-insecure", "-k",
                "https://127.0.0.1:" + tlsOrigin.port() + "/echo");
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.out, c.out.startsWith("GET /echo HTTP/1.1\n"));
    }

    @Test
    public void connectTunnelOverPlainHttpToTheProxy() throws Exception {
        Curl c = Curl.run("-x", proxy, "-k", "https://127.0.0.1:" + tlsOrigin.port() + "/echo");
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.out, c.out.startsWith("GET /echo HTTP/1.1\n"));
    }

    @Test
    public void httpsProxyForwardsHttpUrls() throws Exception {
        Curl c = Curl.run("--proxy", "https://127.0.0.1:" + ferry.httpsPort, "--proxy-insecure",
                origin.url("/echo"));
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.out, c.out.startsWith("GET /echo HTTP/1.1\n"));
    }

    @Test
    public void unknownHostIs502DnsError() throws Exception {
        Curl c = Curl.run("-x", proxy, "-i", "http://no-such-host.invalid/");
        assertTrue(c.toString(), c.out.startsWith("HTTP/1.1 502 "));
        assertTrue(c.out, c.out.contains("Proxy-Status: ferry; error=dns_error"));
        // The details name the host and the port: "cannot resolve no-such-host.invalid (no-such-host.invalid:80)".
        assertTrue(c.out, c.out.contains("cannot resolve no-such-host.invalid"));
        assertTrue(c.out, c.out.contains("no-such-host.invalid:80"));
    }

    @Test
    public void refusedConnectionIs502ConnectionRefused() throws Exception {
        int closed = Ports.free();
        Curl c = Curl.run("-x", proxy, "-i", "http://127.0.0.1:" + closed + "/");
        assertTrue(c.toString(), c.out.startsWith("HTTP/1.1 502 "));
        assertTrue(c.out, c.out.contains("error=connection_refused"));
        Curl tunnel = Curl.run("-x", proxy, "-k", "https://127.0.0.1:" + closed + "/");
        assertTrue(tunnel.toString(), tunnel.err.contains("502"));
    }

    @Test
    public void connectTimeoutIs504() throws Exception {
        // Connecting to the blackhole hangs until the proxy's configured 2 s connect timeout.
        try (Blackhole blackhole = new Blackhole()) {
            long start = System.nanoTime();
            Curl c = Curl.run("-x", proxy, "-i", "http://127.0.0.1:" + blackhole.port() + "/");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(c.toString(), c.out.startsWith("HTTP/1.1 504 "));
            assertTrue(c.out, c.out.contains("error=connection_timeout"));
            assertTrue("took " + millis + " ms", millis >= 1500 && millis < 10_000);
        }
    }

    @Test
    public void originClosingMidResponseClosesTheClientConnection() throws Exception {
        Curl sized = Curl.run("-x", proxy, origin.url("/truncated"));
        assertEquals(sized.toString(), 18, sized.exit);
        Curl chunked = Curl.run("-x", proxy, origin.url("/truncated-chunked"));
        assertTrue(chunked.toString(), chunked.exit == 18 || chunked.exit == 56);
    }

    @Test
    public void malformedChunkEndsTheClientConnectionInsteadOfTheBody() throws Exception {
        // The origin keeps its connection open after the bad chunk: only the decoder knows the body is broken.
        long start = System.nanoTime();
        Curl c = Curl.run("-x", proxy, origin.url("/bad-chunk"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue("curl must not see a complete body: " + c, c.exit == 18 || c.exit == 56);
        assertTrue("the proxy ended it at once, took " + millis + " ms", millis < 2500);
    }

    @Test
    public void malformedResponseIs502AndTheConnectionGoesOn() throws Exception {
        Curl c = Curl.run("-x", proxy, "-i", origin.url("/malformed"), origin.url("/echo"));
        assertTrue(c.toString(), c.out.startsWith("HTTP/1.1 502 "));
        assertTrue(c.out, c.out.contains("error=http_protocol_error"));
        assertFalse("no origin bytes after the error:\n" + c.out, c.out.contains("hello"));
        assertTrue("the next request on the same connection works:\n" + c.out,
                c.out.contains("GET /echo HTTP/1.1"));
    }

    @Test
    public void malformedRequestsGet400() throws Exception {
        String garbage = ProxyClients.exchange(ferry.httpPort, "THIS IS NOT HTTP\r\n\r\n");
        assertTrue(garbage, garbage.startsWith("HTTP/1.1 400 "));
        assertTrue(garbage, garbage.contains("error=http_request_error"));
        String originForm = ProxyClients.exchange(ferry.httpPort,
                "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertTrue(originForm, originForm.startsWith("HTTP/1.1 400 "));
        assertTrue(originForm, originForm.contains("absolute-form"));
        String badConnect = ProxyClients.exchange(ferry.httpPort, "CONNECT nowhere HTTP/1.1\r\n\r\n");
        assertTrue(badConnect, badConnect.startsWith("HTTP/1.1 400 "));
    }

    @Test
    public void headerSectionOver64KiBGets431() throws Exception {
        String big = "GET " + origin.url("/echo") + " HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(70 * 1024)
                + "\r\n\r\n";
        String response = ProxyClients.exchange(ferry.httpPort, big);
        assertTrue(response.substring(0, Math.min(200, response.length())),
                response.startsWith("HTTP/1.1 431 "));
        String fits = "GET " + origin.url("/echo") + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: "
                + "b".repeat(60 * 1024) + "\r\n\r\n";
        assertTrue(ProxyClients.exchange(ferry.httpPort, fits).startsWith("HTTP/1.1 200 "));
    }

    @Test
    public void halfCloseIsForwardedAndTheRestOfTheResponseStillArrives() throws Exception {
        long size = 100L << 20;
        try (RawTarget target = new RawTarget(size, false);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), ferry.httpPort)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("CONNECT 127.0.0.1:" + target.port() + " HTTP/1.1\r\nHost: 127.0.0.1:"
                    + target.port() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String head = ProxyClients.readHead(s.getInputStream());
            assertTrue(head, head.startsWith("HTTP/1.1 200 "));
            s.getOutputStream().write("request bytes".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            String[] digest = Patterns.digest(s.getInputStream());
            assertEquals(Long.toString(size), digest[1]);
            assertEquals(Patterns.sha256(size), digest[0]);
            assertEquals(13, target.received.get());
        }
    }

    @Test
    public void slowTunnelReaderHoldsBackTheSender() throws Exception {
        long size = 512L << 20;
        try (RawTarget target = new RawTarget(size, true);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), ferry.httpPort)) {
            s.setReceiveBufferSize(64 * 1024);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("CONNECT 127.0.0.1:" + target.port() + " HTTP/1.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String head = ProxyClients.readHead(s.getInputStream());
            assertTrue(head, head.startsWith("HTTP/1.1 200 "));
            Thread.sleep(3000);
            long sentWhileStalled = target.written.get();
            // Socket buffers on both sides of the proxy take some megabytes; the proxy itself at most ~1 MiB.
            assertTrue("the target got " + sentWhileStalled + " bytes out while nobody read",
                    sentWhileStalled < (48L << 20));
            String[] digest = Patterns.digest(s.getInputStream());
            assertEquals(Long.toString(size), digest[1]);
            assertEquals(Patterns.sha256(size), digest[0]);
        }
    }

    @Test
    public void accessLogHasOneLinePerExchange() throws Exception {
        String marker = "/echo?access-log-marker=" + System.nanoTime();
        assertEquals(0, Curl.run("-x", proxy, origin.url(marker)).exit);
        String expected = "GET " + origin.url(marker) + " 200 ";
        long deadline = System.currentTimeMillis() + 5000;
        while (!ferry.accessLog().contains(expected) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        String line = ferry.accessLog().lines().filter(l -> l.contains(expected)).findFirst()
                .orElseThrow(() -> new AssertionError("no access log line for " + marker + " in\n"
                        + ferry.accessLog()));
        assertTrue(line, line.contains("127.0.0.1:"));
        assertTrue(line, line.endsWith(" DIRECT - http/1.1"));
        assertFalse("access lines stay out of the main log", ferry.log().contains(marker));
    }
}
