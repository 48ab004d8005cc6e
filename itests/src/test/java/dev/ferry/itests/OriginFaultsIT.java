package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Origins that misbehave after accepting the connection: one that takes the request and never answers (504 after
 * {@code responseTimeoutSeconds}, 2 s here), one that sends a header section without end (502 at the parser's
 * {@code maxHeaderSize}). Each is answered with its Proxy-Status error, and the proxy leaks nothing.
 */
public class OriginFaultsIT {

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static FerryProcess ferry;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        ferry = resources.add(FerryProcess.start("-Xmx64m", Map.of("dev.ferry.listener-http.cfg",
                Map.of("responseTimeoutSeconds", "2"))));
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void originThatTakesTheRequestAndNeverAnswersIs504() throws Exception {
        try (ScriptedOrigin silent = new ScriptedOrigin(out -> { })) {
            long t0 = System.nanoTime();
            Curl c = Curl.run("-x", ferry.httpProxy(), "-D", "-", "-o", "/dev/null", silent.url());
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(c.out, c.out.startsWith("HTTP/1.1 504 "));
            assertTrue(c.out, c.out.contains("Proxy-Status: ferry; error=http_response_timeout; details=\"origin "
                    + "sent no response within 2 s (responseTimeoutSeconds)\""));
            assertTrue("answered at the timeout, not before: " + tookMillis, tookMillis >= 1900);
            assertEquals("the origin had the request", 1, silent.requests.size());
        }
    }

    @Test
    public void originSendingAHeaderWithoutEndIs502() throws Exception {
        try (ScriptedOrigin endless = new ScriptedOrigin(out -> {
            out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] header = ("X-Endless-" + "a".repeat(1000) + ": b\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 10_000; i++) {
                out.write(header);
            }
        })) {
            Curl c = Curl.run("-x", ferry.httpProxy(), "-D", "-", "-o", "/dev/null", endless.url());
            assertTrue(c.out, c.out.startsWith("HTTP/1.1 502 "));
            assertTrue(c.out, c.out.contains("error=http_protocol_error"));
        }
        // The proxy goes on.
        Curl after = Curl.run("-x", ferry.httpProxy(), "-o", "/dev/null", "-w", "%{http_code}",
                origin.url("/echo"));
        assertEquals("200", after.out);
    }

    /** An origin that reads each request head and answers with what {@code script} writes (nothing, if nothing). */
    private static final class ScriptedOrigin implements AutoCloseable {
        interface Script {
            void answer(OutputStream out) throws IOException;
        }

        final List<String> requests = new CopyOnWriteArrayList<>();
        private final ServerSocket server;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        ScriptedOrigin(Script script) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        accepted.add(s);
                        InputStream in = s.getInputStream();
                        requests.add(ProxyClients.readHead(in));
                        script.answer(s.getOutputStream());
                    } catch (IOException closed) {
                        // the test is over, or the proxy went away mid-answer
                    }
                }
            }, "scripted-origin");
            t.setDaemon(true);
            t.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/";
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
