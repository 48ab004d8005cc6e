package dev.ferry.pac.impl;

import static dev.ferry.pac.impl.PacFixture.resolve;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyResolutionException;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.proxy.ProxyServer.Scheme;
import dev.ferry.testing.LeakCheck;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.function.ThrowingRunnable;

public class PacProxyResolverTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final int TIMEOUT_MILLIS = 300;
    /** Scheduling slack on a busy build machine; the deadline itself is checked every few microseconds. */
    private static final long MARGIN_MILLIS = 1500;

    @Rule
    public final PacFixture pac = new PacFixture();

    private static String first(ProxyList list) {
        return list.first().toString();
    }

    private ProxyResolutionException failure(String script, String url) throws Exception {
        PacProxyResolver resolver = pac.resolver(script, "onError", "FAIL", "timeoutMillis", TIMEOUT_MILLIS);
        return assertThrows(ProxyResolutionException.class, () -> resolve(resolver, url));
    }

    private static void assertContains(String text, String expected) {
        assertTrue("'" + expected + "' not in: " + text, text.contains(expected));
    }

    @Test
    public void choosesPerHost() throws Exception {
        PacProxyResolver resolver = pac.resolver("function FindProxyForURL(url, host) {\n"
                + "  if (isPlainHostName(host) || dnsDomainIs(host, '.corp.test')) return 'DIRECT';\n"
                + "  if (shExpMatch(url, 'http://*.video.test/*')) return 'SOCKS5 socks.test:1081; DIRECT';\n"
                + "  return 'PROXY proxy.test:3128; HTTPS secure-proxy.test';\n"
                + "}\n");
        assertEquals(ProxyList.DIRECT, resolve(resolver, "http://intranet/"));
        assertEquals(ProxyList.DIRECT, resolve(resolver, "https://wiki.corp.test:443/"));
        assertEquals(List.of(ProxyServer.of(Scheme.SOCKS5, "socks.test", 1081), ProxyServer.DIRECT),
                resolve(resolver, "http://cdn.video.test/clip").servers());
        assertEquals(List.of(ProxyServer.of(Scheme.HTTP, "proxy.test", 3128),
                ProxyServer.of(Scheme.HTTPS, "secure-proxy.test", 443)),
                resolve(resolver, "http://example.org/").servers());
        assertTrue(resolver.mayBlock());
    }

    @Test
    public void httpsUrlsReachTheScriptStripped() throws Exception {
        PacProxyResolver resolver = pac.resolver("function FindProxyForURL(url, host) {\n"
                + "  return url === 'https://secure.test/' && host === 'secure.test' ? 'PROXY stripped' :\n"
                + "         url === 'https://secure.test:8443/' ? 'PROXY port-kept' :\n"
                + "         url === 'http://plain.test/a/b?c=d' ? 'PROXY as-is' :\n"
                + "         host === '2001:db8::1' ? 'PROXY v6' : 'PROXY other';\n"
                + "}\n");
        assertEquals("http://stripped:80", first(resolve(resolver, "https://secure.test/private?token=1")));
        assertEquals("http://port-kept:80", first(resolve(resolver, "https://secure.test:8443/x")));
        assertEquals("http://as-is:80", first(resolve(resolver, "http://plain.test/a/b?c=d")));
        assertEquals("http://v6:80", first(resolve(resolver, "https://[2001:db8::1]:443/")));
    }

    @Test(timeout = 20_000)
    public void aLoopingScriptIsStoppedAndGoesDirect() throws Exception {
        PacProxyResolver resolver = pac.resolver("function FindProxyForURL(url, host) { while (true) {} }",
                "timeoutMillis", TIMEOUT_MILLIS);
        long start = System.nanoTime();
        assertEquals(ProxyList.DIRECT, resolve(resolver, "http://loop.test/"));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue("stopped after " + elapsed + " ms", elapsed >= TIMEOUT_MILLIS - 10);
        assertTrue("stopped after " + elapsed + " ms", elapsed < TIMEOUT_MILLIS + MARGIN_MILLIS);
    }

    @Test(timeout = 20_000)
    public void aLoopingScriptIsStoppedAndFailsTheRequest() throws Exception {
        long start = System.nanoTime();
        ProxyResolutionException e = failure("function FindProxyForURL(url, host) { for (;;) { host += 'x'; } }",
                "http://loop.test/");
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertContains(e.getMessage(), "did not return within " + TIMEOUT_MILLIS + " ms for http://loop.test/");
        assertContains(e.getMessage(), "PAC script file:");
        assertTrue("stopped after " + elapsed + " ms", elapsed < TIMEOUT_MILLIS + MARGIN_MILLIS);
    }

    @Test(timeout = 20_000)
    public void aScriptCannotCatchItsOwnTimeout() throws Exception {
        assertContains(failure("function FindProxyForURL(url, host) {\n"
                + "  try { while (true) {} } catch (e) { }\n"
                + "  return 'PROXY caught';\n"
                + "}\n", "http://loop.test/").getMessage(), "did not return within");
        assertContains(failure("function FindProxyForURL(url, host) {\n"
                + "  try { while (true) {} } finally { return 'PROXY finally'; }\n"
                + "}\n", "http://loop.test/").getMessage(), "did not return within");
    }

    @Test
    public void aThrowingScriptGetsThePolicy() throws Exception {
        String script = "function FindProxyForURL(url, host) { throw new Error('boom ' + host); }";
        assertEquals(ProxyList.DIRECT, resolve(pac.resolver(script), "http://a.test/"));
        ProxyResolutionException e = failure(script, "http://a.test/");
        assertContains(e.getMessage(), "failed for http://a.test/");
        assertContains(e.getMessage(), "boom a.test");
    }

    @Test
    public void runawayRecursionFailsFast() throws Exception {
        ProxyResolutionException e = failure("function f(n) { return f(n + 1); }\n"
                + "function FindProxyForURL(url, host) { return f(0); }", "http://deep.test/");
        assertContains(e.getMessage(), "failed for http://deep.test/");
        // through a built-in the interpreter's depth limit does not apply; the Java stack overflows instead
        e = failure("function FindProxyForURL(url, host) { return [1].map(function g(x) { return [x].map(g); }); }",
                "http://deep.test/");
        assertContains(e.getMessage(), "recursion too deep");
    }

    @Test
    public void registeredOnlyWhenConfiguredAndOutranksTheRulesResolver() throws Exception {
        String component;
        try (InputStream xml = getClass().getClassLoader()
                .getResourceAsStream("OSGI-INF/dev.ferry.pac.impl.PacProxyResolver.xml")) {
            component = new String(xml.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertContains(component, "configuration-policy=\"require\"");
        assertContains(component, "configuration-pid=\"dev.ferry.pac\"");
        assertContains(component, "<property name=\"service.ranking\" type=\"Integer\" value=\"100\"/>");
        assertContains(component, "<provide interface=\"dev.ferry.api.proxy.ProxyResolver\"/>");
        assertContains(component, "deactivate=\"close\"");
    }

    @Test
    public void garbageResultsAreFailures() throws Exception {
        assertContains(failure("function FindProxyForURL(url, host) { return 42; }", "http://a.test/")
                .getMessage(), "returned number instead of a string for http://a.test/");
        assertContains(failure("function FindProxyForURL(url, host) { }", "http://a.test/").getMessage(),
                "returned undefined instead of a string");
        assertContains(failure("function FindProxyForURL(url, host) { return 'hello world'; }", "http://a.test/")
                .getMessage(), "returned no usable proxy for http://a.test/: 'hello world'");
        assertContains(failure("function FindProxyForURL(url, host) { return ' ; '; }", "http://a.test/")
                .getMessage(), "no usable proxy");
        assertEquals(ProxyList.DIRECT,
                resolve(pac.resolver("function FindProxyForURL(url, host) { return null; }"), "http://a.test/"));
    }

    @Test
    public void aConcatenatedStringIsAString() throws Exception {
        PacProxyResolver resolver = pac.resolver(
                "function FindProxyForURL(url, host) { return 'PROXY ' + host.split('.')[0] + '.proxy:' + 81; }");
        assertEquals("http://a.proxy:81", first(resolve(resolver, "http://a.test/")));
    }

    @Test
    public void noJavaInsideTheSandbox() throws Exception {
        String[] escapes = {
            "java.lang.System.exit(1)",
            "Packages.java.lang.System.exit(1)",
            "new JavaAdapter(java.lang.Runnable, {})",
            "this.getClass()",
            "Function('return java')().lang.System.exit(1)",
            "importPackage(java.io)",
            "org.mozilla.javascript.Context.getCurrentContext()",
        };
        for (String escape : escapes) {
            ProxyResolutionException e = failure("function FindProxyForURL(url, host) { " + escape
                    + "; return 'PROXY escaped'; }", "http://a.test/");
            assertContains(e.getMessage(), "failed for http://a.test/");
        }
        // still here: the JVM did not exit; and globals the script can see hold no Java
        PacProxyResolver resolver = pac.resolver("function FindProxyForURL(url, host) {\n"
                + "  return typeof java + typeof Packages + typeof JavaAdapter + typeof getClass === "
                + "'undefinedundefinedundefinedundefined' ? 'PROXY sealed' : 'PROXY open';\n"
                + "}\n");
        assertEquals("http://sealed:80", first(resolve(resolver, "http://a.test/")));
    }

    @Test(timeout = 20_000)
    public void scriptsThatDoNotLoadLeaveNoScript() throws Exception {
        assertContains(failure("function FindProxyForURL(url, host) { return 'DIRECT'; ", "http://a.test/")
                .getMessage(), "does not compile");
        assertContains(failure("function findProxyForUrl(url, host) { return 'DIRECT'; }", "http://a.test/")
                .getMessage(), "defines no function FindProxyForURL");
        assertContains(failure("while (true) {}", "http://a.test/").getMessage(), "did not finish loading within");
        ProxyResolutionException e = failure("throw 'top';", "http://a.test/");
        assertContains(e.getMessage(), "no PAC script loaded from file:");
        assertContains(e.getMessage(), "failed while loading");
        assertContains(e.getMessage(), "to resolve http://a.test/");
    }

    @Test
    public void aMissingOrOversizedFileLeavesNoScript() throws Exception {
        PacProxyResolver missing = pac.resolver(Clock.systemUTC(), "/nonexistent/ferry/proxy.pac",
                "onError", "FAIL");
        assertContains(assertThrows(ProxyResolutionException.class, () -> resolve(missing, "http://a.test/"))
                .getMessage(), "file:///nonexistent/ferry/proxy.pac does not exist");
        PacProxyResolver big = pac.resolver("function FindProxyForURL(url, host) { return 'DIRECT'; }",
                "onError", "FAIL", "maxScriptBytes", 20);
        assertContains(assertThrows(ProxyResolutionException.class, () -> resolve(big, "http://a.test/"))
                .getMessage(), "over maxScriptBytes 20");
    }

    @Test
    public void manyThreadsGetTheirOwnAnswers() throws Exception {
        PacProxyResolver resolver = pac.resolver("var calls = 0;\n"
                + "function FindProxyForURL(url, host) {\n"
                + "  calls++;\n"
                + "  return 'PROXY ' + host + ':' + (1000 + calls % 2);\n"
                + "}\n");
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                String host = "host" + t + ".test";
                Callable<Boolean> task = () -> {
                    for (int i = 0; i < 200; i++) {
                        ProxyServer server = resolve(resolver, "http://" + host + "/" + i).first();
                        if (!server.host().equals(host) || server.port() < 1000 || server.port() > 1001) {
                            return false;
                        }
                    }
                    return true;
                };
                results.add(threads.submit(task));
            }
            for (Future<Boolean> result : results) {
                assertTrue(result.get(60, TimeUnit.SECONDS));
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    public void badSettingsFailActivationNamingTheSettingAndValue() throws Exception {
        String url = pac.write("function FindProxyForURL(url, host) { return 'DIRECT'; }").toString();
        Clock clock = Clock.systemUTC();
        assertActivationFails("reloadSeconds must be at least 0, not -1",
                () -> pac.resolver(clock, url, "reloadSeconds", -1));
        assertActivationFails("timeoutMillis must be at least 1, not 0", () -> pac.resolver(clock, url,
                "timeoutMillis", 0));
        assertActivationFails("dnsTimeoutMillis must be at least 1, not -5", () -> pac.resolver(clock, url,
                "dnsTimeoutMillis", -5));
        assertActivationFails("maxScriptBytes must be at least 1, not 0", () -> pac.resolver(clock, url,
                "maxScriptBytes", 0));
        assertActivationFails("dnsThreads must be at least 1, not 0", () -> pac.resolver(clock, url,
                "dnsThreads", 0));
        assertActivationFails("fetchTimeoutMillis must be at least 1, not 0", () -> pac.resolver(clock, url,
                "fetchTimeoutMillis", 0));
        assertActivationFails("onError must be DIRECT or FAIL, not 'MAYBE'", () -> pac.resolver(clock, url,
                "onError", "MAYBE"));
        assertActivationFails("url is required", () -> pac.resolver(clock, " "));
        assertActivationFails("url 'ftp://pac.test/x.pac' is not a PAC script location: scheme ftp is not "
                + "supported", () -> pac.resolver(clock, "ftp://pac.test/x.pac"));
        assertActivationFails("url 'http:///x.pac'", () -> pac.resolver(clock, "http:///x.pac"));
    }

    private static void assertActivationFails(String expected, ThrowingRunnable activation) {
        assertContains(assertThrows(IllegalArgumentException.class, activation).getMessage(), expected);
    }
}
