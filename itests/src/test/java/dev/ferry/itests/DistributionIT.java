package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/** The distribution as a user runs it: start-up, live reconfiguration, certificate and console credentials. */
public class DistributionIT {

    private static final Pattern FINGERPRINT = Pattern.compile("SHA-256 ([0-9A-F:]{95})");
    /** Pattern data fetched through each Ferry at the end of its test, after a GC: a leak report fails the test. */
    private static TestOrigin ORIGIN;

    @BeforeClass
    public static void startOrigin() throws IOException {
        ORIGIN = new TestOrigin(null);
    }

    @AfterClass
    public static void stopOrigin() throws IOException {
        ORIGIN.close();
    }

    @Test
    public void editingTheListenerFileRebindsWithoutRestart() throws Exception {
        try (FerryProcess ferry = FerryProcess.start("", Map.of());
             TestOrigin origin = new TestOrigin(null)) {
            int oldPort = ferry.httpPort;
            int newPort = Ports.free();
            FerryProcess.setKey(ferry.home, "dev.ferry.listener-http.cfg", "port", Integer.toString(newPort));
            ferry.awaitPort(newPort);
            Curl c = Curl.run("-x", "http://127.0.0.1:" + newPort, origin.url("/echo"));
            assertTrue(c.toString(), c.out.startsWith("GET /echo HTTP/1.1"));
            Ports.awaitRefused(oldPort);
            ferry.checkForLeaks("http://127.0.0.1:" + newPort, ORIGIN.url("/bytes?n=100000"));
        }
    }

    @Test
    public void aThirdListenerIsOneFile() throws Exception {
        try (FerryProcess ferry = FerryProcess.start("", Map.of());
             TestOrigin origin = new TestOrigin(null)) {
            int third = Ports.free();
            Path file = ferry.home.resolve("config/dev.ferry.listener-third.cfg");
            Files.writeString(file.resolveSibling(".third.tmp"), "name = third\nhost = 127.0.0.1\nport = " + third
                    + "\ntls = false\n");
            Files.move(file.resolveSibling(".third.tmp"), file);
            ferry.awaitPort(third);
            Curl c = Curl.run("-x", "http://127.0.0.1:" + third, origin.url("/echo"));
            assertTrue(c.toString(), c.out.startsWith("GET /echo HTTP/1.1"));
            Files.delete(file);
            Ports.awaitRefused(third);
            ferry.checkForLeaks(ORIGIN.url("/bytes?n=100000"));
        }
    }

    @Test
    public void certificateAndKeyFromConfiguredPemFiles() throws Exception {
        Path dir = Files.createTempDirectory("ferry-pem");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        String made = openssl("req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ferry-configured -keyout " + key
                + " -out " + cert);
        assertTrue(made, Files.exists(cert) && Files.exists(key));
        String expected = openssl("x509 -noout -fingerprint -sha256 -in " + cert).trim();
        expected = expected.substring(expected.indexOf('=') + 1);
        try (FerryProcess ferry = FerryProcess.start("", Map.of("dev.ferry.tls.cfg",
                Map.of("certificateFile", cert.toString(), "privateKeyFile", key.toString())))) {
            assertEquals(expected, servedFingerprint(ferry.httpsPort));
            assertTrue(ferry.log(), ferry.log().contains("TLS certificate " + cert + " (SHA-256 " + expected + ")"));
            assertFalse(Files.exists(ferry.home.resolve("data/tls/proxy-cert.pem")));
            ferry.checkForLeaks(ORIGIN.url("/bytes?n=100000"));
        } finally {
            Files.delete(cert);
            Files.delete(key);
            Files.delete(dir);
        }
    }

    @Test
    public void selfSignedCertificateIsMadeOnceAndReusedAfterRestart() throws Exception {
        try (FerryProcess ferry = FerryProcess.start("", Map.of())) {
            assertTrue(ferry.log(), ferry.log().contains("Generated self-signed TLS certificate"));
            String made = fingerprint(ferry.log());
            assertEquals(made, servedFingerprint(ferry.httpsPort));
            Path key = ferry.home.resolve("data/tls/proxy-key.pem");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));

