package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/** A Ferry whose proxy rules send everything through one upstream HTTP proxy (a second Ferry). */
public class UpstreamProxyIT {

    private static FerryProcess upstream;
    private static FerryProcess ferry;
    private static FerryProcess behindAuth;
    private static TestOrigin origin;
    private static TestOrigin tlsOrigin;

    @BeforeClass
    public static void start() throws Exception {
        origin = new TestOrigin(null);
        tlsOrigin = new TestOrigin(TlsOrigin.context());
        upstream = FerryProcess.start("", Settings.defaults().files());
        // The test origins are on loopback, which proxy rules leave alone unless the bypass list says <-loopback>.
        ferry = FerryProcess.start("", Settings.rules(upstream.httpProxy()).files());
        // The origin doubles as an upstream proxy that answers 407 to absolute-form requests for /needs-proxy-auth.
        behindAuth = FerryProcess.start("", Settings.rules("http://127.0.0.1:" + origin.port()).files());
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            // Through both hops: each proxy process is checked for leaks.
            if (ferry != null && upstream != null) {
                ferry.checkForLeaks(origin.url("/bytes?n=100000"));
                upstream.checkForLeaks(origin.url("/bytes?n=100000"));
            }
        } finally {
            for (AutoCloseable c : new AutoCloseable[] {behindAuth, ferry, upstream, origin, tlsOrigin}) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }

    @Test
    public void httpRequestsGoThroughTheUpstreamInAbsoluteForm() throws Exception {
        Curl c = Curl.run("-x", "http://127.0.0.1:" + ferry.httpPort, origin.url("/echo?via=upstream"));
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.out, c.out.startsWith("GET /echo?via=upstream HTTP/1.1\n"));
        assertTrue("both hops recorded:\n" + c.out, c.out.toLowerCase().contains("via: 1.1 ferry, 1.1 ferry\n"));
        upstream.awaitAccessLine("GET " + origin.url("/echo?via=upstream") + " 200 ");
        ferry.awaitAccessLine("GET " + origin.url("/echo?via=upstream") + " 200 ");
        assertTrue(ferry.accessLog(), ferry.accessLog().contains("http://127.0.0.1:" + upstream.httpPort));
    }

    @Test
    public void tunnelsGoThroughTheUpstreamsConnect() throws Exception {
        Curl c = Curl.run("-x", "http://127.0.0.1:" + ferry.httpPort, "-k",
                "https://127.0.0.1:" + tlsOrigin.port() + "/echo");
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.out, c.out.startsWith("GET /echo HTTP/1.1\n"));
        upstream.awaitAccessLine("CONNECT 127.0.0.1:" + tlsOrigin.port() + " 200 ");
    }

    @Test
    public void upstreamRefusingTheTunnelIsA502() throws Exception {
        int closed = Ports.free();
        Curl c = Curl.run("-x", "http://127.0.0.1:" + ferry.httpPort, "-k", "https://127.0.0.1:" + closed + "/");
        assertTrue(c.toString(), c.err.contains("502"));
        upstream.awaitAccessLine("CONNECT 127.0.0.1:" + closed + " 502 ");
    }

    @Test
    public void upstreamAsking407ForAForwardedRequestIsA502NotARelayedChallenge() throws Exception {
        Curl c = Curl.run("-i", "-x", behindAuth.httpProxy(), "http://example.invalid/needs-proxy-auth");
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.out, c.out.startsWith("HTTP/1.1 502 "));
        assertTrue(c.out, c.out.contains("Proxy-Status: ferry; error=http_request_denied; details=\"upstream proxy "
                + "http://127.0.0.1:" + origin.port() + " demands authentication (407)"));
        assertFalse("no challenge the client could not answer:\n" + c.out,
                c.out.toLowerCase().contains("proxy-authenticate"));
    }
}
