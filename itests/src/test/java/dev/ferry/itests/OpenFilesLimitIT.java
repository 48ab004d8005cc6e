package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A proxy whose open files limit (400 here) is reached by held tunnels (two descriptors each): the tunnels it cannot
 * connect are answered 503 with a Proxy-Status that names the limit, never a 500, and once the tunnels close it
 * serves again by itself.
 */
public class OpenFilesLimitIT {

    private static final int LIMIT = 400;

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static FerryProcess ferry;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        ferry = resources.add(FerryProcess.start("-Xmx64m", Map.of(), LIMIT));
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void tunnelsBeyondTheOpenFilesLimitGetA503NamingItAndTheProxyRecovers() throws Exception {
        assertTrue(ferry.stdout(), ferry.stdout().contains("ferry: open files limit " + LIMIT + " (hard limit "
                + LIMIT + ")"));
        String authority = "127.0.0.1:" + origin.port();
        List<Socket> held = new ArrayList<>();
        try {
            // A client connection without a request holds one descriptor in the proxy, a tunnel two.
            Socket idle = new Socket(InetAddress.getLoopbackAddress(), ferry.httpPort);
            held.add(idle);
            // Tunnels until the proxy has no descriptor left. Which side meets the limit depends on how many it had:
            // the connection to the origin (503 at once), or the next accept (then the proxy stops accepting, the
            // client waits in the listen queue unanswered, and freeing one descriptor, the idle client's, lets it
            // in to meet the limit at its connection to the origin).
            String refusal = null;
            while (refusal == null && held.size() < LIMIT) {
                Socket s = connect(authority);
                String head = readHead(s, 3000);
                if (head == null) {
                    idle.close();
                    refusal = readHead(s, 10_000);
                    s.close();
                } else if (head.startsWith("HTTP/1.1 200 ")) {
                    held.add(s);
                } else {
                    refusal = head;
                    s.close();
                }
            }
            assertTrue("a 503: " + refusal, refusal != null && refusal.startsWith("HTTP/1.1 503 "));
            assertTrue(refusal, refusal.contains("Proxy-Status: ferry; error=proxy_internal_error; details=\"no "
                    + "file descriptor left to connect to"));
            assertTrue(refusal, refusal.contains("open files limit is reached"));
            System.out.printf("OpenFilesLimitIT: %d tunnels held under an open files limit of %d; the next tunnel "
                    + "got 503%n", held.size() - 1, LIMIT);
            // The held tunnels still carry bytes.
            Socket first = held.get(1);
            first.getOutputStream().write("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(readHead(first, 10_000).startsWith("HTTP/1.1 200 "));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        String after = Await.until("a tunnel again", 15_000, () -> {
            String head = ProxyClients.connectHead(ferry.httpPort, authority);
            return head.startsWith("HTTP/1.1 200 ") ? head : null;
        });
        assertTrue(after, after.startsWith("HTTP/1.1 200 "));
        assertEquals("200", Curl.run("-x", ferry.httpProxy(), "-o", "/dev/null", "-w", "%{http_code}",
                origin.url("/echo")).out);
    }

    private Socket connect(String authority) throws Exception {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), ferry.httpPort);
        s.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        return s;
    }

    /** The response head on {@code s}, or null if none came within {@code millis}. */
    private static String readHead(Socket s, int millis) throws Exception {
        s.setSoTimeout(millis);
        try {
            return ProxyClients.readHead(s.getInputStream());
        } catch (java.net.SocketTimeoutException none) {
            return null;
        }
    }
}
