package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * TLS protocol negotiation of the real distribution's HTTPS listener, seen by a real peer (openssl s_client, curl):
 * clients offering NPN and no ALPN get NPN from BoringSSL on TLS 1.2, everybody else ALPN on TLS 1.3; Bouncy
 * Castle JSSE as the ALPN engine; NPN switched off; the log line and service property saying whether NPN is there.
 *
 * <p>The client lists name only http/1.1 where the answer must not depend on whether the SPDY codec is registered
 * (the server's list is then [spdy/3.1, http/1.1] instead of [http/1.1]).
 */
public class TlsNegotiationIT {

    private static FerryProcess ferry;
    private static TestOrigin origin;

    @BeforeClass
    public static void start() throws Exception {
        ferry = FerryProcess.start("-Xmx64m", Map.of());
        origin = new TestOrigin(null);
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (ferry != null) {
                ferry.collectGarbage();
                // Leaks are reported when buffers are allocated after the collection.
                for (int i = 0; i < 5; i++) {
                    sClient(ferry.httpsPort, "-nextprotoneg", "http/1.1");
                }
                ferry.assertNoLeaks();
            }
        } finally {
            if (ferry != null) {
                ferry.close();
            }
            if (origin != null) {
                origin.close();
            }
        }
    }

    @Test
    public void npnOnlyClientGetsNpnOnTls12AndSpeaksHttp11() throws Exception {
        String out = sClient(ferry.httpsPort, "-nextprotoneg", "http/1.1");
        assertTrue(out, out.contains("Next protocol: (1) http/1.1"));
        assertTrue(out, out.contains("New, TLSv1.2, "));
        assertTrue(out, out.contains("No ALPN negotiated"));
        String answer = requestThrough(ferry.httpsPort, "-nextprotoneg", "http/1.1");
        assertTrue(answer, answer.contains("HTTP/1.1 200 "));
        assertTrue(answer, answer.contains("GET /echo HTTP/1.1"));
    }

    @Test
    public void returningTls13ClientResumesWithATicketUnlessTicketsAreSwitchedOff() throws Exception {
        Path sessions = Files.createTempDirectory("ferry-tls-sessions");
        try {
            assertEquals(List.of("New", "ticket", "Reused", "ticket"), twoConnections(sessions.resolve("on")));
            FerryProcess.setKey(ferry.home, "dev.ferry.tls.cfg", "sessionTickets", "false");
            Await.until("session tickets off in the log", 15_000,
                    () -> ferry.log().contains("session tickets off") ? true : null);
            assertEquals(List.of("New", "no ticket", "New", "no ticket"), twoConnections(sessions.resolve("off")));
        } finally {
            FerryProcess.setKey(ferry.home, "dev.ferry.tls.cfg", "sessionTickets", "true");
            Await.until("session tickets on again in the log", 15_000,
                    () -> ferry.log().lastIndexOf("session tickets on") > ferry.log().lastIndexOf(
                            "session tickets off") ? true : null);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(sessions)) {
                for (Path f : files) {
                    Files.delete(f);
                }
            }
            Files.delete(sessions);
        }
    }

    /**
     * Two TLS 1.3 connections of openssl s_client, each with one request through the proxy (BoringSSL sends its
     * tickets with the first bytes it writes after the handshake); the second offers the session the first got.
     * New or Reused, as s_client says, and whether a ticket came.
     */
    private static List<String> twoConnections(Path session) throws Exception {
        List<String> handshakes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<String> options = new ArrayList<>(List.of("-tls1_3", "-alpn", "http/1.1", "-sess_out",
                    session.toString()));
            if (i == 1 && Files.exists(session)) {
                // s_client writes a TLS 1.3 session when a ticket arrives: without tickets there is none to offer
                options.addAll(List.of("-sess_in", session.toString()));
            }
            // not -quiet: the session's summary is wanted
            String out = opensslVerbose(ferry.httpsPort, requestFor("/echo"), options.toArray(new String[0]));
            assertTrue(out, out.contains("HTTP/1.1 200 "));
            assertTrue(out, out.contains(", TLSv1.3, "));
            handshakes.add(out.contains("Reused, TLSv1.3, ") ? "Reused" : out.contains("New, TLSv1.3, ") ? "New" : out);
            handshakes.add(out.contains("Post-Handshake New Session Ticket arrived") ? "ticket" : "no ticket");
        }
        return handshakes;
    }

    @Test
    public void alpnClientGetsAlpnOnTls13() throws Exception {
        String out = sClient(ferry.httpsPort, "-alpn", "http/1.1");
        assertTrue(out, out.contains("ALPN protocol: http/1.1"));
        assertTrue(out, out.contains("New, TLSv1.3, "));
        assertFalse(out, out.contains("Next protocol"));
    }

    @Test
    public void clientOfferingAlpnAndNpnGetsAlpnOnTls13() throws Exception {
        String out = sClient(ferry.httpsPort, "-alpn", "http/1.1", "-nextprotoneg", "http/1.1");
        assertTrue(out, out.contains("ALPN protocol: http/1.1"));
        assertTrue(out, out.contains("New, TLSv1.3, "));
        assertFalse(out, out.contains("Next protocol"));
    }

    @Test
    public void clientNamingNoProtocolGetsHttp11OnTls13() throws Exception {
        String out = sClient(ferry.httpsPort);
        assertTrue(out, out.contains("No ALPN negotiated"));
        assertTrue(out, out.contains("New, TLSv1.3, "));
        Curl c = Curl.run("--proxy", "https://127.0.0.1:" + ferry.httpsPort, "--proxy-insecure",
                origin.url("/echo"));
        assertEquals(c.toString(), 0, c.exit);
        assertTrue(c.toString(), c.out.startsWith("GET /echo HTTP/1.1"));
    }

    @Test
    public void npnClientSelectingAProtocolNotOfferedIsClosed() throws Exception {
        // openssl selects its own first protocol when the server advertises none of its own ("(2)": no overlap)
        String out = sClient(ferry.httpsPort, "-nextprotoneg", "h2");
        assertTrue(out, out.contains("Next protocol: (2) h2"));
        String answer = requestThrough(ferry.httpsPort, "-nextprotoneg", "h2");
        assertFalse(answer, answer.contains("HTTP/1.1"));
    }

    @Test
    public void logAndServicePropertySayNpnIsAvailableWithBoringSsl() throws Exception {
        assertTrue(ferry.log(), ferry.log().contains("TLS protocol negotiation: ALPN with OPENSSL (BoringSSL) on [TLSv1.3, TLSv1.2]; "
                + "NPN with BoringSSL (netty-tcnative) on TLSv1.2"));
        String props = negotiatorServiceProperties(ferry);
        assertTrue(props, props.contains("{\"key\":\"ferry.tls.npn\",\"value\":true}"));
        assertTrue(props, props.contains("{\"key\":\"ferry.tls.alpn.provider\",\"value\":\"OPENSSL\"}"));
    }

    /** The ProtocolNegotiator service as the Web Console shows it (JSON, whitespace removed). */
    private static String negotiatorServiceProperties(FerryProcess proxy) throws Exception {
        proxy.awaitPort(proxy.consolePort);
        String password = Files.readString(proxy.home.resolve("data/console-password")).trim();
        String type = "\"types\":\"[dev.ferry.api.codec.ProtocolNegotiator]\"";
        // Asked right after start, the console may answer before the negotiator is registered, or with a 500 while
        // services come and go: ask again for a while.
        String listing = Await.until("the negotiator in services.json", 10_000, () -> {
            Curl services = Curl.run("-u", "admin:" + password,
                    "http://127.0.0.1:" + proxy.consolePort + "/system/console/services.json");
            String json = services.out.replaceAll("\\s", "");
            return services.exit == 0 && json.contains(type) ? json : null;
        });
        String id = serviceId(listing, "dev.ferry.api.codec.ProtocolNegotiator");
        Curl service = Curl.run("-u", "admin:" + password,
                "http://127.0.0.1:" + proxy.consolePort + "/system/console/services/" + id + ".json");
        assertEquals(service.toString(), 0, service.exit);
        return service.out.replaceAll("\\s", "");
    }

    /**
     * Skipped, not failed, until the SPDY codec bundle is in the distribution ({@code ferry-spdy-*.jar} in
     * {@code distribution/target/ferry/bundle/}); then spdy/3.1 is offered first and both mechanisms pick it.
     */
    @Test
    public void npnAndAlpnChooseSpdyWhenItsCodecIsRegistered() throws Exception {
        Assume.assumeTrue("no ferry-spdy bundle in the distribution yet", spdyBundleInDistribution());
        String npn = sClient(ferry.httpsPort, "-nextprotoneg", "spdy/3.1,http/1.1");
        assertTrue(npn, npn.contains("Next protocol: (1) spdy/3.1"));
        assertTrue(npn, npn.contains("New, TLSv1.2, "));
        String alpn = sClient(ferry.httpsPort, "-alpn", "spdy/3.1,http/1.1");
        assertTrue(alpn, alpn.contains("ALPN protocol: spdy/3.1"));
        assertTrue(alpn, alpn.contains("New, TLSv1.3, "));
    }

    @Test
    public void bouncyCastleJsseDoesAlpn() throws Exception {
        try (FerryProcess bc = FerryProcess.start("-Xmx64m",
                Map.of("dev.ferry.tls.cfg", Map.of("alpnProvider", "BCJSSE")))) {
            assertTrue(bc.log(), bc.log().contains("TLS protocol negotiation: ALPN with BCJSSE on "));
            String out = sClient(bc.httpsPort, "-alpn", "http/1.1");
            assertTrue(out, out.contains("ALPN protocol: http/1.1"));
            assertTrue(out, out.contains("New, TLSv1.3, "));
            Curl c = Curl.run("--proxy", "https://127.0.0.1:" + bc.httpsPort, "--proxy-insecure",
                    origin.url("/echo"));
            assertEquals(c.toString(), 0, c.exit);
            assertTrue(c.toString(), c.out.startsWith("GET /echo HTTP/1.1"));
            String npn = sClient(bc.httpsPort, "-nextprotoneg", "http/1.1");
            assertTrue("NPN still goes to BoringSSL:\n" + npn, npn.contains("Next protocol: (1) http/1.1"));
        }
    }

    @Test
    public void withNpnOffAnNpnOnlyClientNegotiatesNothingAndSpeaksHttp11() throws Exception {
        try (FerryProcess off = FerryProcess.start("-Xmx64m",
                Map.of("dev.ferry.tls.cfg", Map.of("npn", "false")))) {
            assertTrue(off.log(), off.log().contains("NPN unavailable: disabled by configuration (npn = false)"));
            String out = sClient(off.httpsPort, "-nextprotoneg", "http/1.1");
            assertTrue(out, out.contains("No ALPN negotiated"));
            assertFalse(out, out.contains("Next protocol"));
            assertTrue(out, out.contains("New, TLSv1.3, "));
            String answer = requestThrough(off.httpsPort, "-nextprotoneg", "http/1.1");
            assertTrue(answer, answer.contains("HTTP/1.1 200 "));
            assertTrue(answer, answer.contains("GET /echo HTTP/1.1"));
            Curl c = Curl.run("--proxy", "https://127.0.0.1:" + off.httpsPort, "--proxy-insecure",
                    origin.url("/echo"));
            assertEquals(c.toString(), 0, c.exit);
            assertTrue(c.toString(), c.out.startsWith("GET /echo HTTP/1.1"));
        }
    }

    /**
     * Netty's own switch stands in for a machine where netty-tcnative cannot load (the same branch: OpenSsl is not
     * available; removing the native fragment from bundle/ logs "Failed to load any of the given libraries").
     */
    @Test
    public void withoutBoringSslTheLogSaysNpnIsUnavailableAndAlpnWorksOn() throws Exception {
        try (FerryProcess noTcnative = FerryProcess.start("-Xmx64m -Dio.netty.handler.ssl.noOpenSsl=true", Map.of())) {
            assertTrue(noTcnative.log(), noTcnative.log().contains("WARN")
                    && noTcnative.log().contains("NPN unavailable: netty-tcnative (BoringSSL) did not load: "));
            String npn = sClient(noTcnative.httpsPort, "-nextprotoneg", "http/1.1");
            assertFalse(npn, npn.contains("Next protocol"));
            assertTrue(npn, npn.contains("New, TLSv1.3, "));
            String alpn = sClient(noTcnative.httpsPort, "-alpn", "http/1.1");
            assertTrue(alpn, alpn.contains("ALPN protocol: http/1.1"));
            String props = negotiatorServiceProperties(noTcnative);
            assertTrue(props, props.contains("{\"key\":\"ferry.tls.npn\",\"value\":false}"));
        }
    }

    private static boolean spdyBundleInDistribution() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(FerryProcess.DISTRIBUTION.resolve("bundle"),
                "ferry-spdy-*.jar")) {
            return jars.iterator().hasNext();
        }
    }

    /** An openssl s_client handshake (stdin empty, so it ends right after), stdout and stderr together. */
    private static String sClient(int port, String... options) throws Exception {
        return openssl(port, null, options);
    }

    /** One HTTP/1.1 request for the origin's /echo through the proxy, over s_client; what came back. */
    private static String requestThrough(int port, String... options) throws Exception {
        return openssl(port, requestFor("/echo"), options);
    }

    /** A GET of the origin's {@code path} through the proxy, on a connection that closes after it. */
    private static String requestFor(String path) {
        return "GET " + origin.url(path) + " HTTP/1.1\r\nHost: 127.0.0.1:" + origin.port()
                + "\r\nConnection: close\r\n\r\n";
    }

    private static String openssl(int port, String input, String... options) throws Exception {
        return openssl(port, input, true, options);
    }

    /** As {@link #openssl(int, String, String...)}, with s_client's account of the handshake and session. */
    private static String opensslVerbose(int port, String input, String... options) throws Exception {
        return openssl(port, input, false, options);
    }

    private static String openssl(int port, String input, boolean quiet, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        if (input != null) {
            // Keep reading after stdin ends, until the proxy closes (the request says Connection: close).
            if (quiet) {
                command.add("-quiet");
            }
            command.add("-ign_eof");
        }
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream stdin = p.getOutputStream()) {
            if (input != null) {
                stdin.write(input.getBytes(StandardCharsets.US_ASCII));
            }
        }
        byte[][] out = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(5000);
            throw new AssertionError("openssl did not finish: " + command);
        }
        reader.join();
        return new String(out[0], StandardCharsets.UTF_8);
    }

    /** The id of the first service of {@code type} in the Web Console's services.json. */
    private static String serviceId(String servicesJson, String type) {
        int at = servicesJson.indexOf("\"types\":\"[" + type + "]\"");
        assertTrue(servicesJson, at > 0);
        int id = servicesJson.lastIndexOf("\"id\":", at);
        int start = servicesJson.indexOf('"', id + 5) + 1;
        return servicesJson.substring(start, servicesJson.indexOf('"', start));
    }
}
