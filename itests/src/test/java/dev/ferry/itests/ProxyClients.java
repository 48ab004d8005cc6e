package dev.ferry.itests;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A raw socket to the proxy, for requests that no well-behaved client would send. */
final class ProxyClients {

    private ProxyClients() {
    }

    /** Sends {@code request} as it is and returns everything the proxy answers until it closes (10 s at most). */
    static String exchange(int port, String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return readAll(s.getInputStream());
        }
    }

    /** Sends {@code CONNECT authority} on a fresh connection and returns the response head (10 s at most). */
    static String connectHead(int port, String authority) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return readHead(s.getInputStream());
        }
    }

    /** A CONNECT tunnel the proxy answered with 200: its socket and both directions (the input buffered). */
    static final class Tunnel implements java.io.Closeable {
        final Socket socket;
        final OutputStream out;
        final InputStream in;

        private Tunnel(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
            this.in = new BufferedInputStream(socket.getInputStream(), 65536);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Opens a tunnel to {@code authority} through the proxy's plain listener; fails unless it answers 200. */
    static Tunnel tunnel(int port, String authority) throws IOException {
        Tunnel tunnel = new Tunnel(new Socket(InetAddress.getLoopbackAddress(), port));
        tunnel.out.write(("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        tunnel.out.flush();
        String head = readHead(tunnel.in);
        if (!head.startsWith("HTTP/1.1 200")) {
            tunnel.close();
            throw new AssertionError("CONNECT " + authority + " answered: " + head);
        }
        return tunnel;
    }

    static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) >= 0;) {
            out.write(buf, 0, n);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads a response head (status line and headers) and returns it. */
    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        for (String line; (line = TestOrigin.readLine(in)) != null && !line.isEmpty();) {
            head.append(line).append('\n');
        }
        return head.toString();
    }
}
