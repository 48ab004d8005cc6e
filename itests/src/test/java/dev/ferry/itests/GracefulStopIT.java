package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * SIGTERM stops the proxy gracefully: the listeners stop accepting at once, an idle keep-alive connection closes at
 * once, a download and a tunnel in flight across the signal both complete intact, and then the process exits with
 * status 0, long before the drain timeout.
 */
public class GracefulStopIT {

    private static final int DRAIN_SECONDS = 25;
    /** 16 MiB read at 4 MiB/s: about 4 s in flight. */
    private static final long DOWNLOAD = 16L << 20;
    private static final long TUNNEL_UPLOAD = 4L << 20;
    private static final long TUNNEL_DOWNLOAD = 4L << 20;

    @Test
    public void sigtermDrainsWhatIsInFlightAndExitsZero() throws Exception {
        ExecutorService clients = Executors.newCachedThreadPool();
        Path file = Files.createTempFile("ferry-stop-download", ".bin");
        try (Resources resources = new Resources()) {
            TestOrigin origin = resources.add(new TestOrigin(null));
            DigestEchoTarget target = resources.add(new DigestEchoTarget());
            FerryProcess ferry = resources.add(FerryProcess.start("", Map.of(
                    "dev.ferry.listener-http.cfg", Map.of("drainTimeoutSeconds", Integer.toString(DRAIN_SECONDS)),
                    "dev.ferry.listener-https.cfg", Map.of("drainTimeoutSeconds", Integer.toString(DRAIN_SECONDS)))));

            // An idle keep-alive connection: one exchange done, the connection kept.
            Socket idle = new Socket(InetAddress.getLoopbackAddress(), ferry.httpPort);
            idle.getOutputStream().write(("GET " + origin.url("/bytes?n=10") + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream idleIn = idle.getInputStream();
            assertTrue(ProxyClients.readHead(idleIn).startsWith("HTTP/1.1 200"));
            assertEquals(10, idleIn.readNBytes(10).length);

            // A slow download: curl reads at 4 MiB/s, the proxy holds the exchange until it has read it all.
            Future<Curl> download = clients.submit(() -> Curl.run("-x", ferry.httpProxy(), "--limit-rate", "4M",
                    "-o", file.toString(), origin.url("/bytes?n=" + DOWNLOAD)));
            // A tunnel: half its upload before the signal, the rest after it.
            ProxyClients.Tunnel tunnel = ProxyClients.tunnel(ferry.httpPort, "127.0.0.1:" + target.port());
            OutputStream tunnelOut = tunnel.out;
            InputStream tunnelIn = tunnel.in;
            DataOutputStream data = new DataOutputStream(tunnelOut);
            data.writeLong(TUNNEL_UPLOAD);
            data.writeLong(TUNNEL_DOWNLOAD);
            upload(tunnelOut, 0, TUNNEL_UPLOAD / 2);

            Await.until("the download to be under way", 10_000,
                    () -> Files.size(file) > (1L << 20) ? Boolean.TRUE : null);
            long signalled = System.nanoTime();
            ferry.terminate();

            Ports.awaitRefused(ferry.httpPort);
            long refusedMillis = millisSince(signalled);
            idle.setSoTimeout(10_000);
            assertEquals("the idle keep-alive connection closes when the proxy stops", -1, idleIn.read());
            long idleClosedMillis = millisSince(signalled);
            idle.close();

            Thread.sleep(1000);
            assertTrue("the proxy exited while a tunnel was open", ferry.isAlive());
            upload(tunnelOut, TUNNEL_UPLOAD / 2, TUNNEL_UPLOAD);
            tunnel.socket.setSoTimeout(20_000);
            assertEquals("the target's digest of the upload", Patterns.sha256(TUNNEL_UPLOAD),
                    new String(tunnelIn.readNBytes(64), StandardCharsets.US_ASCII));
            MessageDigest sha = Patterns.sha();
            byte[] received = tunnelIn.readNBytes((int) TUNNEL_DOWNLOAD);
            sha.update(received);
            assertEquals(TUNNEL_DOWNLOAD, received.length);
            assertEquals(Patterns.sha256(TUNNEL_DOWNLOAD), HexFormat.of().formatHex(sha.digest()));
            tunnel.close();
            long tunnelDoneMillis = millisSince(signalled);

            Curl curl = download.get(60, TimeUnit.SECONDS);
            long downloadDoneMillis = millisSince(signalled);
            assertEquals(curl.toString(), 0, curl.exit);
            try (InputStream in = Files.newInputStream(file)) {
                String[] digest = Patterns.digest(in);
                assertEquals(Long.toString(DOWNLOAD), digest[1]);
                assertEquals(Patterns.sha256(DOWNLOAD), digest[0]);
            }

            int status = ferry.awaitExit(DRAIN_SECONDS + 10);
            long exitMillis = millisSince(signalled);
            System.out.printf("GracefulStopIT: after SIGTERM: refused new connections at %d ms, idle connection "
                    + "closed at %d ms, tunnel done at %d ms, download done at %d ms, exit %d at %d ms%n",
                    refusedMillis, idleClosedMillis, tunnelDoneMillis, downloadDoneMillis, status, exitMillis);
            assertEquals(ferry.log(), 0, status);
            assertTrue("exited " + exitMillis + " ms after SIGTERM: it waited for the drain timeout instead of the "
                    + "connections", exitMillis < TimeUnit.SECONDS.toMillis(DRAIN_SECONDS) - 5000);
            assertTrue(ferry.log(), ferry.log().contains("Ferry stops: every connection finished in"));
            // The exchanges that ended during the drain, the last moments before the stop, are in the access log:
            // the lines still queued for the log are written before the process ends.
            String accessLog = ferry.accessLog();
            assertTrue(accessLog, accessLog.contains(" GET " + origin.url("/bytes?n=" + DOWNLOAD) + " 200 "));
            assertTrue(accessLog, accessLog.contains(" CONNECT 127.0.0.1:" + target.port() + " 200 "));
            ferry.assertNoLeaks();
        } finally {
            clients.shutdownNow();
            Files.deleteIfExists(file);
        }
    }

    /** Sends pattern bytes {@code [from, to)}, at the offsets the target's digest expects. */
    private static void upload(OutputStream out, long from, long to) throws Exception {
        byte[] buf = new byte[65536];
        for (long sent = from; sent < to;) {
            int len = (int) Math.min(buf.length, to - sent);
            Patterns.fill(buf, sent, len);
            out.write(buf, 0, len);
            sent += len;
        }
        out.flush();
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
