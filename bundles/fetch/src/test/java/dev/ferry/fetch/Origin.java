package dev.ferry.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A JDK HttpServer (or HttpsServer) on 127.0.0.1 that records each request it gets. By default it answers 200 with
 * "hello from {path}"; {@link #handle} replaces that.
 */
final class Origin implements AutoCloseable {

    /** What the origin received. */
    static final class Received {
        final String method;
        final String uri;
        final Map<String, List<String>> headers;
        final String body;

        Received(HttpExchange exchange, String body) {
            this.method = exchange.getRequestMethod();
            this.uri = exchange.getRequestURI().toString();
            this.headers = Map.copyOf(exchange.getRequestHeaders());
            this.body = body;
        }

        /** The first value of a header (names as the JDK server normalises them: "Content-length"). */
        String header(String name) {
            List<String> values = headers.get(name);
            return values == null ? null : values.get(0);
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private volatile HttpHandler handler = exchange -> respond(exchange, 200,
            "hello from " + exchange.getRequestURI());

    Origin() throws IOException {
        this(null);
    }

    /** @param tls the server's TLS context for an https origin, or null for http */
    Origin(SSLContext tls) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            server = HttpServer.create(address, 50);
        } else {
            HttpsServer https = HttpsServer.create(address, 50);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange, body));
            handler.handle(exchange);
        });
        server.setExecutor(threads);
        server.start();
    }

    Origin handle(HttpHandler h) {
        this.handler = h;
        return this;
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The next request received, waiting up to 10 s. */
    Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the origin received no request");
        }
        return r;
    }

    static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A port nothing listens on (bound, then closed again). */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
