package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The connect-headers plugin (a {@code ProxyDelegate} shipped in the distribution) adding headers to the CONNECTs
 * Ferry sends to its upstream, configured by factory configuration files that come and go while Ferry runs. The
 * upstream is a recording {@link AuthProxy#open()}.
 */
public class DelegateIT {

    private static final String PLUGIN_PID = "dev.ferry.plugin.connectheaders";
    private static final long APPLY_MILLIS = 15_000;

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static TestOrigin tlsOrigin;
    private static AuthProxy recorder;
    private static FerryProcess ferry;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        tlsOrigin = resources.add(new TestOrigin(TlsOrigin.context()));
        recorder = resources.add(AuthProxy.open());
        ferry = resources.add(FerryProcess.start("-Xmx64m", Settings.rules(recorder.rule())
                .set(PLUGIN_PID + "-itest.cfg", "headers", "X-Ferry-Test: hello")
                .set(PLUGIN_PID + "-targeted.cfg", "headers", "X-Only-Here: yes")
                .set(PLUGIN_PID + "-targeted.cfg", "proxies", recorder.rule())
                .set(PLUGIN_PID + "-elsewhere.cfg", "headers", "X-Not-Here: no")
                .set(PLUGIN_PID + "-elsewhere.cfg", "proxies", "http://127.0.0.1:1").files()));
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void connectCarriesTheConfiguredHeadersForThisUpstreamOnly() throws Exception {
        // (X-Ferry-Test is the other test's: it may be changing.)
        AuthProxy.Head head = awaitConnect("the header configured for this upstream",
                h -> "yes".equals(h.header("X-Only-Here")));
        assertNull("configured for another upstream only: " + head, head.header("X-Not-Here"));
    }

    @Test
    public void headersFollowTheConfigurationFile() throws Exception {
        awaitConnect("X-Ferry-Test: hello", h -> "hello".equals(h.header("X-Ferry-Test")));

        Path file = ferry.home.resolve("config").resolve(PLUGIN_PID + "-itest.cfg");
        Files.delete(file);
        AuthProxy.Head without = awaitConnect("no X-Ferry-Test once its file is gone",
                h -> h.header("X-Ferry-Test") == null);
        assertEquals("the other instance stays: " + without, "yes", without.header("X-Only-Here"));

        FerryProcess.setKey(ferry.home, PLUGIN_PID + "-itest.cfg", "headers", "X-Ferry-Test: again");
        awaitConnect("X-Ferry-Test: again from the new file", h -> "again".equals(h.header("X-Ferry-Test")));
    }

    /** Opens tunnels through Ferry until the upstream sees a CONNECT that passes {@code check}; returns its head. */
    private static AuthProxy.Head awaitConnect(String what, Predicate<AuthProxy.Head> check)
            throws Exception {
        String authority = "127.0.0.1:" + tlsOrigin.port();
        return Await.until(what, APPLY_MILLIS, () -> {
            int seen = recorder.heads.size();
            String answer = ProxyClients.connectHead(ferry.httpPort, authority);
            assertTrue(answer, answer.startsWith("HTTP/1.1 200 "));
            AuthProxy.Head head = recorder.heads.get(seen);
            assertTrue(head.toString(), head.requestLine().startsWith("CONNECT " + authority + " "));
            return check.test(head) ? head : null;
        });
    }
}
