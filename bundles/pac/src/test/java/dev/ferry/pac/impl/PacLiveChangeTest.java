package dev.ferry.pac.impl;

import static dev.ferry.pac.impl.PacFixture.await;
import static dev.ferry.pac.impl.PacFixture.config;
import static dev.ferry.pac.impl.PacFixture.resolve;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyResolutionException;
import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** Configuration changes applied in place by {@link PacProxyResolver#modified}, on the same resolver instance. */
public class PacLiveChangeTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final long AWAIT_MILLIS = 10_000;

    @Rule
    public final PacFixture pac = new PacFixture();

    private HttpServer server;

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

    @Test
    public void theComponentChangesInPlaceAndStillNeedsItsConfiguration() throws IOException {
        String component;
        try (InputStream xml = getClass().getClassLoader()
                .getResourceAsStream("OSGI-INF/dev.ferry.pac.impl.PacProxyResolver.xml")) {
            component = new String(xml.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(component, component.contains("modified=\"modified\""));
        assertTrue("deleting the configuration still unregisters the resolver",
                component.contains("configuration-policy=\"require\""));
    }

    @Test(timeout = 30_000)
    public void aNewUrlLoadsInTheBackgroundWhileTheScriptInUseAnswers() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger fetches = new AtomicInteger();
        String url = startServer(exchange -> {
            fetches.incrementAndGet();
            try {
                release.await(AWAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, answering("PROXY two:2"));
        });
        Path first = pac.write(answering("PROXY one:1"));
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), first.toString(), "onError", "FAIL");
        assertEquals("one", firstHost(resolver));

        resolver.modified(config(url, "onError", "FAIL"));

        assertTrue("the new script is not being fetched", await(AWAIT_MILLIS, () -> fetches.get() == 1));
        assertEquals("while the new script is on its way the old one answers", "one", firstHost(resolver));
        release.countDown();
        assertTrue("the new script did not take over", await(AWAIT_MILLIS, () -> firstHost(resolver).equals("two")));
        assertNull(resolver.lastLoadProblem());
    }

    @Test
    public void aNewUrlWhoseScriptDoesNotLoadLeavesTheScriptInUseAnswering() throws Exception {
        Path first = pac.write(answering("PROXY one:1"));
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), first.toString(), "onError", "FAIL");

        resolver.modified(config(first.resolveSibling("missing.pac").toString(), "onError", "FAIL"));

        assertTrue(await(AWAIT_MILLIS, () -> resolver.lastLoadProblem() != null));
        assertTrue(resolver.lastLoadProblem(), resolver.lastLoadProblem().contains("missing.pac does not exist"));
        assertEquals("one", firstHost(resolver));
    }

    @Test(timeout = 30_000)
    public void timeoutMillisAndOnErrorApplyToTheNextCall() throws Exception {
        // Runs about 200 ms, whatever the time limit.
        String url = pac.write("function FindProxyForURL(url, host) {\n"
                + "  var end = Date.now() + 200; while (Date.now() < end) {}\n"
                + "  return 'PROXY slow:1';\n"
                + "}\n").toString();
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), url, "timeoutMillis", 5000, "onError", "DIRECT");
        assertEquals("slow", firstHost(resolver));

        resolver.modified(config(url, "timeoutMillis", 50, "onError", "FAIL"));
        ProxyResolutionException e = assertThrows(ProxyResolutionException.class,
                () -> resolve(resolver, "http://a.test/"));
        assertTrue(e.getMessage(), e.getMessage().contains("did not return within 50 ms"));

        resolver.modified(config(url, "timeoutMillis", 50, "onError", "DIRECT"));
        assertEquals(ProxyList.DIRECT, resolve(resolver, "http://a.test/"));
    }

    @Test
    public void aLargerMaxScriptBytesLoadsTheScriptItRefusedBefore() throws Exception {
        String url = pac.write(answering("PROXY big:1") + "//" + "x".repeat(2000)).toString();
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), url, "onError", "FAIL", "maxScriptBytes", 1000);
        assertThrows(ProxyResolutionException.class, () -> resolve(resolver, "http://a.test/"));

        resolver.modified(config(url, "onError", "FAIL", "maxScriptBytes", 4096));

        assertTrue("the script was not loaded again", await(AWAIT_MILLIS, () -> resolver.lastLoadProblem() == null));
        assertEquals("big", firstHost(resolver));
    }

    @Test(timeout = 30_000)
    public void aReloadPeriodSetLaterStartsReloading() throws Exception {
        Path file = pac.write(answering("PROXY one:1"));
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), file.toString(), "reloadSeconds", 0);
        pac.rewrite(file, answering("PROXY second:2"));
        Thread.sleep(1500);
        assertEquals("reloadSeconds 0: loaded once", "one", firstHost(resolver));

        resolver.modified(config(file.toString(), "reloadSeconds", 1));

        assertTrue("the changed file was not reloaded",
                await(AWAIT_MILLIS, () -> firstHost(resolver).equals("second")));
    }

    @Test
    public void dnsLimitsFollowTheConfiguration() throws Exception {
        String url = pac.write(answering("DIRECT")).toString();
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), url, "dnsThreads", 4, "dnsTimeoutMillis", 2000);

        resolver.modified(config(url, "dnsThreads", 1, "dnsTimeoutMillis", 300));
        assertEquals(1, resolver.dnsLookups().threads());
        assertEquals(300, resolver.dnsLookups().timeoutMillis());

        resolver.modified(config(url, "dnsThreads", 8, "dnsTimeoutMillis", 300));
        assertEquals(8, resolver.dnsLookups().threads());
        assertEquals("127.0.0.1", resolver.dnsLookups().resolveIpv4("127.0.0.1", 1000));
    }

    @Test
    public void aChangeWithABadValueIsRefusedAsAWhole() throws Exception {
        Path file = pac.write("function FindProxyForURL(url, host) { throw 'broken'; }");
        PacProxyResolver resolver = pac.resolver(Clock.systemUTC(), file.toString(), "onError", "DIRECT");
        assertEquals(ProxyList.DIRECT, resolve(resolver, "http://a.test/"));

        resolver.modified(config(file.toString(), "onError", "FAIL", "timeoutMillis", 0));
        assertEquals("onError FAIL came with a bad timeoutMillis", ProxyList.DIRECT,
                resolve(resolver, "http://a.test/"));

        resolver.modified(config("ftp://pac.test/x.pac", "onError", "FAIL"));
        assertEquals("onError FAIL came with a bad url", ProxyList.DIRECT, resolve(resolver, "http://a.test/"));
        assertNull("no load was tried", resolver.lastLoadProblem());
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private String startServer(Handler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/proxy.pac", handler::handle);
        server.setExecutor(null);
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/proxy.pac";
    }

    private static void answer(HttpExchange exchange, String script) throws IOException {
        byte[] body = script.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
