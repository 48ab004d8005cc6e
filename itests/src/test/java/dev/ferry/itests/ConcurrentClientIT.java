package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * One client address with 50 keep-alive connections to one origin, through Ferry with its shipped settings: no
 * request waits behind a browser-style per-group limit, so the latency stays near that of going direct (the pool's
 * limits are a server's circuit breakers, not a browser's 6 per host).
 */
public class ConcurrentClientIT {

    private static final int CONNECTIONS = 50;
    private static final int REQUESTS_EACH = 40;

    private static final Resources resources = new Resources();
    private static TestOrigin origin;
    private static FerryProcess ferry;
    private static ConsoleStatus status;

    @BeforeClass
    public static void start() throws Exception {
        origin = resources.add(new TestOrigin(null));
        ferry = resources.add(FerryProcess.start("-Xmx64m", Map.of()));
        status = new ConsoleStatus(ferry);
    }

    @AfterClass
    public static void stop() throws Exception {
        resources.checkLeaksAndClose(origin);
    }

    @Test
    public void fiftyConcurrentConnectionsFromOneClientDoNotQueue() throws Exception {
        HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpClient proxied = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", ferry.httpPort))).build();
        String url = origin.url("/bytes?n=100");
        // Warm-up of both paths (JIT, connections), then the same load direct and through the proxy, alternating, three
        // rounds each; the median round of each is compared (the machine is shared with the load and the origin).
        load(direct, url);
        load(proxied, url);
        long[] directP99 = new long[3];
        long[] proxiedP99 = new long[3];
        for (int round = 0; round < 3; round++) {
            directP99[round] = p99(load(direct, url));
            proxiedP99[round] = p99(load(proxied, url));
        }
        long direct99 = median(directP99);
        long proxied99 = median(proxiedP99);
        System.out.printf("ConcurrentClientIT: %d connections x %d GETs, p99 per round direct %s ms, through Ferry "
                + "%s ms%n", CONNECTIONS, REQUESTS_EACH, millis(directP99), millis(proxiedP99));
        // What decides it: no request through the one client's group to the one origin waited for a connection
        // (with a browser's 6 per group, 7,938 of the 8,000 did, yet some rounds' p99 was 32 ms: the latency alone does
        // not tell).
        Map<String, String> pool = status.pool("DIRECT", "127.0.0.1:" + origin.port(), "127.0.0.1");
        assertTrue(status.json(), pool != null);
        assertEquals(pool.toString(), "0", pool.get("queued"));
        // And the latency that follows from it: the median round's p99 at most 3x the direct one, or 60 ms, whichever
        // is larger. On this 2-core machine, shared with the load generator and the origin, the direct p99 itself
        // wanders between 11 and 28 ms and the p99 through Ferry between 26 and 45 ms (a clean-clone run: rounds of
        // 33, 36 and 45 ms against 16-22 direct); queued behind a browser's 6 per group the rounds' p99 was 32-545 ms.
        assertTrue("p99 through Ferry " + proxied99 / 1e6 + " ms vs " + direct99 / 1e6 + " ms direct",
                proxied99 <= Math.max(3 * direct99, 60_000_000L));
    }

    /** {@value #CONNECTIONS} threads, each sending {@value #REQUESTS_EACH} GETs one after the other. */
    private static long[] load(HttpClient client, String url) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build();
        ExecutorService threads = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            List<Future<long[]>> each = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                each.add(threads.submit(() -> {
                    long[] nanos = new long[REQUESTS_EACH];
                    for (int i = 0; i < REQUESTS_EACH; i++) {
                        long t0 = System.nanoTime();
                        HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        nanos[i] = System.nanoTime() - t0;
                        assertEquals(200, r.statusCode());
                        assertEquals(100, r.body().length);
                    }
                    return nanos;
                }));
            }
            long[] all = new long[CONNECTIONS * REQUESTS_EACH];
            for (int c = 0; c < CONNECTIONS; c++) {
                System.arraycopy(each.get(c).get(), 0, all, c * REQUESTS_EACH, REQUESTS_EACH);
            }
            return all;
        } finally {
            threads.shutdown();
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String millis(long[] nanos) {
        StringBuilder out = new StringBuilder();
        for (long n : nanos) {
            out.append(out.length() == 0 ? "" : " / ").append(String.format("%.2f", n / 1e6));
        }
        return out.toString();
    }

    private static long p99(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length * 99 / 100];
    }
}
