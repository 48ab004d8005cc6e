package dev.ferry.itests;

import static org.junit.Assert.assertEquals;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * 1 GiB each way through a proxy whose heap is capped at 64 MiB (which also caps its direct memory): bodies stream,
 * they are never held whole. Driven by the JDK's HttpClient; bytes checked by SHA-256 at the far end.
 */
public class LargeTransferIT {

    private static final long GIB = 1L << 30;
    private static FerryProcess ferry;
    private static TestOrigin origin;
    private static HttpClient client;

    @BeforeClass
    public static void start() throws Exception {
        ferry = FerryProcess.start("-Xmx64m", Map.of());
        origin = new TestOrigin(null);
        client = HttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", ferry.httpPort)))
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    @AfterClass
    public static void stop() throws Exception {
        if (ferry != null) {
            ferry.collectGarbage();
            client.send(HttpRequest.newBuilder(URI.create(origin.url("/bytes?n=1000"))).build(),
                    HttpResponse.BodyHandlers.discarding());
            ferry.assertNoLeaks();
            ferry.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    public void oneGibDownload() throws Exception {
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(
                URI.create(origin.url("/bytes?n=" + GIB))).timeout(Duration.ofMinutes(5)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        String[] digest;
        try (InputStream body = response.body()) {
            digest = Patterns.digest(body);
        }
        assertEquals(Long.toString(GIB), digest[1]);
        assertEquals(Patterns.sha256(GIB), digest[0]);
    }

    @Test
    public void oneGibUpload() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(origin.url("/sha256")))
                .timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> Patterns.stream(GIB)), GIB))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(response.body(), 200, response.statusCode());
        assertEquals(Patterns.sha256(GIB) + " " + GIB, response.body());
    }
}
