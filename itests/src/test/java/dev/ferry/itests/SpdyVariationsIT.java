package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.spdy.client.Negotiation;
import dev.ferry.spdy.client.Response;
import dev.ferry.spdy.client.SpdyClient;
import dev.ferry.spdy.client.SpdySession;
import dev.ferry.spdy.client.Tunnel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Chrome's SPDY proxy in all four shapes: {HTTP/1.1, SPDY/3.1} from the client to Ferry's HTTPS listener ×
 * {HTTP/1.1, SPDY/3.1} from the client to an {@code https://} origin, end to end inside the CONNECT tunnel. Every
 * shape moves {@value #SIZE} pattern bytes and checks their SHA-256, and checks which protocol ran on each leg. The
 * SPDY origin is Netty's own SPDY server stack ({@link SpdyOrigin}), so SPDY inside the tunnel is between two peers
 * that are not Ferry. One distribution (64 MiB heap, paranoid leak detection) serves the class; every test ends with
 * a leak check of it.
 */
public class SpdyVariationsIT {

    private static final int SIZE = 1_000_000;
    private static FerryProcess ferry;
    private static TestOrigin origin;
    private static TestOrigin tlsOrigin;
    private static SpdyOrigin spdyOrigin;
    private static SpdyClient client;
    /** Sessions to Ferry opened by the running test: their SPDY/3.1 violations are checked after it. */
    private final List<SpdySession> ferrySessions = new ArrayList<>();

    @BeforeClass
    public static void start() throws Exception {
        ferry = FerryProcess.start("-Xmx64m", Map.of());
        SSLContext originTls = TlsOrigin.context();
        origin = new TestOrigin(null);
        tlsOrigin = new TestOrigin(originTls);
        spdyOrigin = new SpdyOrigin(originTls);
        client = new SpdyClient(2);
    }

    @AfterClass
    public static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {client, ferry, origin, tlsOrigin, spdyOrigin}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Before
    public void forgetEarlierRequests() {
        spdyOrigin.seen.clear();
    }

    @After
    public void checkSessionsAndLeaks() throws Exception {
        for (SpdySession session : ferrySessions) {
            List<String> violations = session.peerViolations();
            session.close();
            assertTrue("the proxy broke SPDY/3.1: " + violations, violations.isEmpty());
        }
        ferry.collectGarbage();
        // Paranoid leak detection reports on the allocations after the collection: make some, both protocols.
        try (SpdySession last = openFerrySession(); Response r = last.get(origin.url("/bytes?n=100000"))) {
            assertEquals(Patterns.sha256(100_000), r.sha256());
            assertTrue(last.peerViolations().toString(), last.peerViolations().isEmpty());
        }
        Curl c = Curl.run("-x", "http://127.0.0.1:" + ferry.httpPort, origin.url("/bytes?n=100000"), "-o",
                "/dev/null");
        assertEquals(c.toString(), 0, c.exit);
        ferry.assertNoLeaks();
    }

    /** curl → TLS to Ferry, HTTP/1.1 CONNECT → TLS to the origin, HTTP/1.1. */
    @Test
    public void http11ToProxy_http11ToOrigin() throws Exception {
        int before = tlsOrigin.requests.get();
        Path body = Files.createTempFile("ferry-variation", ".bin");
        try {
            Curl c = Curl.run("-v", "--proxy", "https://127.0.0.1:" + ferry.httpsPort, "--proxy-insecure", "-k",
                    "-o", body.toString(), "-w", "%{http_code} %{http_version} %{http_connect}",
                    "https://127.0.0.1:" + tlsOrigin.port() + "/bytes?n=" + SIZE);
            assertEquals(c.toString(), 0, c.exit);
            // origin status, HTTP version to the origin, the proxy's CONNECT status
            assertEquals(c.toString(), "200 1.1 200", c.out);
            // HTTP/1.1 to the proxy: ALPN of the proxy's TLS (before the proxy's certificate is shown), curl's
            // CONNECT request line and the proxy's answer
            int proxyAlpn = c.err.indexOf("ALPN: server accepted http/1.1");
            assertTrue(c.err, proxyAlpn >= 0 && proxyAlpn < c.err.indexOf("Proxy certificate:"));
            assertTrue(c.err, c.err.contains("> CONNECT 127.0.0.1:" + tlsOrigin.port() + " HTTP/1.1"));
            assertTrue(c.err, c.err.contains("< HTTP/1.1 200"));
            assertDigest(body, SIZE);
        } finally {
            Files.delete(body);
        }
        assertEquals(before + 1, tlsOrigin.requests.get());
        awaitAccessLog("CONNECT 127.0.0.1:" + tlsOrigin.port() + " 200 ", "http/1.1");
    }

    /** An SSLSocket → TLS to Ferry (ALPN http/1.1), HTTP/1.1 CONNECT → TLS to the origin (ALPN spdy/3.1), SPDY. */
    @Test
    public void http11ToProxy_spdyToOrigin() throws Exception {
        int sessionsBefore = spdyOrigin.sessions.get();
        int requestsBefore = spdyOrigin.requests.get();
        try (SSLSocket proxy = http11ProxyConnection()) {
            assertEquals("HTTP/1.1 to the proxy", "http/1.1", proxy.getApplicationProtocol());
            proxy.getOutputStream().write(("CONNECT 127.0.0.1:" + spdyOrigin.port() + " HTTP/1.1\r\nHost: 127.0.0.1:"
                    + spdyOrigin.port() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            proxy.getOutputStream().flush();
            String head = ProxyClients.readHead(proxy.getInputStream());
            assertTrue(head, head.startsWith("HTTP/1.1 200"));
            try (TunnelBridge bridge = new TunnelBridge(proxy.getInputStream(), proxy.getOutputStream(),
                    () -> shutdownOutput(proxy));
                 SpdySession inner = client.open(new InetSocketAddress("127.0.0.1", bridge.port()),
                         Negotiation.ALPN)) {
                assertEquals("SPDY end to end with the origin", "spdy/3.1", inner.negotiatedProtocol());
                try (Response r = inner.get(spdyOrigin.url("/bytes?n=" + SIZE), originHeaders("/bytes?n=" + SIZE))) {
                    assertEquals(200, r.status());
                    assertEquals("netty-spdy", r.header("x-origin"));
                    assertNull("a tunnel: the proxy cannot have touched the response", r.header("via"));
                    assertEquals(Patterns.sha256(SIZE), r.sha256());
                }
                SpdyOrigin.Seen seen = spdyOrigin.nextSeen();
                assertEquals(seen.toString(), "GET", seen.method);
                assertEquals(seen.toString(), "/bytes?n=" + SIZE, seen.path);
                assertEquals(seen.toString(), "https", seen.scheme);
                assertEquals(seen.toString(), "127.0.0.1:" + spdyOrigin.port(), seen.host);
                assertTrue(inner.peerViolations().toString(), inner.peerViolations().isEmpty());
            }
        }
        assertEquals(sessionsBefore + 1, spdyOrigin.sessions.get());
        assertEquals(requestsBefore + 1, spdyOrigin.requests.get());
        awaitAccessLog("CONNECT 127.0.0.1:" + spdyOrigin.port() + " 200 ", "http/1.1");
    }

    /** SPDY client → TLS to Ferry, SPDY, CONNECT on a stream → TLS to the origin (curl), HTTP/1.1. */
    @Test
    public void spdyToProxy_http11ToOrigin() throws Exception {
        int before = tlsOrigin.requests.get();
        SpdySession session = openFerrySession();
        assertEquals("spdy/3.1", session.negotiatedProtocol());
        Path body = Files.createTempFile("ferry-variation", ".bin");
        try (Tunnel tunnel = session.connect("127.0.0.1:" + tlsOrigin.port());
             TunnelBridge bridge = new TunnelBridge(tunnel)) {
            assertEquals(200, tunnel.status());
            Curl c = Curl.run("-v", "-k", "-o", body.toString(), "-w", "%{http_code} %{http_version}",
                    "https://127.0.0.1:" + bridge.port() + "/bytes?n=" + SIZE);
            assertEquals(c.toString(), 0, c.exit);
            assertEquals(c.toString(), "200 1.1", c.out);
            assertTrue("curl spoke TLS to the origin itself: " + c.err, c.err.contains("CN=127.0.0.1"));
            assertDigest(body, SIZE);
        } finally {
            Files.delete(body);
        }
        assertEquals(before + 1, tlsOrigin.requests.get());
        awaitAccessLog("CONNECT 127.0.0.1:" + tlsOrigin.port() + " 200 ", "spdy/3.1");
    }

    /** SPDY client → Ferry, CONNECT on a stream → a second SPDY session inside it, to Netty's SPDY server. */
    @Test
    public void spdyToProxy_spdyToOrigin() throws Exception {
        int sessionsBefore = spdyOrigin.sessions.get();
        int requestsBefore = spdyOrigin.requests.get();
        SpdySession outer = openFerrySession();
        assertEquals("spdy/3.1", outer.negotiatedProtocol());
        ExecutorService readers = Executors.newCachedThreadPool();
        try (Tunnel tunnel = outer.connect("127.0.0.1:" + spdyOrigin.port());
             TunnelBridge bridge = new TunnelBridge(tunnel)) {
            assertEquals(200, tunnel.status());
            try (SpdySession inner = client.open(new InetSocketAddress("127.0.0.1", bridge.port()),
                    Negotiation.ALPN)) {
                assertEquals("SPDY inside SPDY", "spdy/3.1", inner.negotiatedProtocol());
                try (Response r = inner.get(spdyOrigin.url("/bytes?n=" + SIZE), originHeaders("/bytes?n=" + SIZE))) {
                    assertEquals(200, r.status());
                    assertNull("a tunnel: the proxy cannot have touched the response", r.header("via"));
                    assertEquals(Patterns.sha256(SIZE), r.sha256());
                }
                try (Response echo = inner.get(spdyOrigin.url("/echo"), originHeaders("/echo"))) {
                    assertEquals("method GET\npath /echo\nscheme https\nhost 127.0.0.1:" + spdyOrigin.port() + "\n",
                            new String(echo.bodyBytes(), StandardCharsets.UTF_8));
                }
                // Several streams at once on the inner session, each read on its own thread.
                List<CompletableFuture<String[]>> results = new ArrayList<>();
                int[] sizes = {300_000, 450_000, 600_000, 700_000, 800_000, 1};
                for (int size : sizes) {
                    String path = "/bytes?n=" + size;
                    results.add(inner.send("GET", spdyOrigin.url(path), originHeaders(path), (InputStream) null)
                            .thenApplyAsync(response -> {
                                try (response) {
                                    return new String[] {Integer.toString(response.status()), response.sha256()};
                                } catch (IOException e) {
                                    throw new IllegalStateException(e);
                                }
                            }, readers));
                }
                for (int i = 0; i < sizes.length; i++) {
                    String[] result = results.get(i).get(60, TimeUnit.SECONDS);
                    assertEquals("200", result[0]);
                    assertEquals("size " + sizes[i], Patterns.sha256(sizes[i]), result[1]);
                }
                assertEquals("the whole inner session rides one stream of the outer one", 1, outer.openStreams());
                List<String> paths = new ArrayList<>();
                for (int i = 0; i < 2 + sizes.length; i++) {
                    SpdyOrigin.Seen seen = spdyOrigin.nextSeen();
                    assertEquals(seen.toString(), "https", seen.scheme);
                    assertEquals(seen.toString(), "127.0.0.1:" + spdyOrigin.port(), seen.host);
                    paths.add(seen.path);
                }
                assertEquals(List.of("/bytes?n=" + SIZE, "/echo"), paths.subList(0, 2));
                Set<String> concurrent = new HashSet<>();
                for (int size : sizes) {
                    concurrent.add("/bytes?n=" + size);
                }
                assertEquals(concurrent, new HashSet<>(paths.subList(2, paths.size())));
                assertTrue(inner.peerViolations().toString(), inner.peerViolations().isEmpty());
            }
        } finally {
            readers.shutdownNow();
        }
        assertEquals(sessionsBefore + 1, spdyOrigin.sessions.get());
        assertEquals(requestsBefore + 2 + 6, spdyOrigin.requests.get());
        awaitAccessLog("CONNECT 127.0.0.1:" + spdyOrigin.port() + " 200 ", "spdy/3.1");
    }

    private SpdySession openFerrySession() throws IOException {
        SpdySession session = client.open(new InetSocketAddress("127.0.0.1", ferry.httpsPort), Negotiation.ALPN);
        ferrySessions.add(session);
        return session;
    }

    /** What a browser sends to an {@code https://} origin on its own SPDY session: origin-form path, scheme https. */
    private static Map<String, String> originHeaders(String path) {
        return Map.of(":path", path, ":scheme", "https");
    }

    /** TLS to Ferry's HTTPS listener offering only {@code http/1.1} in ALPN, trusting its self-signed certificate. */
    private static SSLSocket http11ProxyConnection() throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                ferry.httpsPort);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(60_000);
        socket.startHandshake();
        return socket;
    }

    private static void shutdownOutput(SSLSocket socket) {
        try {
            socket.shutdownOutput();
        } catch (IOException | UnsupportedOperationException e) {
            // no half-close on this TLS connection: the test closes it at the end
        }
    }

    private static void assertDigest(Path file, long size) throws IOException {
        String[] digest;
        try (InputStream in = Files.newInputStream(file)) {
            digest = Patterns.digest(in);
        }
        assertEquals(Long.toString(size), digest[1]);
        assertEquals(Patterns.sha256(size), digest[0]);
    }

    /** Waits for an access log line with {@code fragment} whose last field is the client's {@code protocol}. */
    private static void awaitAccessLog(String fragment, String protocol) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!hasAccessLine(fragment, protocol) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertTrue("no access log line with '" + fragment + "' ending in ' " + protocol + "' in\n"
                + ferry.accessLog(), hasAccessLine(fragment, protocol));
    }

    private static boolean hasAccessLine(String fragment, String protocol) {
        return ferry.accessLog().lines().anyMatch(l -> l.contains(fragment) && l.endsWith(" " + protocol));
    }
}
