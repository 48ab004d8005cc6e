package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Each connect-job stage has its own timeout setting and says which one ran out: TCP to a proxy that never completes
 * the handshake, TLS with an HTTPS proxy, the SOCKS handshake, and the answer to CONNECT from proxies that accept the
 * connection and then say nothing. Every timeout is set to 500 ms; the client hears within a few seconds.
 */
public class ConnectStageTimeoutsIT {

    private static final int TIMEOUT_MILLIS = 500;
    private static final long ANSWER_WITHIN_MILLIS = 4000;

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static TestOrigin tlsOrigin;
    /** Accepts TCP connections (the kernel completes them into the backlog) and never reads or writes. */
    private static ServerSocket silent;
    private static FerryProcess tlsAndTunnel;
    private static FerryProcess tcpAndSocks;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        tlsOrigin = resources.add(new TestOrigin(TlsOrigin.context()));
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        resources.add(silent);
        Blackhole blackhole = resources.add(new Blackhole());
        String silentAddress = "127.0.0.1:" + silent.getLocalPort();
        List<FerryProcess> ferries = FerryProcess.startAll("-Xmx64m",
                timeouts(Settings.rules("http=https://" + silentAddress + ";https=http://" + silentAddress)),
                timeouts(Settings.rules("http=http://127.0.0.1:" + blackhole.port() + ";https=socks5://"
                        + silentAddress)));
        ferries.forEach(resources::add);
        tlsAndTunnel = ferries.get(0);
        tcpAndSocks = ferries.get(1);
    }

    private static Map<String, Map<String, String>> timeouts(Settings settings) {
        String ms = Integer.toString(TIMEOUT_MILLIS);
        return settings.set(Settings.POOL, "tcpConnectTimeoutMillis", ms)
                .set(Settings.POOL, "proxyTlsTimeoutMillis", ms)
                .set(Settings.POOL, "socksTimeoutMillis", ms)
                .set(Settings.POOL, "tunnelTimeoutMillis", ms).files();
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void tcpConnectToTheProxy() throws Exception {
        assertGet(tcpAndSocks, "connection_timeout", "TCP connect to upstream proxy http://127.0.0.1:",
                "timed out after 500 ms (dev.ferry.pool tcpConnectTimeoutMillis)");
    }

    @Test
    public void tlsHandshakeWithAnHttpsProxy() throws Exception {
        assertGet(tlsAndTunnel, "connection_timeout", "TLS handshake with upstream proxy https://127.0.0.1:"
                + silent.getLocalPort(), "timed out after 500 ms (dev.ferry.pool proxyTlsTimeoutMillis)");
    }

    @Test
    public void socksHandshake() throws Exception {
        assertConnect(tcpAndSocks, "connection_timeout", "SOCKS handshake with upstream proxy socks5://127.0.0.1:"
                + silent.getLocalPort(), "timed out after 500 ms (dev.ferry.pool socksTimeoutMillis)");
    }

    @Test
    public void answerToConnect() throws Exception {
        assertConnect(tlsAndTunnel, "http_response_timeout",
                "upstream proxy http://127.0.0.1:" + silent.getLocalPort(), "did not answer CONNECT 127.0.0.1:" + tlsOrigin.port()
                        + " within 500 ms (dev.ferry.pool tunnelTimeoutMillis)");
    }

    private static void assertGet(FerryProcess ferry, String error, String detailsStart, String detailsEnd)
            throws Exception {
        long start = System.nanoTime();
        Curl c = Curl.run("-i", "-x", ferry.httpProxy(), origin.url("/echo"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(c.toString(), c.out.startsWith("HTTP/1.1 504 "));
        assertProxyStatus(c.out, error, detailsStart, detailsEnd);
        assertTrue("answered after " + millis + " ms", millis < ANSWER_WITHIN_MILLIS);
    }

    private static void assertConnect(FerryProcess ferry, String error, String detailsStart, String detailsEnd)
            throws IOException {
        long start = System.nanoTime();
        String head = ProxyClients.connectHead(ferry.httpPort, "127.0.0.1:" + tlsOrigin.port());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(head, head.startsWith("HTTP/1.1 504 "));
        assertProxyStatus(head, error, detailsStart, detailsEnd);
        assertTrue("answered after " + millis + " ms", millis < ANSWER_WITHIN_MILLIS);
    }

    private static void assertProxyStatus(String head, String error, String detailsStart, String detailsEnd) {
        String line = head.lines().filter(l -> l.toLowerCase().startsWith("proxy-status:")).findFirst()
                .orElseThrow(() -> new AssertionError("no Proxy-Status in\n" + head));
        String prefix = "Proxy-Status: ferry; error=" + error + "; details=\"";
        assertTrue(line, line.startsWith(prefix));
        String details = line.substring(prefix.length(), line.length() - 1);
        assertTrue(details, details.startsWith(detailsStart));
        assertTrue(details, details.endsWith(detailsEnd));
        assertEquals(line, '"', line.charAt(line.length() - 1));
    }
}
