package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Chains of two Ferries: curl → Ferry A → Ferry B → origin, with B as A's {@code http://} upstream (B's plain
 * listener) and as its {@code https://} upstream (B's TLS listener, trusted through B's generated certificate), and
 * an A whose per-scheme rules and bypass list send only some targets through B. The origin's {@code /echo} shows the
 * way a request took: every Ferry on it adds {@code 1.1 ferry} to {@code Via}.
 */
public class ProxyChainIT {

    private static final String ONE_HOP = "via: 1.1 ferry\n";
    private static final String TWO_HOPS = "via: 1.1 ferry, 1.1 ferry\n";
    private static final long LARGE = 3_000_000;

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static TestOrigin tlsOriginForPlain;
    private static TestOrigin tlsOriginForTls;
    private static TestOrigin tlsOriginForRules;
    private static FerryProcess upstream;
    private static FerryProcess viaPlain;
    private static FerryProcess viaTls;
    private static FerryProcess byRules;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        // One TLS origin per A, so that B's access log tells whose tunnel it carried.
        SSLContext tls = TlsOrigin.context();
        tlsOriginForPlain = resources.add(new TestOrigin(tls));
        tlsOriginForTls = resources.add(new TestOrigin(tls));
        tlsOriginForRules = resources.add(new TestOrigin(tls));
        upstream = resources.add(FerryProcess.start("-Xmx64m", Settings.defaults().files()));
        Path upstreamCertificate = upstream.generatedCertificate();
        assertTrue("B made its certificate at first start: " + upstreamCertificate, Files.exists(upstreamCertificate));
        List<FerryProcess> clients = FerryProcess.startAll("-Xmx64m",
                Settings.rules(upstream.httpProxy()).files(),
                Settings.rules(upstream.httpsProxy())
                        .set(Settings.POOL, "trustCertificatesFile", upstreamCertificate.toString()).files(),
                Settings.rules("http=" + upstream.httpProxy())
                        .set(Settings.RESOLVER, "bypass", Settings.LOOPBACK_TOO + ",localhost").files());
        clients.forEach(resources::add);
        viaPlain = clients.get(0);
        viaTls = clients.get(1);
        byRules = clients.get(2);
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void getThroughAPlainUpstreamArrivesInAbsoluteForm() throws Exception {
        assertGetThroughBoth(viaPlain, upstream.httpProxy(), "/echo?chain=plain");
    }

    @Test
    public void getThroughATlsUpstream() throws Exception {
        assertGetThroughBoth(viaTls, upstream.httpsProxy(), "/echo?chain=tls");
    }

    @Test
    public void largeBodiesArriveIntactThroughBothUpstreams() throws Exception {
        for (FerryProcess a : List.of(viaPlain, viaTls)) {
            PatternDownload.assertIntact(a, origin.url("/bytes?n=" + LARGE + "&chunked"));
        }
    }

    @Test
    public void tunnelThroughAPlainUpstream() throws Exception {
        assertTunnelThroughBoth(viaPlain, upstream.httpProxy(), tlsOriginForPlain);
    }

    @Test
    public void tunnelThroughATlsUpstream() throws Exception {
        assertTunnelThroughBoth(viaTls, upstream.httpsProxy(), tlsOriginForTls);
    }

    @Test
    public void perSchemeRulesSendOnlyHttpThroughTheUpstream() throws Exception {
        Curl http = Curl.run("-x", byRules.httpProxy(), origin.url("/echo?rules=http"));
        assertEquals(http.toString(), 0, http.exit);
        assertTrue(http.out, http.out.toLowerCase().contains(TWO_HOPS));

        // A tunnel's URL is https://host:port/: no https= rule, so it goes straight to the origin.
        String authority = "127.0.0.1:" + tlsOriginForRules.port();
        Curl tunnel = Curl.run("-x", byRules.httpProxy(), "-k", "https://" + authority + "/echo?rules=https");
        assertEquals(tunnel.toString(), 0, tunnel.exit);
        assertTrue(tunnel.out, tunnel.out.startsWith("GET /echo?rules=https HTTP/1.1\n"));
        String line = byRules.awaitAccessLine("CONNECT " + authority + " 200 ");
        assertTrue(line, line.contains(" DIRECT"));
        assertFalse(upstream.accessLog(), upstream.accessLog().contains("CONNECT " + authority + " "));
    }

    @Test
    public void bypassListSendsLocalhostDirect() throws Exception {
        Curl bypassed = Curl.run("-x", byRules.httpProxy(),
                "http://localhost:" + origin.port() + "/echo?bypass=localhost");
        assertEquals(bypassed.toString(), 0, bypassed.exit);
        assertTrue("localhost is in the bypass list:\n" + bypassed.out,
                bypassed.out.toLowerCase().contains(ONE_HOP));
        String line = byRules.awaitAccessLine("GET http://localhost:" + origin.port() + "/echo?bypass=localhost 200 ");
        assertTrue(line, line.contains(" DIRECT"));

        Curl proxied = Curl.run("-x", byRules.httpProxy(), origin.url("/echo?bypass=loopback-address"));
        assertEquals(proxied.toString(), 0, proxied.exit);
        assertTrue("127.0.0.1 is not in the bypass list:\n" + proxied.out,
                proxied.out.toLowerCase().contains(TWO_HOPS));
    }

    private static void assertGetThroughBoth(FerryProcess a, String upstreamUrl, String path) throws Exception {
        Curl c = Curl.run("-x", a.httpProxy(), origin.url(path));
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.out, c.out.startsWith("GET " + path + " HTTP/1.1\n"));
        assertTrue("both hops recorded:\n" + c.out, c.out.toLowerCase().contains(TWO_HOPS));
        // B got the request in absolute form, as a proxy does, and A names B as its upstream.
        upstream.awaitAccessLine("GET " + origin.url(path) + " 200 ");
        String line = a.awaitAccessLine("GET " + origin.url(path) + " 200 ");
        assertTrue("upstream, user and client protocol are the last fields: " + line,
                line.endsWith(" " + upstreamUrl + " - http/1.1"));
    }

    private static void assertTunnelThroughBoth(FerryProcess a, String upstreamUrl, TestOrigin tlsOrigin)
            throws Exception {
        String authority = "127.0.0.1:" + tlsOrigin.port();
        Curl c = Curl.run("-x", a.httpProxy(), "-k", "https://" + authority + "/echo?tunnel");
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.out, c.out.startsWith("GET /echo?tunnel HTTP/1.1\n"));
        assertFalse("a tunnel carries the request untouched:\n" + c.out, c.out.toLowerCase().contains("via:"));
        upstream.awaitAccessLine("CONNECT " + authority + " 200 ");
        String line = a.awaitAccessLine("CONNECT " + authority + " 200 ");
        assertTrue("upstream, user and client protocol are the last fields: " + line,
                line.endsWith(" " + upstreamUrl + " - http/1.1"));
        PatternDownload.assertIntact(a, "https://" + authority + "/bytes?n=" + LARGE);
    }
}
