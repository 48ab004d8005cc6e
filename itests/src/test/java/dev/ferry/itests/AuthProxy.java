package dev.ferry.itests;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A CONNECT-only HTTP proxy on 127.0.0.1 (blocking sockets, a thread per connection) that records every request
 * head it receives. It behaves in one of three ways:
 * <ul>
 * <li>{@link #requiring}: answers {@code 407} with {@code Proxy-Authenticate: Basic realm="itest"} and a small body
 * when {@code Proxy-Authorization} is missing or wrong, keeping the connection open (or closing it, if asked), and
 * {@code 200} plus a relay when it is {@code Basic base64(user:secret)};</li>
 * <li>{@link #open}: {@code 200} plus a relay for every CONNECT;</li>
 * <li>{@link #refusing}: the given status (e.g. 403) for every CONNECT, connection kept open.</li>
 * </ul>
 */
final class AuthProxy implements Closeable {

    /** One request head as received, and the number (from 1) of the connection it arrived on. */
    static final class Head {
        final int connection;
        final String text;

        Head(int connection, String text) {
            this.connection = connection;
            this.text = text;
        }

        String requestLine() {
            return text.substring(0, text.indexOf('\n'));
        }

        /** The value of the first header called {@code name}, or null. */
        String header(String name) {
            for (String line : text.split("\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return "connection " + connection + ":\n" + text;
        }
    }

    private static final String CHALLENGE_BODY = "proxy authentication required\n";

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "auth-proxy");
        t.setDaemon(true);
        return t;
    });
    /** The accepted {@code Proxy-Authorization} value, or null when no credentials are asked for. */
    private final String expectedAuthorization;
    private final boolean closeAfterChallenge;
    /** The status every CONNECT gets, or 0 to serve them. */
    private final int refuseStatus;
    final AtomicInteger connections = new AtomicInteger();
    final List<Head> heads = new CopyOnWriteArrayList<>();

    private AuthProxy(String expectedAuthorization, boolean closeAfterChallenge, int refuseStatus)
            throws IOException {
        this.expectedAuthorization = expectedAuthorization;
        this.closeAfterChallenge = closeAfterChallenge;
        this.refuseStatus = refuseStatus;
        server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** Asks for {@code user:secret} with a 407; closes the connection after the 407 if {@code closeAfterChallenge}. */
    static AuthProxy requiring(String user, String secret, boolean closeAfterChallenge) throws IOException {
        String token = Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return new AuthProxy("Basic " + token, closeAfterChallenge, 0);
    }

    static AuthProxy open() throws IOException {
        return new AuthProxy(null, false, 0);
    }

    static AuthProxy refusing(int status) throws IOException {
        if (status < 300 || status > 599) {
            throw new IllegalArgumentException("refusing needs an error status, not " + status);
        }
        return new AuthProxy(null, false, status);
    }

    int port() {
        return server.getLocalPort();
    }

    /** The URL form Ferry's rules use for this proxy. */
    String rule() {
        return "http://127.0.0.1:" + port();
    }

    /** The heads received for CONNECT {@code authority}, oldest first. */
    List<Head> connectsTo(String authority) {
        return heads.stream().filter(h -> h.requestLine().startsWith("CONNECT " + authority + " ")).toList();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                int number = connections.incrementAndGet();
                threads.execute(() -> serve(s, number));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int connection) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                String requestLine = TestOrigin.readLine(in);
                if (requestLine == null || requestLine.isEmpty()) {
                    return;
                }
                StringBuilder text = new StringBuilder(requestLine).append('\n');
                for (String line; (line = TestOrigin.readLine(in)) != null && !line.isEmpty();) {
                    text.append(line).append('\n');
                }
                Head head = new Head(connection, text.toString());
                heads.add(head);
                String[] parts = requestLine.split(" ");
                if (parts.length != 3 || !parts[0].equals("CONNECT")) {
                    answer(out, "405 Method Not Allowed", "", "CONNECT only\n", true);
                    return;
                }
                if (refuseStatus != 0) {
                    answer(out, refuseStatus + " Refused", "", "refused by the test proxy\n", false);
                    continue;
                }
                if (expectedAuthorization != null
                        && !expectedAuthorization.equals(head.header("Proxy-Authorization"))) {
                    answer(out, "407 Proxy Authentication Required",
                            "Proxy-Authenticate: Basic realm=\"itest\"\r\n", CHALLENGE_BODY, closeAfterChallenge);
                    if (closeAfterChallenge) {
                        return;
                    }
                    continue;
                }
                tunnel(socket, in, out, parts[1]);
                return;
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void answer(OutputStream out, String status, String extraHeaders, String body, boolean close)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        out.write(("HTTP/1.1 " + status + "\r\n" + extraHeaders + "Content-Type: text/plain\r\nContent-Length: "
                + bytes.length + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
    }

    private void tunnel(Socket client, InputStream fromClient, OutputStream toClient, String authority)
            throws IOException {
        int colon = authority.lastIndexOf(':');
        String host = authority.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(authority.substring(colon + 1));
        try (Socket target = new Socket()) {
            try {
                target.connect(new InetSocketAddress(host, port), 5000);
            } catch (IOException unreachable) {
                answer(toClient, "502 Bad Gateway", "", "cannot reach " + authority.toLowerCase(Locale.ROOT) + "\n",
                        true);
                return;
            }
            toClient.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            toClient.flush();
            var upstream = threads.submit(() -> pump(fromClient, target.getOutputStream(), target));
            pump(target.getInputStream(), toClient, client);
            try {
                // the client normally ends its side soon after ours; if not, give up on it
                upstream.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // that direction ended with an error or never ended; the connection is done either way
            }
        }
    }

    /** Copies until the end of {@code in}, then half-closes {@code outSocket}'s sending side. */
    private static Void pump(InputStream in, OutputStream out, Socket outSocket) {
        byte[] buf = new byte[16384];
        try {
            for (int n; (n = in.read(buf)) >= 0;) {
                out.write(buf, 0, n);
                out.flush();
            }
            outSocket.shutdownOutput();
        } catch (IOException e) {
            // one side went away
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
