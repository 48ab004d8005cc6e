package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * A real browser through the HTTPS listener: headless Chromium (Debian package {@code chromium}) with
 * {@code --proxy-server=https://…} loads a page of 24 subresources (images, scripts, stylesheets) from a plain and
 * from a TLS origin on 127.0.0.1. Chromium offers ALPN {@code h2} to the proxy, so one TLS connection to Ferry
 * carries everything: an {@code http://} page is one HTTP/2 stream per request, an {@code https://} page CONNECT
 * tunnels on HTTP/2 streams. Checked: the DOM Chromium prints is the complete page (every script ran, every
 * stylesheet applied, every image loaded), the origin served every subresource, and Ferry's access log has each of
 * those exchanges with client protocol {@code h2} and one client address (a stream reports its connection's).
 * Lines for other hosts (Chromium's own background traffic, on connections of its own) are ignored. Without
 * Chromium the test fails; {@code -Dferry.chromium=<name or path>} names another executable.
 */
public class ChromiumIT {

    private static final int IMAGES = 8;
    private static final int SCRIPTS = 8;
    private static final int STYLESHEETS = 8;
    private static final long CHROMIUM_SECONDS = 60;
    /** A 1x1 PNG. */
    private static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");
    /** Padding for scripts and stylesheets, so that their bodies take several DATA frames. */
    private static final String PADDING = "/*" + "x".repeat(20_000) + "*/\n";

    private static String chromium;
    private static FerryProcess ferry;
    private static PageOrigin plain;
    private static PageOrigin tls;

    @BeforeClass
    public static void start() throws Exception {
        String name = System.getProperty("ferry.chromium", "chromium");
        chromium = findOnPath(name);
        assertNotNull("headless Chromium is needed and '" + name + "' is not on the PATH: install the Debian package "
                + "chromium (apt-get install -y chromium; .ci/run does it when it is missing)", chromium);
        ferry = FerryProcess.start("-Xmx64m", Map.of());
        plain = new PageOrigin(false);
        tls = new PageOrigin(true);
    }

    @AfterClass
    public static void stop() throws Exception {
        try {
            if (ferry != null && plain != null) {
                ferry.checkForLeaks(plain.url("/leak-check"));
            }
        } finally {
            if (ferry != null) {
                ferry.close();
            }
            if (plain != null) {
                plain.close();
            }
            if (tls != null) {
                tls.close();
            }
        }
    }

    /** An {@code http://} page: every request is a stream of the one HTTP/2 connection to the proxy. */
    @Test
    public void httpPageIsOneHttp2StreamPerRequest() throws Exception {
        Run run = browse(plain);
        String prefix = plain.base();
        // Each exchange is logged when it ends, which is before Chromium has the response's last byte.
        List<AccessLine> lines = Await.until("access log lines for all " + plain.paths().size() + " requests of "
                + prefix, 10_000, () -> {
                    List<AccessLine> found = linesFor(plain);
                    Set<String> logged = found.stream().map(l -> l.target).collect(Collectors.toSet());
                    return plain.paths().stream().allMatch(p -> logged.contains(prefix + p)) ? found : null;
                });
        report("http page", run, lines);
        for (String path : plain.paths()) {
            AccessLine line = lines.stream().filter(l -> l.target.equals(prefix + path)).findFirst().orElseThrow();
            assertEquals(line.raw, "GET", line.method);
            assertEquals(line.raw, "200", line.status);
        }
        assertAllH2OnOneConnection(lines);
    }

    /** An {@code https://} page: CONNECT tunnels, each a stream of the one HTTP/2 connection to the proxy. */
    @Test
    public void httpsPageGoesThroughTunnelsOnHttp2Streams() throws Exception {
        Run run = browse(tls);
        String authority = "127.0.0.1:" + tls.port();
        int originConnections = tls.connections();
        // A tunnel is logged when it ends: Chromium exiting closes its connection to the proxy, and with it them.
        List<AccessLine> lines = Await.until("access log lines for at least " + originConnections + " tunnels to "
                + authority, 15_000, () -> {
                    List<AccessLine> found = linesFor(tls);
                    return found.size() >= Math.max(1, originConnections) ? found : null;
                });
        // Tunnels Chromium opened and never used (preconnects) may end a moment later.
        Thread.sleep(1000);
        lines = linesFor(tls);
        report("https page (" + originConnections + " TLS connections at the origin)", run, lines);
        for (AccessLine line : lines) {
            assertEquals(line.raw, "CONNECT", line.method);
            assertEquals(line.raw, authority, line.target);
            assertEquals(line.raw, "200", line.status);
        }
        assertAllH2OnOneConnection(lines);
    }

    private static Run browse(PageOrigin origin) throws Exception {
        String marker = origin.marker();
        Path profile = Files.createTempDirectory("ferry-chromium-profile-");
        Path out = profile.resolveSibling(profile.getFileName() + ".stdout");
        Path err = profile.resolveSibling(profile.getFileName() + ".stderr");
        List<String> command = List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--ignore-certificate-errors",
                "--proxy-server=https://127.0.0.1:" + ferry.httpsPort, "--proxy-bypass-list=<-loopback>",
                "--dump-dom", origin.url("/page.html"));
        long started = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            p.getOutputStream().close();
            boolean ended = p.waitFor(CHROMIUM_SECONDS, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - started) / 1_000_000;
            String dom = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            String context = "\n--- command\n" + String.join(" ", command) + "\n--- chromium stdout\n" + dom
                    + "\n--- chromium stderr\n" + stderr + "\n--- origin requests\n" + origin.counts()
                    + "\n--- access log\n" + ferry.accessLog() + "\n--- ferry log (WARN and ERROR)\n" + problems();
            if (!ended) {
                fail("chromium did not finish within " + CHROMIUM_SECONDS + " s" + context);
            }
            assertTrue("the complete page: its last element, written by the page's own script once every script "
                    + "ran and every stylesheet applied" + context, dom.contains(marker));
            int loaded = dom.split("data-loaded=\"yes\"", -1).length - 1;
            assertEquals("images loaded" + context, IMAGES, loaded);
            for (String path : origin.paths()) {
                assertTrue("the origin served " + path + context, origin.count(path) >= 1);
            }
            return new Run(millis, dom.length(), exitOf(p));
        } finally {
            // Chromium's helpers (zygote, renderer, utility) first, then the browser process itself.
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            deleteTree(profile);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static int exitOf(Process p) {
        return p.isAlive() ? -1 : p.exitValue();
    }

    private static void assertAllH2OnOneConnection(List<AccessLine> lines) {
        String all = lines.stream().map(l -> l.raw).collect(Collectors.joining("\n"));
        for (AccessLine line : lines) {
            assertEquals("the client protocol (last field): " + line.raw + "\n--- ferry log (WARN and ERROR)\n"
                    + problems(), "h2", line.protocol);
        }
        Set<String> clients = lines.stream().map(l -> l.client).collect(Collectors.toCollection(TreeSet::new));
        assertEquals("one TLS connection to the proxy carried everything (client addresses " + clients + "):\n"
                + all, 1, clients.size());
    }

    private static void report(String what, Run run, List<AccessLine> lines) {
        Set<String> clients = lines.stream().map(l -> l.client).collect(Collectors.toCollection(TreeSet::new));
        Map<String, Long> protocols = lines.stream()
                .collect(Collectors.groupingBy(l -> l.protocol, TreeMap::new, Collectors.counting()));
        System.out.printf("ChromiumIT %s: chromium %d ms (exit %d), DOM %d chars; access log: %d lines for the "
                + "origin, protocols %s, %d distinct client address(es) %s%n", what, run.millis, run.exit, run.domChars,
                lines.size(), protocols, clients.size(), clients);
    }

    /** The access log lines whose target is {@code origin} (any other host is Chromium's background traffic). */
    private static List<AccessLine> linesFor(PageOrigin origin) {
        String authority = "127.0.0.1:" + origin.port();
        List<AccessLine> lines = new ArrayList<>();
        for (String raw : ferry.accessLog().split("\n")) {
            AccessLine line = AccessLine.parse(raw);
            if (line != null && (line.target.equals(authority) || line.target.startsWith(origin.base() + "/"))) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static String problems() {
        return ferry.log().lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                .collect(Collectors.joining("\n"));
    }

    /** {@code name} if it is an executable path, else the first executable of that name on the PATH, or null. */
    private static String findOnPath(String name) {
        if (name.contains(File.separator)) {
            return Files.isExecutable(Path.of(name)) ? name : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private static final class Run {
        final long millis;
        final int domChars;
        final int exit;

        Run(long millis, int domChars, int exit) {
            this.millis = millis;
            this.domChars = domChars;
            this.exit = exit;
        }
    }

    /**
     * One line of {@code access.log}: {@code time client method target status bytes-in bytes-out Nms upstream user
     * protocol}.
     */
    private static final class AccessLine {
        final String raw;
        final String client;
        final String method;
        final String target;
        final String status;
        final String protocol;

        private AccessLine(String raw, String[] f) {
            this.raw = raw;
            client = f[1];
            method = f[2];
            target = f[3];
            status = f[4];
            protocol = f.length >= 11 ? f[10] : "(none)";
        }

        static AccessLine parse(String raw) {
            String[] f = raw.trim().split(" ");
            return f.length >= 10 ? new AccessLine(raw, f) : null;
        }
    }

    /**
     * An origin (plain or TLS) on 127.0.0.1 serving {@code /page.html}, whose images, scripts and stylesheets it
     * serves as well, and counting every request by path; anything else is 404.
     */
    private static final class PageOrigin implements AutoCloseable {

        private final HttpServer server;
        private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "chromium-origin");
            t.setDaemon(true);
            return t;
        });
        private final boolean secure;
        private final String marker = "FERRY-COMPLETE-" + System.nanoTime();
        private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
        private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();

        PageOrigin(boolean secure) throws Exception {
            this.secure = secure;
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            if (secure) {
                HttpsServer https = HttpsServer.create(address, 128);
                https.setHttpsConfigurator(new HttpsConfigurator(TlsOrigin.context()));
                server = https;
            } else {
                server = HttpServer.create(address, 128);
            }
            server.setExecutor(threads);
            server.createContext("/", this::serve);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        String base() {
            return (secure ? "https" : "http") + "://127.0.0.1:" + port();
        }

        String url(String path) {
            return base() + path;
        }

        /** What only the complete page's DOM has (the page's source spells it in two halves). */
        String marker() {
            return marker;
        }

        /** The page and every subresource it names. */
        List<String> paths() {
            List<String> paths = new ArrayList<>();
            paths.add("/page.html");
            for (int i = 0; i < IMAGES; i++) {
                paths.add("/img/" + i + ".png");
            }
            for (int i = 0; i < SCRIPTS; i++) {
                paths.add("/js/" + i + ".js");
            }
            for (int i = 0; i < STYLESHEETS; i++) {
                paths.add("/css/" + i + ".css");
            }
            return paths;
        }

        int count(String path) {
            AtomicInteger n = requests.get(path);
            return n == null ? 0 : n.get();
        }

        String counts() {
            return new TreeMap<>(requests).toString();
        }

        /** How many connections brought at least one request. */
        int connections() {
            return clientPorts.size();
        }

        private void serve(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            clientPorts.add(exchange.getRemoteAddress().getPort());
            byte[] body;
            String type;
            if (path.equals("/page.html")) {
                body = page().getBytes(StandardCharsets.UTF_8);
                type = "text/html; charset=utf-8";
            } else if (path.matches("/img/\\d+\\.png")) {
                body = PNG;
                type = "image/png";
            } else if (path.matches("/js/\\d+\\.js")) {
                body = (PADDING + "window.ferryScripts = (window.ferryScripts || 0) + 1;\n")
                        .getBytes(StandardCharsets.UTF_8);
                type = "text/javascript";
            } else if (path.matches("/css/\\d+\\.css")) {
                int n = Integer.parseInt(path.replaceAll("\\D", ""));
                body = (PADDING + ".probe-" + n + " { z-index: " + (n + 1) + "; position: relative; }\n")
                        .getBytes(StandardCharsets.UTF_8);
                type = "text/css";
            } else {
                body = "not found\n".getBytes(StandardCharsets.UTF_8);
                type = "text/plain";
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(type.equals("text/plain") ? 404 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }

        private String page() {
            StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html><head><title>ferry</title>\n");
            for (int i = 0; i < STYLESHEETS; i++) {
                html.append("<link rel=\"stylesheet\" href=\"/css/").append(i).append(".css\">\n");
            }
            html.append("</head><body>\n");
            for (int i = 0; i < IMAGES; i++) {
                html.append("<img src=\"/img/").append(i)
                        .append(".png\" onload=\"this.setAttribute('data-loaded', 'yes')\">\n");
            }
            for (int i = 0; i < STYLESHEETS; i++) {
                html.append("<span class=\"probe-").append(i).append("\"></span>\n");
            }
            for (int i = 0; i < SCRIPTS; i++) {
                html.append("<script src=\"/js/").append(i).append(".js\"></script>\n");
            }
            int half = marker.length() / 2;
            // A parser-blocking script runs after the stylesheets before it have loaded, and after the scripts.
            html.append("<script>\n")
                    .append("var styled = 0;\n")
                    .append("for (var i = 0; i < ").append(STYLESHEETS).append("; i++) {\n")
                    .append("  var z = getComputedStyle(document.querySelector('.probe-' + i)).zIndex;\n")
                    .append("  if (z === String(i + 1)) styled++;\n")
                    .append("}\n")
                    .append("if (window.ferryScripts === ").append(SCRIPTS).append(" && styled === ")
                    .append(STYLESHEETS).append(") {\n")
                    .append("  var p = document.createElement('p');\n")
                    .append("  p.id = 'complete';\n")
                    .append("  p.textContent = '").append(marker, 0, half).append("' + '")
                    .append(marker.substring(half)).append("';\n")
                    .append("  document.body.appendChild(p);\n")
                    .append("} else {\n")
                    .append("  document.body.appendChild(document.createTextNode('INCOMPLETE scripts='")
                    .append(" + window.ferryScripts + ' styled=' + styled));\n")
                    .append("}\n")
                    .append("</script>\n</body></html>\n");
            return html.toString();
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
