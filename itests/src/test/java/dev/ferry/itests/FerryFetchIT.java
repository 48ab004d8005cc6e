package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * {@code bin/ferry-fetch}: one URL through Ferry's resolver, pool and connect jobs without a proxy in front, with
 * Ferry B, a SOCKS5 server and an authenticating proxy as upstreams. Exit 0 when a response arrived, 1 with
 * {@code ferry-fetch: <token>: ...} when not; {@code -v} shows events, request and response heads on stderr.
 */
public class FerryFetchIT {

    private static final String LOOPBACK_TOO = Settings.LOOPBACK_TOO;

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static TestOrigin tlsOrigin;
    private static SocksServer socks;
    private static AuthProxy authenticating;
    private static FerryProcess upstream;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        tlsOrigin = resources.add(new TestOrigin(TlsOrigin.context()));
        socks = resources.add(new SocksServer());
        authenticating = resources.add(AuthProxy.requiring("user", "secret", false));
        upstream = resources.add(FerryProcess.start("-Xmx64m", Settings.defaults().files()));
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void fallbackPastARefusedProxyIsShownAndTheBodyPrinted() throws Exception {
        String closed = "http://127.0.0.1:" + Ports.free();
        CommandResult r = FerryFetch.run("--proxy-rules", closed + "," + upstream.httpProxy(),
                "--bypass", LOOPBACK_TOO, "-v", origin.url("/echo?fetch=fallback"));
        assertEquals(r.toString(), 0, r.exit);
        assertTrue(r.out, r.out.startsWith("GET /echo?fetch=fallback HTTP/1.1\n"));
        assertTrue(r.err, r.err.contains("* fallback: " + closed + " failed (connection_refused"));
        assertTrue(r.err, r.err.contains("* connected via " + upstream.httpProxy()));
        assertTrue(r.err, r.err.lines().anyMatch(l -> l.startsWith("> GET ")));
        assertTrue(r.err, r.err.contains("< HTTP/1.1 200"));
        upstream.awaitAccessLine("GET " + origin.url("/echo?fetch=fallback") + " 200 ");
    }

    @Test
    public void httpsOriginThroughTheUpstreamWithoutVerification() throws Exception {
        String authority = "127.0.0.1:" + tlsOrigin.port();
        CommandResult r = FerryFetch.run("--proxy-rules", upstream.httpProxy(), "--bypass", LOOPBACK_TOO, "-k",
                "https://" + authority + "/echo?fetch=tunnel");
        assertEquals(r.toString(), 0, r.exit);
        assertTrue(r.out, r.out.startsWith("GET /echo?fetch=tunnel HTTP/1.1\n"));
        upstream.awaitAccessLine("CONNECT " + authority + " 200 ");
    }

    @Test
    public void tlsUpstreamIsVerifiedAgainstTheGivenCertificate() throws Exception {
        String url = origin.url("/echo?fetch=tls-upstream");
        CommandResult untrusted = FerryFetch.run("--proxy-rules", upstream.httpsProxy(), "--bypass", LOOPBACK_TOO,
                url);
        assertEquals(untrusted.toString(), 1, untrusted.exit);
        assertTrue(untrusted.err, untrusted.err.contains("ferry-fetch: tls_certificate_error: "));

        CommandResult trusted = FerryFetch.run("--proxy-rules", upstream.httpsProxy(), "--bypass", LOOPBACK_TOO,
                "--cacert", upstream.generatedCertificate().toString(), "-v", url);
        assertEquals(trusted.toString(), 0, trusted.exit);
        assertTrue(trusted.out, trusted.out.startsWith("GET /echo?fetch=tls-upstream HTTP/1.1\n"));
        assertTrue(trusted.err, trusted.err.contains("* connected via " + upstream.httpsProxy()));
    }

    @Test
    public void socks5Upstream() throws Exception {
        CommandResult r = FerryFetch.run("--proxy-rules", socks.rule(), "--bypass", LOOPBACK_TOO,
                origin.url("/echo?fetch=socks"));
        assertEquals(r.toString(), 0, r.exit);
        assertTrue(r.out, r.out.startsWith("GET /echo?fetch=socks HTTP/1.1\n"));
        assertTrue(socks.targets.toString(),
                socks.targets.stream().anyMatch(t -> t.endsWith(" 127.0.0.1:" + origin.port())));
    }

    @Test
    public void upstreamCredentialsAnswerTheChallenge() throws Exception {
        String url = "https://127.0.0.1:" + tlsOrigin.port() + "/echo?fetch=auth";
        CommandResult denied = FerryFetch.run("--proxy-rules", authenticating.rule(), "--bypass", LOOPBACK_TOO,
                "-k", url);
        assertEquals(denied.toString(), 1, denied.exit);
        assertTrue(denied.err, denied.err.contains("ferry-fetch: http_request_denied: "));

        CommandResult r = FerryFetch.run("--proxy-rules", authenticating.rule(), "--bypass", LOOPBACK_TOO,
                "--proxy-credentials", "127.0.0.1:" + authenticating.port() + "=user:secret", "-k", url);
        assertEquals(r.toString(), 0, r.exit);
        assertTrue(r.out, r.out.startsWith("GET /echo?fetch=auth HTTP/1.1\n"));
    }

    @Test
    public void pacScriptChoosesTheUpstream() throws Exception {
        Path pac = Files.createTempFile("ferry-fetch", ".pac");
        try {
            Files.writeString(pac, "function FindProxyForURL(url, host) { return 'PROXY 127.0.0.1:"
                    + upstream.httpPort + "'; }\n");
            CommandResult r = FerryFetch.run("--pac", pac.toString(), origin.url("/echo?fetch=pac"));
            assertEquals(r.toString(), 0, r.exit);
            assertTrue(r.out, r.out.startsWith("GET /echo?fetch=pac HTTP/1.1\n"));
            upstream.awaitAccessLine("GET " + origin.url("/echo?fetch=pac") + " 200 ");
        } finally {
            Files.delete(pac);
        }
    }

    @Test
    public void failedFetchExitsWithOneAndTheErrorToken() throws Exception {
        int closed = Ports.free();
        CommandResult r = FerryFetch.run("http://127.0.0.1:" + closed + "/");
        assertEquals(r.toString(), 1, r.exit);
        assertTrue(r.err, r.err.contains("ferry-fetch: connection_refused: "));
        assertEquals("no body", "", r.out);
    }
}
