package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.spdy.client.GoAway;
import dev.ferry.spdy.client.Negotiation;
import dev.ferry.spdy.client.Response;
import dev.ferry.spdy.client.SpdyClient;
import dev.ferry.spdy.client.SpdySession;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * How SPDY sessions end when things change around them: idle sessions, a listener that is removed, and the spdy
 * bundle stopped and started from the Web Console while sessions are open.
 */
public class SpdyLifecycleIT {

    private static SpdyClient client;
    private static TestOrigin origin;

    @BeforeClass
    public static void start() throws Exception {
        client = new SpdyClient();
        origin = new TestOrigin(null);
    }

    @AfterClass
    public static void stop() throws Exception {
        client.close();
        origin.close();
    }

    private static SpdySession open(FerryProcess ferry) throws Exception {
        return client.open(new InetSocketAddress("127.0.0.1", ferry.httpsPort), Negotiation.ALPN);
    }

    @Test
    public void anIdleSessionGetsGoAwayAfterTheListenersIdleTimeout() throws Exception {
        try (FerryProcess ferry = FerryProcess.start("", Map.of("dev.ferry.listener-https.cfg",
                Map.of("idleTimeoutSeconds", "2")));
             SpdySession session = open(ferry)) {
            try (Response r = session.get(origin.url("/echo"))) {
                assertEquals(200, r.status());
            }
            long start = System.nanoTime();
            GoAway goAway = session.goAway().get(15, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("OK", 0, goAway.statusCode());
            assertEquals(1, goAway.lastGoodStreamId());
            assertTrue("after " + millis + " ms", millis >= 1000);
            session.closed().get(10, TimeUnit.SECONDS);
            ferry.checkForLeaks(origin.url("/bytes?n=100000"));
        }
    }

    @Test
    public void removingTheListenerSendsGoAwayAndLetsTheStreamInFlightFinish() throws Exception {
        long size = 4_000_000;
        try (FerryProcess ferry = FerryProcess.start("", Map.of());
             SpdySession session = open(ferry);
             Response inFlight = session.get(origin.url("/bytes?n=" + size))) {
            InputStream body = inFlight.body();
            MessageDigest sha = Patterns.sha();
            byte[] first = body.readNBytes(1000);
            sha.update(first);
            Files.delete(ferry.home.resolve("config/dev.ferry.listener-https.cfg"));
            GoAway goAway = session.goAway().get(15, TimeUnit.SECONDS);
            assertEquals(0, goAway.statusCode());
            assertEquals(inFlight.streamId(), goAway.lastGoodStreamId());
            byte[] rest = body.readAllBytes();
            sha.update(rest);
            assertEquals(size, first.length + rest.length);
            assertEquals(Patterns.sha256(size), HexFormat.of().formatHex(sha.digest()));
            session.closed().get(10, TimeUnit.SECONDS);
            Ports.awaitRefused(ferry.httpsPort);
            ferry.checkForLeaks(origin.url("/bytes?n=100000"));
        }
    }

    @Test
    public void stoppingTheSpdyBundleSendsGoAwayAndNewConnectionsFallBackToHttp11() throws Exception {
        try (FerryProcess ferry = FerryProcess.start("", Map.of())) {
            ferry.awaitPort(ferry.consolePort);
            Console console = new Console(ferry);
            try (SpdySession session = open(ferry)) {
                assertEquals("spdy/3.1", alpn(ferry));
                console.bundle("dev.ferry.spdy", "stop");
                GoAway goAway = session.goAway().get(15, TimeUnit.SECONDS);
                assertEquals(0, goAway.statusCode());
            }
            assertEquals("http/1.1", alpn(ferry));
            Curl viaHttps = Curl.run("--proxy", "https://127.0.0.1:" + ferry.httpsPort, "--proxy-insecure",
                    origin.url("/echo"));
            assertTrue(viaHttps.toString(), viaHttps.out.startsWith("GET /echo HTTP/1.1"));

            console.bundle("dev.ferry.spdy", "start");
            long deadline = System.currentTimeMillis() + 10_000;
            while (!"spdy/3.1".equals(alpn(ferry)) && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            try (SpdySession again = open(ferry); Response r = again.get(origin.url("/echo"))) {
                assertEquals(200, r.status());
            }
            ferry.checkForLeaks(origin.url("/bytes?n=100000"));
        }
    }

    /** The protocol the HTTPS listener picks for a client offering spdy/3.1 and http/1.1, as openssl sees it. */
    private static String alpn(FerryProcess ferry) throws Exception {
        return alpn(ferry, "spdy/3.1,http/1.1");
    }

    /** The protocol the HTTPS listener picks for a client offering {@code offered}, as openssl sees it. */
    static String alpn(FerryProcess ferry, String offered) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "openssl s_client -alpn " + offered + " -connect 127.0.0.1:"
                + ferry.httpsPort + " </dev/null 2>&1").start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        Matcher m = Pattern.compile("ALPN protocol: (\\S+)").matcher(out);
        return m.find() ? m.group(1) : "none";
    }

    /** The Felix Web Console of a running distribution, with its generated credentials. */
    private static final class Console {
        private final FerryProcess ferry;
        private final String credentials;

        Console(FerryProcess ferry) throws Exception {
            this.ferry = ferry;
            this.credentials = "admin:" + Files.readString(ferry.home.resolve("data/console-password")).trim();
        }

        void bundle(String symbolicName, String action) throws Exception {
            String base = "http://127.0.0.1:" + ferry.consolePort + "/system/console/bundles";
            Curl list = Curl.run("-u", credentials, base + ".json");
            Matcher m = Pattern.compile("\"id\":(\\d+),\"name\":\"[^\"]*\",\"fragment\":[a-z]+,\"stateRaw\":\\d+,"
                    + "\"state\":\"[^\"]*\",\"version\":\"[^\"]*\",\"symbolicName\":\"" + Pattern.quote(symbolicName)
                    + "\"").matcher(list.out);
            assertTrue("no bundle " + symbolicName + " in " + list.out.substring(0, Math.min(400, list.out.length())),
                    m.find());
            Curl done = Curl.run("-u", credentials, "-X", "POST", "-d", "action=" + action, base + "/" + m.group(1));
            assertEquals(done.toString(), 0, done.exit);
        }
    }
}
