package dev.ferry.itests;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A small blocking HTTP/1.1 origin on 127.0.0.1 (plain or TLS), independent of Netty and of Ferry, with keep-alive:
 * <ul>
 * <li>{@code /echo}: the request line and headers as seen by the origin, as the body</li>
 * <li>{@code /bytes?n=N[&chunked]}: N bytes of {@link Patterns} data</li>
 * <li>{@code /sha256}: reads the request body (Content-Length or chunked), answers its SHA-256 hex and length</li>
 * <li>{@code /truncated}: promises 1000 bytes, sends 10, closes</li>
 * <li>{@code /truncated-chunked}: one chunk, then closes without the last chunk</li>
 * <li>{@code /malformed}: a status line that is not HTTP, then closes</li>
 * <li>{@code /bad-chunk}: a chunked body whose second chunk size is not hex, and the connection stays open</li>
 * <li>absolute-form requests for {@code .../needs-proxy-auth}: {@code 407} with {@code Proxy-Authenticate}, as an
 * upstream proxy that wants credentials answers</li>
 * <li>{@code /slow?ms=N}: like {@code /echo}, after holding the response back for N milliseconds</li>
 * <li>{@code /drop-next}: answers like {@code /echo}, keeps the connection, but closes it without an answer when
 * the next request arrives on it (a keep-alive connection the origin gave up on)</li>
 * </ul>
 */
final class TestOrigin implements Closeable {

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-origin");
        t.setDaemon(true);
        return t;
    });
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();

    TestOrigin(SSLContext tls) throws IOException {
        server = tls == null ? new ServerSocket(0, 128, InetAddress.getLoopbackAddress())
                : tls.getServerSocketFactory().createServerSocket(0, 128, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 65536);
            boolean dropNext = false;
            while (true) {
                String requestLine = readLine(in);
                if (requestLine == null || requestLine.isEmpty() || dropNext) {
                    return;
                }
                requests.incrementAndGet();
                Map<String, String> headers = new LinkedHashMap<>();
                StringBuilder raw = new StringBuilder(requestLine).append('\n');
                for (String line; !(line = readLine(in)).isEmpty();) {
                    raw.append(line).append('\n');
                    int colon = line.indexOf(':');
                    headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
                }
                String[] parts = requestLine.split(" ");
                String method = parts[0];
                String target = parts[1];
                String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
                String query = target.contains("?") ? target.substring(target.indexOf('?') + 1) : "";
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                long bodyLength = readBody(in, headers, sha);
                boolean close = "close".equalsIgnoreCase(headers.get("connection"));
                if (target.startsWith("http://") && path.endsWith("/needs-proxy-auth")) {
                    out.write(("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"up\""
                            + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    continue;
                }
                switch (path) {
                    case "/bad-chunk":
                        out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n"
                                + "zz\r\nnot a chunk\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        Thread.sleep(3000);
                        return;
                    case "/drop-next":
                        dropNext = true;
                        respond(out, method, 200, raw.toString().getBytes(StandardCharsets.UTF_8), close);
                        break;
                    case "/slow":
                        Thread.sleep(Long.parseLong(query.replaceFirst(".*\\bms=(\\d+).*", "$1")));
                        respond(out, method, 200, raw.toString().getBytes(StandardCharsets.UTF_8), close);
                        break;
                    case "/echo":
                        respond(out, method, 200, raw.toString().getBytes(StandardCharsets.UTF_8), close);
                        break;
                    case "/sha256":
                        respond(out, method, 200, (HexFormat.of().formatHex(sha.digest()) + " " + bodyLength)
                                .getBytes(StandardCharsets.US_ASCII), close);
                        break;
                    case "/bytes":
                        sendBytes(out, method, query, close);
                        break;
                    case "/truncated":
                        out.write(("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        return;
                    case "/malformed":
                        out.write("HTTP/1.1 OK-ISH\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        return;
                    case "/truncated-chunked":
                        out.write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        return;
                    default:
                        respond(out, method, 404, "not found\n".getBytes(StandardCharsets.US_ASCII), close);
                }
                out.flush();
                if (close) {
                    return;
                }
            }
        } catch (Exception e) {
            // the client went away; nothing to serve
        }
    }

    private static long readBody(InputStream in, Map<String, String> headers, MessageDigest sha) throws IOException {
        byte[] buf = new byte[65536];
        long total = 0;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            while (true) {
                String sizeLine = readLine(in);
                int semi = sizeLine.indexOf(';');
                long size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailers
                    }
                    return total;
                }
                total += copy(in, size, buf, sha);
                readLine(in);
            }
        }
        String length = headers.get("content-length");
        return length == null ? 0 : copy(in, Long.parseLong(length), buf, sha);
    }

    private static long copy(InputStream in, long size, byte[] buf, MessageDigest sha) throws IOException {
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("body ended early");
            }
            sha.update(buf, 0, n);
            left -= n;
        }
        return size;
    }

    private static void sendBytes(OutputStream out, String method, String query, boolean close) throws IOException {
        long n = 0;
        boolean chunked = false;
        for (String param : query.split("&")) {
            if (param.startsWith("n=")) {
                n = Long.parseLong(param.substring(2));
            } else if (param.equals("chunked")) {
                chunked = true;
            }
        }
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                + (chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + n + "\r\n")
                + (close ? "Connection: close\r\n" : "") + "\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        if (method.equals("HEAD")) {
            return;
        }
        byte[] buf = new byte[65536];
        long sent = 0;
        while (sent < n) {
            int len = (int) Math.min(buf.length, n - sent);
            Patterns.fill(buf, sent, len);
            if (chunked) {
                out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            out.write(buf, 0, len);
            if (chunked) {
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            sent += len;
        }
        if (chunked) {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void respond(OutputStream out, String method, int status, byte[] body, boolean close)
            throws IOException {
        out.write(("HTTP/1.1 " + status + (status == 200 ? " OK" : " Not Found") + "\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + body.length + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        if (!method.equals("HEAD")) {
            out.write(body);
        }
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0;) {
            if (c == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(c);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }
}
