package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.itests.misbehaving.MisbehavingHookActivator;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;
import org.ops4j.pax.tinybundles.TinyBundles;

/**
 * Plugins dropped into {@code deploy/} of a running distribution while other traffic runs: the example plugin of
 * {@code examples/deny-hosts} (built by its own pom) changes what the proxy answers within seconds and stops when its
 * jar is deleted; a plugin that throws, and one that never answers, cost only their own requests a 500 that names
 * them. Meanwhile a steady load of GETs through the proxy must not see one failure.
 */
public class DropInPluginIT {

    private static final Path EXAMPLE_JAR = Path.of(System.getProperty("ferry.examplePlugin",
            "../examples/deny-hosts/target/deny-hosts-1.0.0.jar"));

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static FerryProcess ferry;
    private static String proxy;

    @BeforeClass
    public static void start() throws Exception {
        assertTrue("build the example plugin first: " + EXAMPLE_JAR, Files.isRegularFile(EXAMPLE_JAR));
        origin = resources.add(new TestOrigin(null));
        ferry = resources.add(FerryProcess.start("-Xmx64m", Map.of("dev.ferry.listener-http.cfg",
                Map.of("pluginTimeoutMillis", "1500"))));
        proxy = ferry.httpProxy();
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void pluginsDroppedInAndRemovedChangeOnlyWhatTheyMeanToWhileTrafficRuns() throws Exception {
        Path deploy = ferry.home.resolve("deploy");
        String local = "http://localhost:" + origin.port() + "/echo";
        try (SteadyLoad load = new SteadyLoad(origin.url("/bytes?n=1000"), 1000)) {
            // The example plugin: localhost is denied while its jar is in deploy/.
            Files.createDirectories(ferry.home.resolve("etc"));
            Files.writeString(ferry.home.resolve("etc/denied-hosts"), "# denied by the example plugin\nlocalhost\n");
            assertEquals("200", status(local));
            drop(EXAMPLE_JAR, deploy.resolve("deny-hosts.jar"));
            Curl denied = Await.until("the example plugin denying localhost", 15_000, () -> {
                Curl c = Curl.run("-x", proxy, "-D", "-", "-o", "/dev/null", local);
                return c.out.startsWith("HTTP/1.1 403 ") ? c : null;
            });
            assertTrue(denied.out, denied.out.contains("error=http_request_denied; details=\"host localhost is "
                    + "denied (localhost in denied-hosts)\""));
            Files.delete(deploy.resolve("deny-hosts.jar"));
            Await.until("localhost served again without the plugin", 15_000,
                    () -> "200".equals(status(local)) ? Boolean.TRUE : null);

            // A plugin that throws, and one that never answers: 500 naming it, for their requests only.
            try (InputStream built = TinyBundles.bundle()
                    .symbolicName("dev.ferry.itests.misbehaving")
                    .setHeader("Bundle-ManifestVersion", "2")
                    .setHeader("Import-Package", "dev.ferry.api.exchange;version=\"[1.0,2)\",org.osgi.framework")
                    .activator(MisbehavingHookActivator.class)
                    .addClass(MisbehavingHookActivator.Hook.class)
                    .build()) {
                Path staged = Files.createTempFile("misbehaving", ".jar");
                Files.copy(built, staged, StandardCopyOption.REPLACE_EXISTING);
                drop(staged, deploy.resolve("misbehaving.jar"));
            }
            String throwing = origin.url("/echo?misbehave=throw");
            Curl thrown = Await.until("the throwing plugin in place", 15_000, () -> {
                Curl c = Curl.run("-x", proxy, "-D", "-", "-o", "/dev/null", throwing);
                return c.out.startsWith("HTTP/1.1 500 ") ? c : null;
            });
            assertTrue(thrown.out, thrown.out.contains("details=\"plugin misbehaving failed: "
                    + "java.lang.IllegalStateException: this plugin throws on purpose\""));
            long asked = System.nanoTime();
            Curl hung = Curl.run("-x", proxy, "-D", "-", "-o", "/dev/null", origin.url("/echo?misbehave=hang"));
            long waitedMillis = (System.nanoTime() - asked) / 1_000_000;
            assertTrue(hung.out, hung.out.startsWith("HTTP/1.1 500 "));
            assertTrue(hung.out, hung.out.contains("details=\"plugin misbehaving did not answer within 1500 ms\""));
            assertTrue("answered after the plugin timeout, not before: " + waitedMillis, waitedMillis >= 1400);
            Files.delete(deploy.resolve("misbehaving.jar"));
            Await.until("requests served again without the plugin", 15_000,
                    () -> "200".equals(status(throwing)) ? Boolean.TRUE : null);

            load.stopAndAssertClean();
        }
    }

    private static String status(String url) throws Exception {
        return Curl.run("-x", proxy, "-o", "/dev/null", "-w", "%{http_code}", url).out;
    }

    /** Copies beside and moves, so FileInstall never installs half a jar. */
    private static void drop(Path jar, Path target) throws Exception {
        Path staged = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.copy(jar, staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Keep-alive GETs through the proxy on two threads, each checked, until stopped (at most 5 minutes). */
    private static final class SteadyLoad implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger ok = new AtomicInteger();
        private final List<String> failures = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();

        SteadyLoad(String url, int expectedBytes) {
            HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1",
                    ferry.httpPort))).version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build();
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            for (int i = 0; i < 2; i++) {
                Thread t = new Thread(() -> {
                    while (running.get() && System.nanoTime() < deadline) {
                        try {
                            HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                            if (r.statusCode() == 200 && r.body().length == expectedBytes) {
                                ok.incrementAndGet();
                            } else {
                                fail(r.statusCode() + " with " + r.body().length + " bytes");
                            }
                        } catch (Exception e) {
                            fail(e.toString());
                        }
                    }
                }, "steady-load-" + i);
                t.start();
                threads.add(t);
            }
        }

        private synchronized void fail(String what) {
            failures.add(what);
        }

        void stopAndAssertClean() throws InterruptedException {
            close();
            synchronized (this) {
                assertTrue("requests failed while plugins came and went: " + failures, failures.isEmpty());
            }
            assertTrue("the load ran: " + ok.get() + " requests", ok.get() > 100);
            System.out.println("DropInPluginIT: " + ok.get() + " GETs while plugins came and went, 0 failed");
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(40_000);
            }
        }
    }
}