            ferry.restart();
            // The first run stopped cleanly (as on Ctrl-C): its listeners were closed, not abandoned.
            assertTrue(ferry.log(), ferry.log().contains("Listener http on /127.0.0.1:" + ferry.httpPort + " closed"));
            assertTrue(ferry.log(), ferry.log().contains("Using self-signed TLS certificate"));
            assertEquals(made, servedFingerprint(ferry.httpsPort));
            ferry.checkForLeaks(ORIGIN.url("/bytes?n=100000"));
        }
    }

    @Test
    public void tlsListenerSpeaksTls12And13AndNegotiatesHttp11WithAlpn() throws Exception {
        try (FerryProcess ferry = FerryProcess.start("", Map.of())) {
            for (String version : new String[] {"-tls1_2", "-tls1_3"}) {
                String out = openssl("s_client " + version + " -alpn http/1.1 -connect 127.0.0.1:"
                        + ferry.httpsPort);
                assertTrue(version + ":\n" + out, out.contains("ALPN protocol: http/1.1"));
                assertTrue(version + ":\n" + out, out.contains(version.equals("-tls1_2") ? "TLSv1.2" : "TLSv1.3"));
            }
            ferry.checkForLeaks(ORIGIN.url("/bytes?n=100000"));
        }
    }

    @Test
    public void parserLimitsChangeWhileRunning() throws Exception {
        try (FerryProcess ferry = FerryProcess.start("", Map.of());
             TestOrigin origin = new TestOrigin(null)) {
            String request = "GET " + origin.url("/echo") + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + "X-Pad: " + "p".repeat(6000) + "\r\n\r\n";
            assertTrue(ProxyClients.exchange(ferry.httpPort, request).startsWith("HTTP/1.1 200 "));
            FerryProcess.setKey(ferry.home, "dev.ferry.http1.cfg", "maxHeaderSize", "4096");
            long deadline = System.currentTimeMillis() + 15_000;
            String answer = "";
            while (System.currentTimeMillis() < deadline && !answer.startsWith("HTTP/1.1 431 ")) {
                Thread.sleep(200);
                try {
                    answer = ProxyClients.exchange(ferry.httpPort, request);
                } catch (IOException rebinding) {
                    answer = rebinding.toString();
                }
            }
            assertTrue(answer, answer.startsWith("HTTP/1.1 431 "));
            ferry.checkForLeaks(ORIGIN.url("/bytes?n=100000"));
        }
    }

    private static String openssl(String args) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "openssl " + args + " </dev/null 2>&1").start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    @Test
    public void webConsoleRejectsTheDefaultPasswordAndAcceptsTheGeneratedOne() throws Exception {
        try (FerryProcess ferry = FerryProcess.start("", Map.of())) {
            ferry.awaitPort(ferry.consolePort);
            String url = "http://127.0.0.1:" + ferry.consolePort + "/system/console/bundles.json";
            // Jetty listens before the console's servlet is registered: until then every path is a 404.
            Curl defaults = Await.until("the Web Console answering", 20_000, () -> {
                Curl c = Curl.run("-o", "/dev/null", "-w", "%{http_code}", "-u", "admin:admin", url);
                return "404".equals(c.out) ? null : c;
            });
            assertEquals(defaults.toString(), "401", defaults.out);
            Path passwordFile = ferry.home.resolve("data/console-password");
            assertTrue("generated password stored in " + passwordFile, Files.exists(passwordFile));
            String password = Files.readString(passwordFile).trim();
            Curl generated = Curl.run("-o", "/dev/null", "-w", "%{http_code}", "-u", "admin:" + password, url);
            assertEquals(generated.toString(), "200", generated.out);
            ferry.checkForLeaks(ORIGIN.url("/bytes?n=100000"));
        }
    }

    @Test
    public void acceptsConnectionsSoonAfterStart() throws Exception {
        long start = System.nanoTime();
        try (FerryProcess ferry = FerryProcess.start("", Map.of())) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("Ferry accepted connections " + millis + " ms after the JVM was launched");
            // A hang or a start that waits for something it should not (a network lookup, a blocking key
            // generation) shows as tens of seconds; the figure itself is the benchmark's (bench/), not this test's,
            // which shares the machine with the rest of the build (4 s alone, > 5 s once under a full verify).
            assertTrue("took " + millis + " ms", millis < 15_000);
            ferry.checkForLeaks(ORIGIN.url("/bytes?n=100000"));
        }
    }

    private static String fingerprint(String log) {
        Matcher m = FINGERPRINT.matcher(log);
        assertTrue("no fingerprint logged:\n" + log, m.find());
        return m.group(1);
    }

    /** The SHA-256 fingerprint of the certificate the HTTPS listener presents, as openssl sees it. */
    private static String servedFingerprint(int port) throws Exception {
        Process sClient = new ProcessBuilder("sh", "-c", "openssl s_client -connect 127.0.0.1:" + port
                + " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256").start();
        String out = new String(sClient.getInputStream().readAllBytes()).trim();
        assertEquals(0, sClient.waitFor());
        assertNotNull(out);
        return out.substring(out.indexOf('=') + 1);
    }

}
