package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Ferries that choose their upstream with a PAC script: host {@code localhost} through Ferry B, everything else
 * DIRECT, and a script that never returns for URLs containing {@code /loop} (one Ferry answers that with
 * {@code onError=FAIL}, the other with {@code onError=DIRECT}). The origin's {@code /echo} shows the way taken:
 * each Ferry on it adds {@code 1.1 ferry} to {@code Via}.
 */
public class PacIT {

    private static final String ONE_HOP = "via: 1.1 ferry\n";
    private static final String TWO_HOPS = "via: 1.1 ferry, 1.1 ferry\n";
    private static final int TIMEOUT_MILLIS = 300;

    private static final Resources resources = new Resources();
    private static Path scripts;
    private static Path failingPac;
    private static TestOrigin origin;
    private static FerryProcess upstream;
    private static FerryProcess failing;
    private static FerryProcess direct;
    /** Starts with rules (everything through B) and gets a PAC configuration while it runs. */
    private static FerryProcess swapped;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        upstream = resources.add(FerryProcess.start("-Xmx64m", Settings.defaults().files()));
        scripts = Files.createTempDirectory("ferry-pac");
        failingPac = scripts.resolve("failing.pac");
        Path directPac = scripts.resolve("direct.pac");
        writeScript(failingPac, "");
        writeScript(directPac, "");
        List<FerryProcess> ferries = FerryProcess.startAll("-Xmx64m", pacSettings(failingPac, "FAIL").files(),
                pacSettings(directPac, "DIRECT").files(),
                Settings.rules("http://127.0.0.1:" + upstream.httpPort).files());
        ferries.forEach(resources::add);
        failing = ferries.get(0);
        direct = ferries.get(1);
        swapped = ferries.get(2);
    }

    private static Settings pacSettings(Path script, String onError) {
        return Settings.defaults()
                .set(Settings.PAC, "url", script.toString())
                .set(Settings.PAC, "reloadSeconds", "1")
                .set(Settings.PAC, "timeoutMillis", Integer.toString(TIMEOUT_MILLIS))
                .set(Settings.PAC, "onError", onError);
    }

    /** The test script, with {@code extraRule} (a line of JavaScript) ahead of the host rules. */
    private static void writeScript(Path file, String extraRule) throws Exception {
        String script = "function FindProxyForURL(url, host) {\n"
                + "  if (url.indexOf('/loop') >= 0) { while (true) {} }\n"
                + "  " + extraRule + "\n"
                + "  if (host == 'localhost') return 'PROXY 127.0.0.1:" + upstream.httpPort + "';\n"
                + "  return 'DIRECT';\n"
                + "}\n";
        // Write beside and move, so that a reload never reads half a script.
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, script);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            resources.checkLeaksAndClose(origin);
        } finally {
            if (scripts != null) {
                for (String name : new String[] {"failing.pac", "direct.pac", "swapped.pac"}) {
                    Files.deleteIfExists(scripts.resolve(name));
                }
                Files.delete(scripts);
            }
        }
    }

    @Test
    public void scriptSendsLocalhostThroughTheUpstreamAndTheRestDirect() throws Exception {
        Curl viaB = Curl.run("-x", failing.httpProxy(), "http://localhost:" + origin.port() + "/echo?pac=localhost");
        assertEquals(viaB.toString(), 0, viaB.exit);
        assertTrue("localhost goes through B:\n" + viaB.out, viaB.out.toLowerCase().contains(TWO_HOPS));
        upstream.awaitAccessLine("GET http://localhost:" + origin.port() + "/echo?pac=localhost 200 ");

        Curl straight = Curl.run("-x", failing.httpProxy(), origin.url("/echo?pac=address"));
        assertEquals(straight.toString(), 0, straight.exit);
        assertTrue("127.0.0.1 goes direct:\n" + straight.out, straight.out.toLowerCase().contains(ONE_HOP));
        String line = failing.awaitAccessLine("GET " + origin.url("/echo?pac=address") + " 200 ");
        assertTrue(line, line.endsWith(" DIRECT - http/1.1"));
        assertFalse(upstream.accessLog(), upstream.accessLog().contains("/echo?pac=address"));
    }

    @Test
    public void scriptRunningPastItsTimeoutFailsTheRequestWithFailPolicy() throws Exception {
        for (int attempt = 1; attempt <= 2; attempt++) {
            long start = System.nanoTime();
            Curl c = Curl.run("-m", "10", "-i", "-x", failing.httpProxy(), origin.url("/loop?attempt=" + attempt));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(c.toString(), 0, c.exit);
            assertTrue(c.out, c.out.startsWith("HTTP/1.1 500 "));
            assertTrue(c.out, c.out.toLowerCase().contains("proxy-status: ferry; error=proxy_configuration_error"));
            assertTrue("answered after " + millis + " ms with timeoutMillis=" + TIMEOUT_MILLIS, millis < 2500);
            // The stuck script did not take the proxy down with it.
            Curl after = Curl.run("-x", failing.httpProxy(), origin.url("/echo?pac=after-loop"));
            assertEquals(after.toString(), 0, after.exit);
            assertTrue(after.out, after.out.startsWith("GET /echo?pac=after-loop HTTP/1.1\n"));
        }
    }

    @Test
    public void scriptRunningPastItsTimeoutGoesDirectWithDirectPolicy() throws Exception {
        long start = System.nanoTime();
        Curl c = Curl.run("-m", "10", "-x", direct.httpProxy(), origin.url("/loop?policy=direct"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(c.toString(), 0, c.exit);
        // The origin knows no /loop: its 404 proves the request reached it.
        assertTrue(c.out, c.out.equals("not found\n"));
        assertTrue("answered after " + millis + " ms with timeoutMillis=" + TIMEOUT_MILLIS, millis < 2500);
        String line = direct.awaitAccessLine("GET " + origin.url("/loop?policy=direct") + " 404 ");
        assertTrue(line, line.endsWith(" DIRECT - http/1.1"));
    }

    @Test
    public void changedScriptIsReloaded() throws Exception {
        String url = origin.url("/echo?pac=reload");
        Curl before = Curl.run("-x", failing.httpProxy(), url);
        assertTrue("not yet in the script: direct\n" + before, before.out.toLowerCase().contains(ONE_HOP));
        writeScript(failingPac, "if (url.indexOf('pac=reload') >= 0) return 'PROXY 127.0.0.1:"
                + upstream.httpPort + "';");
        Curl after = Await.until("the rewritten script (reloadSeconds=1) in use", 10_000, () -> {
            Curl c = Curl.run("-x", failing.httpProxy(), url);
            return c.out.toLowerCase().contains(TWO_HOPS) ? c : null;
        });
        assertTrue(after.out, after.out.startsWith("GET /echo?pac=reload HTTP/1.1\n"));
    }

    @Test
    public void aPacConfigurationAddedWhileRunningOutranksTheRulesUntilItIsRemoved() throws Exception {
        String url = origin.url("/echo?pac=swap");
        Curl rules = Curl.run("-x", swapped.httpProxy(), url);
        assertTrue("the rules send it through B:\n" + rules, rules.out.toLowerCase().contains(TWO_HOPS));

        Path script = scripts.resolve("swapped.pac");
        Files.writeString(script, "function FindProxyForURL(url, host) { return 'DIRECT'; }\n");
        Path cfg = swapped.home.resolve("config").resolve(Settings.PAC);
        Path tmp = cfg.resolveSibling(".pac.tmp");
        Files.writeString(tmp, "url = " + script + "\n");
        Files.move(tmp, cfg, StandardCopyOption.ATOMIC_MOVE);
        Await.until("the PAC resolver (ranking 100) in charge", 15_000, () -> {
            Curl c = Curl.run("-x", swapped.httpProxy(), url);
            return c.out.toLowerCase().contains(ONE_HOP) ? c : null;
        });

        Files.delete(cfg);
        Await.until("the rules back in charge", 15_000, () -> {
            Curl c = Curl.run("-x", swapped.httpProxy(), url);
            return c.out.toLowerCase().contains(TWO_HOPS) ? c : null;
        });
    }
}
