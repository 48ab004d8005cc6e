package dev.ferry.fetch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The tool against a real origin on 127.0.0.1, DIRECT: requests as sent, bodies as received, exit statuses. */
public class FerryFetchTest {

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
    public void getPrintsTheBodyAndSendsOriginFormWithHostAndConnectionClose() throws Exception {
        FetchRun run = FetchRun.of(origin.url("/a/b?c=d#fragment"));

        assertEquals(run.toString(), 0, run.exitStatus);
        assertEquals("hello from /a/b?c=d", run.body());
        Origin.Received request = origin.next();
        assertEquals("GET", request.method);
        assertEquals("/a/b?c=d", request.uri);
        assertEquals("127.0.0.1:" + origin.port(), request.header("Host"));
        assertEquals("close", request.header("Connection"));
        assertEquals(RequestHead.USER_AGENT, request.header("User-agent"));
        assertNull(request.header("Content-length"));
    }

    @Test
    public void dataIsPostedWithContentLengthAndFormType() throws Exception {
        origin.handle(exchange -> Origin.respond(exchange, 201, "got it"));

        FetchRun run = FetchRun.of("-d", "name=ferry&x=1", origin.url("/form"));

        assertEquals(run.toString(), 0, run.exitStatus);
        assertEquals("got it", run.body());
        Origin.Received request = origin.next();
        assertEquals("POST", request.method);
        assertEquals("name=ferry&x=1", request.body);
        assertEquals("14", request.header("Content-length"));
        assertEquals("application/x-www-form-urlencoded", request.header("Content-type"));
    }

    @Test
    public void methodAndHeadersFromTheCommandLineWin() throws Exception {
        FetchRun run = FetchRun.of("-X", "PUT", "-d", "{}", "-H", "Content-Type: application/json",
                "-H", "X-One: 1", "-H", "X-One: 2", "-H", "User-Agent: mine", "-H", "Accept:", origin.url("/put"));

        assertEquals(run.toString(), 0, run.exitStatus);
        Origin.Received request = origin.next();
        assertEquals("PUT", request.method);
        assertEquals("{}", request.body);
        assertEquals("application/json", request.header("Content-type"));
        assertEquals(List.of("1", "2"), request.headers.get("X-one"));
        assertEquals("mine", request.header("User-agent"));
        assertNull(request.header("Accept"));
    }

    @Test
    public void anErrorStatusIsStillAResponse() throws Exception {
        origin.handle(exchange -> Origin.respond(exchange, 404, "not here"));

        FetchRun run = FetchRun.of(origin.url("/missing"));

        assertEquals(run.toString(), 0, run.exitStatus);
        assertEquals("not here", run.body());
    }

    @Test
    public void verboseShowsTheStepsAndBothHeadsOnStderrOnly() throws Exception {
        FetchRun run = FetchRun.of("-v", origin.url("/v"));

        assertEquals(run.toString(), 0, run.exitStatus);
        assertEquals("hello from /v", run.body());
        String url = origin.url("/v");
        assertTrue(run.stderr, run.stderr.contains("* resolved " + url + " -> [DIRECT]\n"));
        assertTrue(run.stderr, run.stderr.contains("* TCP 127.0.0.1:" + origin.port()));
        assertTrue(run.stderr, run.stderr.matches("(?s).*\\* TCP done in [0-9.]+ ms\n.*"));
        assertTrue(run.stderr, run.stderr.contains("* connected via DIRECT\n"));
        assertTrue(run.stderr, run.stderr.contains("> GET /v HTTP/1.1\n> Host: 127.0.0.1:" + origin.port() + "\n"));
        assertTrue(run.stderr, run.stderr.contains("< HTTP/1.1 200 OK\n"));
        assertTrue(run.stderr, run.stderr.contains("< Content-length: 13\n"));
    }

    @Test
    public void outputFileGetsTheBodyAndStdoutNothing() throws Exception {
        Path file = tmp.getRoot().toPath().resolve("body.txt");

        FetchRun run = FetchRun.of("-o", file.toString(), origin.url("/file"));

        assertEquals(run.toString(), 0, run.exitStatus);
        assertEquals(0, run.stdout.length);
        assertEquals("hello from /file", Files.readString(file));
    }

    @Test
    public void refusedConnectionIsExitStatusOneWithTheErrorToken() throws Exception {
        int port = Origin.closedPort();

        FetchRun run = FetchRun.of("http://127.0.0.1:" + port + "/");

        assertEquals(run.toString(), 1, run.exitStatus);
        assertTrue(run.stderr, run.stderr.startsWith("ferry-fetch: connection_refused: "));
        assertEquals(0, run.stdout.length);
    }

    @Test
    public void aBodyCutShortIsAnIncompleteResponse() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = raw.accept()) {
                    readHead(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..".getBytes(
                            StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    // the test's assertions tell
                }
            });
            server.start();

            FetchRun run = FetchRun.of("http://127.0.0.1:" + raw.getLocalPort() + "/cut");

            server.join(10_000);
            assertEquals(run.toString(), 1, run.exitStatus);
            assertTrue(run.stderr, run.stderr.startsWith("ferry-fetch: http_response_incomplete: "));
            assertEquals("only ten..", run.body());
        }
    }

    @Test
    public void maxTimeEndsAFetchWithStatus28() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        origin.handle(exchange -> {
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Origin.respond(exchange, 200, "too late");
        });
        try {
            long start = System.nanoTime();
            FetchRun run = FetchRun.of("--max-time", "0.5", origin.url("/slow"));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertEquals(run.toString(), 28, run.exitStatus);
            assertTrue(run.stderr, run.stderr.startsWith("ferry-fetch: timeout: operation timed out after 500 ms"));
            assertTrue("took " + millis + " ms", millis < 5_000);
            assertEquals(0, run.stdout.length);
        } finally {
            release.countDown();
        }
    }

    @Test
    public void interimResponsesAreSkipped() throws Exception {
        try (ServerSocket raw = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                try (Socket s = raw.accept()) {
                    readHead(s.getInputStream());
                    s.getOutputStream().write(("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                            + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the test's assertions tell
                }
            });
            server.start();

            FetchRun run = FetchRun.of("-v", "http://127.0.0.1:" + raw.getLocalPort() + "/hints");

            server.join(10_000);
            assertEquals(run.toString(), 0, run.exitStatus);
            assertEquals("final", run.body());
            assertTrue(run.stderr, run.stderr.contains("< HTTP/1.1 103 Early Hints\n"));
            assertFalse(run.stderr, run.stderr.contains("ferry-fetch:"));
        }
    }

    /** Reads up to the blank line that ends a request head. */
    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b = in.read(); b >= 0; b = in.read()) {
            matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
            if (matched == end.length) {
                return;
            }
        }
    }
}
