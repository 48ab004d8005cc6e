package dev.ferry.fetch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Which way the tool goes: proxy rules with fallback, a PAC script, an upstream HTTP proxy in absolute form. */
public class ProxySelectionTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    private Origin origin;

    @Before
    public void startOrigin() throws IOException {
        origin = new Origin();
    }

    @After
    public void stopOrigin() {
        origin.close();
    }

    @Test
    public void aRefusingProxyFallsBackToDirect() throws Exception {
        int closed = Origin.closedPort();
        String proxy = "http://127.0.0.1:" + closed;

        FetchRun run = FetchRun.of("-v", "--proxy-rules", proxy + ",direct://", "--bypass", "<-loopback>",
                origin.url("/fb"));

        assertEquals(run.toString(), 0, run.exitStatus);
        assertEquals("hello from /fb", run.body());
        assertTrue(run.stderr, run.stderr.contains("* resolved " + origin.url("/fb") + " -> [" + proxy
                + ", DIRECT]\n"));
        assertTrue(run.stderr, run.stderr.contains("* fallback: " + proxy + " failed (connection_refused: "));
        assertTrue(run.stderr, run.stderr.contains("; trying the next proxy\n"));
        assertTrue(run.stderr, run.stderr.contains("* connected via DIRECT\n"));
    }

    @Test
    public void loopbackIsImplicitlyBypassedWithoutTheSubtractRule() throws Exception {
        String proxy = "http://127.0.0.1:" + Origin.closedPort();

        FetchRun run = FetchRun.of("-v", "--proxy-rules", proxy, origin.url("/implicit"));

        assertEquals(run.toString(), 0, run.exitStatus);
        assertTrue(run.stderr, run.stderr.contains("-> [DIRECT]\n"));
    }

    @Test
    public void whenEveryProxyFailsTheLastErrorIsReported() throws Exception {
        String proxy = "http://127.0.0.1:" + Origin.closedPort();

        FetchRun run = FetchRun.of("--proxy-rules", proxy, "--bypass", "<-loopback>", origin.url("/none"));

        assertEquals(run.toString(), 1, run.exitStatus);
        assertTrue(run.stderr, run.stderr.startsWith("ferry-fetch: connection_refused: "));
    }

    @Test
    public void throughAnHttpProxyTheRequestGoesInAbsoluteFormWithCredentials() throws Exception {
        // the "proxy" is a second JDK server: it sees the absolute URI and the Proxy-Authorization header
        try (Origin proxy = new Origin()) {
            String target = "http://origin.invalid:8080/p?q=1";

            FetchRun run = FetchRun.of("--proxy-rules", "http://127.0.0.1:" + proxy.port(),
                    "--proxy-credentials", "127.0.0.1:" + proxy.port() + "=user:secret", target);

            assertEquals(run.toString(), 0, run.exitStatus);
            Origin.Received request = proxy.next();
            assertEquals(target, request.uri);
            assertEquals("origin.invalid:8080", request.header("Host"));
            assertEquals("Basic " + Base64.getEncoder().encodeToString("user:secret".getBytes(StandardCharsets.UTF_8)),
                    request.header("Proxy-authorization"));
            assertEquals("hello from " + target, run.body());
        }
    }

    @Test
    public void aPacScriptChoosingDirectIsFollowed() throws Exception {
        Path pac = tmp.newFile("proxy.pac").toPath();
        Files.writeString(pac, "function FindProxyForURL(url, host) {\n"
                + "  return host == '127.0.0.1' ? 'DIRECT' : 'PROXY 127.0.0.1:1';\n"
                + "}\n");

        FetchRun run = FetchRun.of("-v", "--pac", pac.toString(), origin.url("/pac"));

        assertEquals(run.toString(), 0, run.exitStatus);
        assertEquals("hello from /pac", run.body());
        assertTrue(run.stderr, run.stderr.contains("* resolved " + origin.url("/pac") + " -> [DIRECT]\n"));
    }

    @Test
    public void aPacScriptThatThrowsFailsTheFetch() throws Exception {
        Path pac = tmp.newFile("broken.pac").toPath();
        Files.writeString(pac, "function FindProxyForURL(url, host) { throw 'no idea'; }\n");

        FetchRun run = FetchRun.of("--pac", pac.toString(), origin.url("/broken"));

        assertEquals(run.toString(), 1, run.exitStatus);
        assertTrue(run.stderr, run.stderr.contains("ferry-fetch: proxy_configuration_error: "));
        assertEquals(0, run.stdout.length);
    }

    @Test
    public void aPacScriptsProxyListFallsBackToo() throws Exception {
        Path pac = tmp.newFile("fallback.pac").toPath();
        int closed = Origin.closedPort();
        Files.writeString(pac, "function FindProxyForURL(url, host) { return 'PROXY 127.0.0.1:" + closed
                + "; DIRECT'; }\n");

        FetchRun run = FetchRun.of("-v", "--pac", pac.toUri().toString(), origin.url("/pacfb"));

        assertEquals(run.toString(), 0, run.exitStatus);
        assertEquals("hello from /pacfb", run.body());
        assertTrue(run.stderr, run.stderr.contains("* fallback: http://127.0.0.1:" + closed + " failed"));
    }
}
