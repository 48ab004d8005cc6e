package dev.ferry.itests;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A CONNECT target on 127.0.0.1 that checks both directions of a tunnel. Per connection (each on its own thread): it
 * reads two 8-byte lengths, {@code upload} and {@code download}, then {@code upload} bytes, answers the SHA-256 hex
 * (64 ASCII characters) of what it received, then sends {@code download} bytes of {@link Patterns} data and closes.
 * The client compares the hex with the digest of what it sent, and the download with the pattern.
 */
final class DigestEchoTarget implements Closeable {

    private static final long MAX_BYTES = 64L << 20;
    private final ServerSocket server;

    DigestEchoTarget() throws IOException {
        server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "digest-echo-target");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread worker = new Thread(() -> serve(s), "digest-echo-target-conn");
                worker.setDaemon(true);
                worker.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(30_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            long upload = in.readLong();
            long download = in.readLong();
            if (upload < 0 || upload > MAX_BYTES || download < 0 || download > MAX_BYTES) {
                return;
            }
            MessageDigest sha = Patterns.sha();
            byte[] buf = new byte[65536];
            for (long left = upload; left > 0;) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    return;
                }
                sha.update(buf, 0, n);
                left -= n;
            }
            OutputStream out = socket.getOutputStream();
            out.write(HexFormat.of().formatHex(sha.digest()).getBytes(StandardCharsets.US_ASCII));
            for (long sent = 0; sent < download;) {
                int len = (int) Math.min(buf.length, download - sent);
                Patterns.fill(buf, sent, len);
                out.write(buf, 0, len);
                sent += len;
            }
            out.flush();
        } catch (IOException e) {
            // the tunnel broke: the client sees it at its end
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
