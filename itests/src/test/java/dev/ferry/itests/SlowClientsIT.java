package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Clients that trickle a request head, a byte at a time, each keep a connection only until the request head deadline
 * ({@code requestHeadTimeoutSeconds}, 2 s here): then they get 408 and the connection closes. Meanwhile the other
 * clients' GETs are served about as fast as without them.
 */
public class SlowClientsIT {

    private static final int TRICKLERS = 1000;
    private static final int DEADLINE_SECONDS = 2;
    /**
     * GETs timed before and during the attack. 1,000 (0.9 s at 0.9 ms each, within the 2 s deadline): the p99 is the
     * tenth slowest, not the third of 300, which a single scheduling hiccup of this shared machine could set.
     */
    private static final int SAMPLES = 1000;

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static FerryProcess ferry;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        // Paranoid leak detection as everywhere (every buffer tracked, a leak fails the test), but without the stack
        // trace it records at every access of every buffer by default: 1,000 tricklers make 4,000 one-byte reads a
        // second, and recording those measured the detector, not the proxy (see the bound below).
        ferry = resources.add(FerryProcess.start("-Xmx64m -Dio.netty.leakDetection.targetRecords=0",
                Map.of("dev.ferry.http1.cfg",
                Map.of("requestHeadTimeoutSeconds", Integer.toString(DEADLINE_SECONDS),
                        "requestBodyTimeoutSeconds", Integer.toString(DEADLINE_SECONDS)))));
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void tricklingClientsAreCutOffAtTheHeadDeadlineWithoutSlowingTheOthers() throws Exception {
        HttpClient client = HttpClient.newBuilder().proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1",
                ferry.httpPort))).version(HttpClient.Version.HTTP_1_1).build();
        String url = origin.url("/bytes?n=100");
        latencies(client, url, 100); // warm-up
        long[] before = latencies(client, url, SAMPLES);

        List<SocketChannel> tricklers = new ArrayList<>();
        for (int i = 0; i < TRICKLERS; i++) {
            SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", ferry.httpPort));
            ch.configureBlocking(false);
            ch.write(ByteBuffer.wrap(("GET " + url + " HTTP/1.1\r\nX-Slow: ").getBytes(StandardCharsets.US_ASCII)));
            tricklers.add(ch);
        }
        long started = System.nanoTime();
        java.util.concurrent.CompletableFuture<Map<SocketChannel, StringBuilder>> heard =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> trickle(tricklers, started));
        long[] during = latencies(client, url, SAMPLES);
        Map<SocketChannel, StringBuilder> answers = heard.get(60, java.util.concurrent.TimeUnit.SECONDS);

        int answered408 = 0;
        StringBuilder odd = new StringBuilder();
        for (SocketChannel ch : tricklers) {
            String got = answers.get(ch).toString();
            if (got.startsWith("HTTP/1.1 408 ") && got.endsWith("<closed>")) {
                answered408++;
            } else if (odd.length() < 2000) {
                odd.append(got).append('\n');
            }
            ch.close();
        }
        long p99Before = percentile(before, 99);
        long p99During = percentile(during, 99);
        System.out.printf("SlowClientsIT: %d of %d trickling clients got 408 and a close; GET p50/p99 %.2f/%.2f ms "
                + "before, %.2f/%.2f ms during%n", answered408, TRICKLERS, percentile(before, 50) / 1e6,
                p99Before / 1e6, percentile(during, 50) / 1e6, p99During / 1e6);
        assertEquals("trickling clients not answered 408 and closed:\n" + odd, TRICKLERS, answered408);
        // Below 20 ms a p99 of these samples on this shared 2-core machine is scheduling noise: the bound is 2x, or
        // 20 ms, whichever is larger. With the detector recording every access (the default at paranoid) the p99
        // during was up to 21.2 ms (a clean-clone CI run failed on it) and the ratio 1.5x to 3.9x; with detection off,
        // 1.4x to 1.5x. Without access records (as now), six runs here: p99 before 5.95-8.67 ms, during 8.18-15.05 ms
        // (0.94x to 2.23x). A later clean-clone run failed at 22.4 ms during against 6.3 before with 300 samples,
        // hence 1,000.
        assertTrue("p99 during the attack " + p99During / 1e6 + " ms vs " + p99Before / 1e6 + " ms before",
                p99During <= Math.max(2 * p99Before, 20_000_000L));
    }

    @Test
    public void aClientWhoseBodyStallsIsClosedAtTheBodyDeadline() throws Exception {
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", ferry.httpPort))) {
            ch.write(ByteBuffer.wrap(("POST " + origin.url("/sha256") + " HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 100\r\n\r\n0123456789").getBytes(StandardCharsets.US_ASCII)));
            long t0 = System.nanoTime();
            ch.socket().setSoTimeout(15_000);
            int read = ch.socket().getInputStream().read();
            long tookMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("closed without an answer", -1, read);
            assertTrue("closed at the deadline, not before: " + tookMillis, tookMillis >= 1900);
            assertTrue("closed at the deadline, not much after: " + tookMillis, tookMillis < 10_000);
        }
    }

    /**
     * One byte to each trickler every 250 ms, until it hears from the proxy (reading first, so that no byte is sent
     * after the answer) or 3 deadlines have passed; what each heard, with {@code <closed>} at the proxy's close.
     */
    private static Map<SocketChannel, StringBuilder> trickle(List<SocketChannel> tricklers, long started) {
        Map<SocketChannel, StringBuilder> heard = new java.util.IdentityHashMap<>();
        ByteBuffer one = ByteBuffer.allocate(1);
        ByteBuffer in = ByteBuffer.allocate(4096);
        while (System.nanoTime() - started < Duration.ofSeconds(3L * DEADLINE_SECONDS).toNanos()) {
            int closed = 0;
            for (SocketChannel ch : tricklers) {
                StringBuilder got = heard.computeIfAbsent(ch, c -> new StringBuilder());
                if (got.toString().endsWith(">")) {
                    closed++;
                    continue;
                }
                read(ch, in, got);
                if (got.length() == 0) {
                    one.clear();
                    one.put((byte) 'a').flip();
                    try {
                        ch.write(one);
                    } catch (IOException e) {
                        got.append("<").append(e.getMessage()).append(">");
                    }
                }
            }
            if (closed == tricklers.size()) {
                break;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                break;
            }
        }
        return heard;
    }

    /** Appends what {@code ch} has to read now, and {@code <closed>} at its end. */
    private static void read(SocketChannel ch, ByteBuffer buf, StringBuilder got) {
        try {
            for (int n; (n = ch.read(buf.clear())) != 0;) {
                if (n < 0) {
                    got.append("<closed>");
                    return;
                }
                got.append(new String(buf.array(), 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            got.append("<").append(e.getMessage()).append(">");
        }
    }

    private static long[] latencies(HttpClient client, String url, int count) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build();
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            nanos[i] = System.nanoTime() - t0;
            assertEquals(200, r.statusCode());
            assertEquals(100, r.body().length);
        }
        return nanos;
    }

    private static long percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)];
    }
}
