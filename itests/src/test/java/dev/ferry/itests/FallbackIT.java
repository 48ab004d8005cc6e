package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Fallback along the rules' proxy list. Ferry A's {@code http=} rule lists a closed port first and Ferry B second;
 * its {@code https=} rule (tunnels) lists an upstream that refuses every CONNECT with 403 first and B second. A
 * refused connection marks the proxy bad for {@code badProxyRetrySeconds} (3 s here), as the console's status
 * shows; a proxy's own error answer is not a reason to fall back.
 */
public class FallbackIT {

    private static final int RETRY_SECONDS = 3;

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static TestOrigin tlsOrigin;
    private static AuthProxy refusing;
    private static FerryProcess upstream;
    private static FerryProcess ferry;
    private static ConsoleStatus status;
    private static String closedProxy;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        tlsOrigin = resources.add(new TestOrigin(TlsOrigin.context()));
        refusing = resources.add(AuthProxy.refusing(403));
        upstream = resources.add(FerryProcess.start("-Xmx64m", Settings.defaults().files()));
        closedProxy = "http://127.0.0.1:" + Ports.free();
        ferry = resources.add(FerryProcess.start("-Xmx64m",
                Settings.rules("http=" + closedProxy + "," + upstream.httpProxy()
                        + ";https=" + refusing.rule() + "," + upstream.httpProxy())
                        .set(Settings.RETRY, "badProxyRetrySeconds", Integer.toString(RETRY_SECONDS)).files()));
        status = new ConsoleStatus(ferry);
        status.json(); // the console is up before the retry delay starts to count
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void refusedProxyIsMarkedBadAndSkippedUntilItsRetryTime() throws Exception {
        getThroughUpstream("/echo?fallback=first");
        Map<String, String> bad = status.badProxy(closedProxy);
        long markedLocally = System.nanoTime();
        assertNotNull("the refused proxy is listed: " + status.json(), bad);
        assertEquals(bad.toString(), "connection_refused", bad.get("error"));
        int retryIn = Integer.parseInt(bad.get("retryInSeconds"));
        assertTrue(bad.toString(), retryIn >= 0 && retryIn <= RETRY_SECONDS);
        String firstMark = bad.get("markedAt");

        // While it is bad, B goes first: the closed port is not tried again, so it is not marked again.
        getThroughUpstream("/echo?fallback=while-bad");
        long sinceMark = (System.nanoTime() - markedLocally) / 1_000_000;
        assertTrue("the second request came " + sinceMark + " ms after the mark, within the retry delay",
                sinceMark < RETRY_SECONDS * 1000);
        Map<String, String> stillBad = status.badProxy(closedProxy);
        assertNotNull(status.json(), stillBad);
        assertEquals("not tried (so not marked) again while bad: " + stillBad, firstMark, stillBad.get("markedAt"));

        // Once the retry time has come it is tried first again, fails again and gets a new mark.
        Map<String, String> markedAgain = Await.until("the closed proxy marked again after "
                + RETRY_SECONDS + " s", (RETRY_SECONDS + 7) * 1000L, () -> {
                    getThroughUpstream("/echo?fallback=retry");
                    Map<String, String> entry = status.badProxy(closedProxy);
                    return entry != null && !firstMark.equals(entry.get("markedAt")) ? entry : null;
                });
        assertEquals(markedAgain.toString(), "connection_refused", markedAgain.get("error"));
    }

    @Test
    public void upstreamRefusingTheTunnelIsNoReasonToFallBack() throws Exception {
        String authority = "127.0.0.1:" + tlsOrigin.port();
        String head = ProxyClients.connectHead(ferry.httpPort, authority);
        assertTrue(head, head.startsWith("HTTP/1.1 502 "));
        assertTrue(head, head.toLowerCase().contains("proxy-status: ferry; error=http_request_denied; "
                + "details=\"upstream proxy " + refusing.rule() + " refused connect " + authority + ": 403"));
        ferry.awaitAccessLine("CONNECT " + authority + " 502 ");
        assertEquals("asked once: " + refusing.heads, 1, refusing.connectsTo(authority).size());
        assertFalse("B, next in the list, was not tried:\n" + upstream.accessLog(),
                upstream.accessLog().contains("CONNECT " + authority + " "));
        assertNull("a 403 answer does not make the proxy bad: " + status.json(), status.badProxy(refusing.rule()));
    }

    /** A GET through A that must arrive through B (two Ferries in Via) and succeed. */
    private static void getThroughUpstream(String path) throws Exception {
        Curl c = Curl.run("-x", ferry.httpProxy(), origin.url(path));
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.out, c.out.startsWith("GET " + path + " HTTP/1.1\n"));
        assertTrue("through B:\n" + c.out, c.out.toLowerCase().contains("via: 1.1 ferry, 1.1 ferry\n"));
    }
}
