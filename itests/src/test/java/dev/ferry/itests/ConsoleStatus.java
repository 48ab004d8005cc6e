package dev.ferry.itests;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Fetches a running Ferry's status from its Web Console ({@code /system/console/ferry/status.json}), logged in as
 * {@code admin} with the password Ferry generated at first start ({@code data/console-password}).
 */
final class ConsoleStatus {

    static final String STATUS_PATH = "/system/console/ferry/status.json";
    private static final long AVAILABLE_MILLIS = 30_000;

    private final FerryProcess ferry;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String authorization;
    private boolean available;

    ConsoleStatus(FerryProcess ferry) {
        this.ferry = ferry;
    }

    /** The status JSON; the first call waits (30 s at most) until the console and its Ferry page are up. */
    String json() throws Exception {
        if (!available) {
            String body = Await.until(STATUS_PATH + " on console port " + ferry.consolePort, AVAILABLE_MILLIS,
                    () -> get(STATUS_PATH));
            available = true;
            return body;
        }
        String body = get(STATUS_PATH);
        if (body == null) {
            throw new AssertionError(STATUS_PATH + " stopped answering on console port " + ferry.consolePort);
        }
        return body;
    }

    /** The body of a console page when the console answers 200, else null. */
    String get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ferry.consolePort + path))
                .header("Authorization", authorization()).timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : null;
    }

    /** POSTs a form ({@code a=b&c=d}) to a console page; the body when the console answers 200, else null. */
    String post(String path, String form) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ferry.consolePort + path))
                .header("Authorization", authorization()).header("Content-Type", "application/x-www-form-urlencoded")
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : null;
    }

    private String authorization() throws Exception {
        if (authorization == null) {
            Path passwordFile = ferry.home.resolve("data/console-password");
            String password = Await.until("the generated console password in " + passwordFile, AVAILABLE_MILLIS,
                    () -> Files.exists(passwordFile) ? Files.readString(passwordFile).trim() : null);
            authorization = "Basic " + Base64.getEncoder()
                    .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        }
        return authorization;
    }

    List<Map<String, String>> pools() throws Exception {
        return StatusJson.entries(json(), "pools");
    }

    /** The bad-proxy entry for {@code proxy} (e.g. {@code http://127.0.0.1:1234}), or null. */
    Map<String, String> badProxy(String proxy) throws Exception {
        return StatusJson.find(json(), "badProxies", "proxy", proxy);
    }

    /**
     * The pool entry for {@code destination} ({@code host:port}) through {@code proxy} ({@code DIRECT} or a URL) in
     * the pool partition of client address {@code partition}, or null.
     */
    Map<String, String> pool(String proxy, String destination, String partition) throws Exception {
        return pools().stream().filter(p -> proxy.equals(p.get("proxy")) && destination.equals(p.get("destination"))
                && partition.equals(p.get("partition"))).findFirst().orElse(null);
    }
}
