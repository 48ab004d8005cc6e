package dev.ferry.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
