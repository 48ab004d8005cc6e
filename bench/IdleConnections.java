import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds COUNT idle connections open through an HTTP forward proxy, so that a script can read what they cost the
 * proxy (its RSS). Each connection, plain TCP to the proxy, is used once and then left idle: in keepalive mode one
 * proxied {@code GET http://origin/path}, whose response (head and Content-Length bytes of body) is read, so that the
 * proxy holds a kept-alive client connection and, pooled, its origin connection; in tunnel mode a CONNECT to the
 * origin and one GET through the tunnel, so that the tunnel's origin connection exists and has carried data. When all
 * are open, prints {@code ready <count>}; on a line or end of input, closes them and prints {@code closed <count>}.
 * A connection that fails is printed to stderr and exits 1, before "ready".
 *
 * <p>Arguments: mode(keepalive|tunnel) proxyHost proxyPort originHost originPort path count.
 */
public final class IdleConnections {

    private static final int TIMEOUT_MILLIS = 10_000;
    private static final int OPENING_THREADS = 8;
    /** Room for a response head, and the most of a body read at once; one per opening thread, none per socket. */
    private static final int BUFFER_BYTES = 16 * 1024;

    public static void main(String[] args) throws Exception {
        if (args.length != 7 || !(args[0].equals("keepalive") || args[0].equals("tunnel"))) {
            System.err.println("usage: java IdleConnections.java keepalive|tunnel proxyHost proxyPort originHost"
                    + " originPort path count");
            System.exit(2);
        }
        boolean tunnel = args[0].equals("tunnel");
        InetSocketAddress proxy = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        String authority = args[3] + ":" + args[4];
        String path = args[5];
        int count = Integer.parseInt(args[6]);

        Socket[] sockets = new Socket[count];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        Thread[] openers = new Thread[OPENING_THREADS];
        for (int t = 0; t < openers.length; t++) {
            openers[t] = new Thread(() -> {
                byte[] buffer = new byte[BUFFER_BYTES];
                for (int i; failure.get() == null && (i = next.getAndIncrement()) < count; ) {
                    try {
                        sockets[i] = open(proxy, tunnel, authority, path, buffer);
                    } catch (Exception e) {
                        failure.compareAndSet(null, "connection " + i + ": " + e);
                    }
                }
            }, "opener-" + t);
            openers[t].start();
        }
        for (Thread opener : openers) {
            opener.join();
        }
        if (failure.get() != null) {
            System.err.println(failure.get());
            System.exit(1);
        }

        System.out.println("ready " + count);
        System.out.flush();
        // Until a line or end of input: the script reads the proxy's memory meanwhile, then says when.
        int b;
        do {
            b = System.in.read();
        } while (b >= 0 && b != '\n');
        for (Socket socket : sockets) {
            socket.close();
        }
        System.out.println("closed " + count);
    }

    /** One connection through the proxy, used once (see the class comment) and left open with nothing unread. */
    private static Socket open(InetSocketAddress proxy, boolean tunnel, String authority, String path, byte[] buffer)
            throws IOException {
        Socket socket = new Socket();
        try {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            socket.connect(proxy, TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            String target = path;
            if (tunnel) {
                write(out, "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
                readResponse(in, buffer, false);
            } else {
                target = "http://" + authority + path;
            }
            write(out, "GET " + target + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
            readResponse(in, buffer, true);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /**
     * Reads one 200 response: its head, then exactly Content-Length bytes of body when {@code withBody} (a CONNECT's
     * 200 has none). Reads in blocks rather than byte by byte, which is safe because nothing can follow the response
     * until this client sends again: more bytes than the response is a broken proxy, and an error.
     */
    private static void readResponse(InputStream in, byte[] buffer, boolean withBody) throws IOException {
        int filled = 0;
        int headEnd = -1;
        while (headEnd < 0) {
            if (filled == buffer.length) {
                throw new IOException("response head longer than " + buffer.length + " bytes");
            }
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                throw new IOException("closed in the response head: '"
                        + new String(buffer, 0, filled, StandardCharsets.ISO_8859_1) + "'");
            }
            headEnd = indexOfBlankLine(buffer, Math.max(0, filled - 3), filled + n);
            filled += n;
        }
        String head = new String(buffer, 0, headEnd, StandardCharsets.ISO_8859_1);
        String statusLine = head.substring(0, head.indexOf("\r\n"));
        String[] status = statusLine.split(" ", 3);
        if (status.length < 2 || !status[1].equals("200")) {
            throw new IOException("answered '" + statusLine + "'");
        }
        long expected = withBody ? contentLength(head) : 0;
        long received = filled - headEnd;
        while (received < expected) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, expected - received));
            if (n < 0) {
                throw new IOException("closed after " + received + " of " + expected + " body bytes");
            }
            received += n;
        }
        if (received > expected) {
            throw new IOException((received - expected) + " bytes after the response to '" + statusLine + "'");
        }
    }

    /** The index just past the first CRLFCRLF within buffer[from, to), or -1. */
    private static int indexOfBlankLine(byte[] buffer, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    private static long contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                return Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        throw new IOException("no Content-Length in '" + head.trim() + "'");
    }
}
