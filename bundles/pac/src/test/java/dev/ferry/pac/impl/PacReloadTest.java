package dev.ferry.pac.impl;

import static dev.ferry.pac.impl.PacFixture.await;
import static dev.ferry.pac.impl.PacFixture.resolve;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.api.proxy.ProxyResolutionException;
import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** Scripts from files and from a real HTTP server on 127.0.0.1, reloaded every second. */
public class PacReloadTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final long AWAIT_MILLIS = 10_000;

    @Rule
    public final PacFixture pac = new PacFixture();

    private HttpServer server;
    private volatile String served;
    private volatile int status = 200;
    private final AtomicInteger requests = new AtomicInteger();

    private static String answering(String proxy) {
        return "function FindProxyForURL(url, host) { return '" + proxy + "'; }\n";
    }

    private static String firstHost(PacProxyResolver resolver) {
        return resolve(resolver, "http://a.test/").first().host();
    }

    @After
    public void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private String startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/proxy.pac", this::serve);
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/proxy.pac";
    }

    private void serve(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        byte[] body = served.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-ns-proxy-autoconfig");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    public void aChangedFileIsReloaded() throws Exception {
        Path file = pac.write(answering("PROXY one:1"));
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), file.toUri().toString(), "reloadSeconds", 1,
                "onError", "FAIL");
        assertEquals("one", firstHost(resolver));

        pac.rewrite(file, answering("PROXY second.version:2"));
        assertTrue("new script not picked up",
                await(AWAIT_MILLIS, () -> firstHost(resolver).equals("second.version")));
    }

    @Test
    public void aScriptMovedInPlaceIsReloadedEvenWithTheOldTimeAndSize() throws Exception {
        Path file = pac.write(answering("PROXY aaa:1"));
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), file.toString(), "reloadSeconds", 1);
        assertEquals("aaa", firstHost(resolver));

        Path replacement = pac.write(answering("PROXY bbb:1"));
        Files.setLastModifiedTime(replacement, Files.getLastModifiedTime(file));
        Files.move(replacement, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertTrue("moved script not picked up", await(AWAIT_MILLIS, () -> firstHost(resolver).equals("bbb")));
    }

    @Test
    public void aBrokenRewriteKeepsTheScriptInUse() throws Exception {
        Path file = pac.write(answering("PROXY one:1"));
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), file.toString(), "reloadSeconds", 1,
                "onError", "FAIL");
        assertNull(resolver.lastLoadProblem());

        pac.rewrite(file, "function FindProxyForURL(url, host) { return 'PROXY broken:1' ");
        assertTrue("the broken script was not noticed", await(AWAIT_MILLIS,
                () -> resolver.lastLoadProblem() != null && resolver.lastLoadProblem().contains("does not compile")));
        assertEquals("one", firstHost(resolver));

        pac.rewrite(file, answering("PROXY fixed:3"));
        assertTrue(await(AWAIT_MILLIS, () -> firstHost(resolver).equals("fixed")));
        assertNull(resolver.lastLoadProblem());
    }

    @Test
    public void aScriptFromAUrlIsFetchedAndReloaded() throws Exception {
        served = answering("PROXY from-http:8080");
        String url = startServer();
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), url, "reloadSeconds", 1, "onError", "FAIL");
        assertEquals("from-http", firstHost(resolver));
        assertEquals(8080, resolve(resolver, "http://a.test/").first().port());

        served = answering("SOCKS5 changed:1080");
        assertTrue("new script not fetched", await(AWAIT_MILLIS, () -> firstHost(resolver).equals("changed")));
    }

    @Test
    public void aFailedFetchKeepsTheScriptInUse() throws Exception {
        served = answering("PROXY kept:1");
        String url = startServer();
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), url, "reloadSeconds", 1, "onError", "FAIL");
        assertEquals("kept", firstHost(resolver));

        served = answering("PROXY not-found-page:1");
        status = 404;
        assertTrue(await(AWAIT_MILLIS, () -> resolver.lastLoadProblem() != null));
        assertTrue(resolver.lastLoadProblem(), resolver.lastLoadProblem().contains("answered HTTP 404; only 200"));
        assertEquals("kept", firstHost(resolver));
    }

    @Test
    public void anOversizedOrMissingUrlScriptLeavesNoScript() throws Exception {
        served = answering("PROXY big:1") + "//" + "x".repeat(2000);
        String url = startServer();
        PacProxyResolver big = pac.resolver(Clock.systemUTC(), url, "onError", "FAIL", "maxScriptBytes", 1000);
        ProxyResolutionException e = assertThrows(ProxyResolutionException.class,
                () -> resolve(big, "http://a.test/"));
        assertTrue(e.getMessage(), e.getMessage().contains("over maxScriptBytes 1000"));

        PacProxyResolver missing = pac.resolver(Clock.systemUTC(), url.replace("proxy.pac", "other.pac"),
                "onError", "FAIL");
        e = assertThrows(ProxyResolutionException.class, () -> resolve(missing, "http://a.test/"));
        assertTrue(e.getMessage(), e.getMessage().contains("answered HTTP 404"));
    }

    @Test
    public void withoutReloadTheUrlIsFetchedOnce() throws Exception {
        served = answering("PROXY once:1");
        String url = startServer();
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), url, "reloadSeconds", 0);
        for (int i = 0; i < 5; i++) {
            assertEquals("once", firstHost(resolver));
        }
        assertEquals(1, requests.get());
    }
}
