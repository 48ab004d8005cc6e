package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * Faults on the way out through an upstream proxy: the upstream dies (SIGKILL) in the middle of a tunnel and of a
 * forwarded download, and the TLS handshake to an {@code https://} upstream fails. Each ends in the specified way
 * (the client's connection ends short, never a complete-looking transfer; a 502 naming the TLS failure) with nothing
 * leaked, and the proxy goes on serving.
 */
public class UpstreamFaultsIT {

    private static final long LARGE = 256L << 20;

    @Test
    public void upstreamDyingMidTunnelEndsTheClientsTunnelShortAndTheNextTunnelIsA502() throws Exception {
        try (Resources resources = new Resources()) {
            TestOrigin origin = resources.add(new TestOrigin(null));
            DigestEchoTarget target = resources.add(new DigestEchoTarget());
            FerryProcess upstream = resources.add(FerryProcess.start("", Settings.defaults().files()));
            FerryProcess ferry = resources.add(FerryProcess.start("", Settings.rules(upstream.httpProxy()).files()));

            try (ProxyClients.Tunnel tunnel = ProxyClients.tunnel(ferry.httpPort, "127.0.0.1:" + target.port())) {
                tunnel.socket.setSoTimeout(15_000);
                OutputStream out = tunnel.out;
                InputStream in = tunnel.in;
                DataOutputStream data = new DataOutputStream(out);
                long download = 60L << 20;
                data.writeLong(0);
                data.writeLong(download);
                data.flush();
                assertEquals(Patterns.sha256(0), new String(in.readNBytes(64), StandardCharsets.US_ASCII));
                // Read slowly enough that the upstream is mid-tunnel when it dies.
                byte[] first = in.readNBytes(1 << 20);
                assertEquals(1 << 20, first.length);
                upstream.kill();
                long killed = System.nanoTime();

                long received = first.length;
                long wrongAt = firstWrongByte(first, 0);
                byte[] buf = new byte[65536];
                try {
                    for (int n; (n = in.read(buf)) > 0;) {
                        if (wrongAt < 0) {
                            long at = firstWrongByte(java.util.Arrays.copyOf(buf, n), received);
                            wrongAt = at;
                        }
                        received += n;
                    }
                } catch (IOException reset) {
                    // A reset is as good as an end here: the client learns that the tunnel broke.
                    System.out.println("UpstreamFaultsIT: tunnel reset after " + received + ": " + reset);
                }
                long endedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                System.out.printf("UpstreamFaultsIT: tunnel ended %d ms after the upstream died, %d of %d bytes%n",
                        endedMillis, received, download);
                assertTrue("the tunnel ended short: " + received, received < download);
                assertEquals("what arrived is the target's bytes, in order", -1, wrongAt);
                assertTrue("ended within 10 s, not at an idle timeout: " + endedMillis, endedMillis < 10_000);
            }

            // The upstream is gone: a new tunnel gets a clear 502 naming it.
            String head = ProxyClients.connectHead(ferry.httpPort, "127.0.0.1:" + target.port());
            assertTrue(head, head.startsWith("HTTP/1.1 502 "));
            assertTrue(head, head.contains("error=connection_refused"));
            assertTrue(head, head.contains("127.0.0.1:" + upstream.httpPort));
            resources.checkLeaksAndClose(origin);
        }
    }

    @Test
    public void upstreamDyingMidDownloadNeverLooksLikeACompleteResponse() throws Exception {
        ExecutorService clients = Executors.newSingleThreadExecutor();
        Path file = Files.createTempFile("ferry-upstream-fault", ".bin");
        try (Resources resources = new Resources()) {
            TestOrigin origin = resources.add(new TestOrigin(null));
            FerryProcess upstream = resources.add(FerryProcess.start("", Settings.defaults().files()));
            FerryProcess ferry = resources.add(FerryProcess.start("", Settings.rules(upstream.httpProxy()).files()));

            Future<Curl> download = clients.submit(() -> Curl.run("-x", ferry.httpProxy(), "--limit-rate", "16M",
                    "-o", file.toString(), origin.url("/bytes?n=" + LARGE)));
            Await.until("the download to be under way", 20_000,
                    () -> Files.size(file) > (4L << 20) ? Boolean.TRUE : null);
            upstream.kill();

            Curl curl = download.get(30, TimeUnit.SECONDS);
            // curl 18: "transfer closed with N bytes remaining": the client knows the response is incomplete.
            assertEquals(curl.toString(), 18, curl.exit);
            long size = Files.size(file);
            assertTrue(size + " bytes", size < LARGE);
            try (InputStream in = Files.newInputStream(file)) {
                assertEquals("what arrived is the origin's bytes, in order", -1,
                        firstWrongByte(in.readAllBytes(), 0));
            }
            resources.checkLeaksAndClose(origin);
        } finally {
            clients.shutdownNow();
            Files.deleteIfExists(file);
        }
    }

    @Test
    public void tlsHandshakeFailingWithAnHttpsUpstreamIsA502NamingTheFailure() throws Exception {
        try (Resources resources = new Resources()) {
            TestOrigin origin = resources.add(new TestOrigin(null));
            // An "https" upstream that speaks plain HTTP: no TLS handshake at all.
            TestOrigin plain = resources.add(new TestOrigin(null));
            // An https upstream whose certificate the proxy does not trust.
            TestOrigin untrusted = resources.add(new TestOrigin(TlsOrigin.context()));
            FerryProcess ferry = resources.add(FerryProcess.start("", Settings.rules(
                    "http=https://127.0.0.1:" + plain.port() + ";https=https://127.0.0.1:" + untrusted.port())
                    .files()));

            Curl get = Curl.run("-i", "-x", ferry.httpProxy(), "http://example.test/");
            assertEquals(get.toString(), 0, get.exit);
            assertTrue(get.out, get.out.startsWith("HTTP/1.1 502 "));
            assertTrue(get.out, get.out.contains("error=tls_protocol_error"));
            assertTrue(get.out, get.out.contains("127.0.0.1:" + plain.port()));

            String head = ProxyClients.connectHead(ferry.httpPort, "example.test:443");
            assertTrue(head, head.startsWith("HTTP/1.1 502 "));
            assertTrue(head, head.contains("error=tls_certificate_error"));
            assertTrue(head, head.contains("127.0.0.1:" + untrusted.port()));
            assertNotEquals("the proxy goes on", -1, ferry.pid());
            resources.checkLeaksAndClose(origin);
        }
    }

    /** The offset of the first byte of {@code data} (starting at stream offset {@code from}) not of the pattern. */
    private static long firstWrongByte(byte[] data, long from) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] != Patterns.at(from + i)) {
                return from + i;
            }
        }
        return -1;
    }
}
