package dev.ferry.itests;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw TCP tunnel target: for each connection (each on its own thread) it reads until the client's end of stream,
 * then sends {@code responseBytes} of pattern data and closes. It counts what it received and managed to write (the
 * counts are meaningful for one connection at a time).
 */
final class RawTarget implements Closeable {

    private final ServerSocket server;
    final AtomicLong written = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    private final boolean sendBeforeEof;

    /** @param sendBeforeEof send at once instead of waiting for the client's end of stream */
    RawTarget(long responseBytes, boolean sendBeforeEof) throws IOException {
        this.sendBeforeEof = sendBeforeEof;
        server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread worker = new Thread(() -> {
                        try (s) {
                            serve(s, responseBytes);
                        } catch (IOException e) {
                            // this connection is done
                        }
                    }, "raw-target-conn");
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "raw-target");
        t.setDaemon(true);
        t.start();
    }

    private void serve(Socket s, long responseBytes) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[65536];
        if (!sendBeforeEof) {
            for (int n; (n = in.read(buf)) >= 0;) {
                received.addAndGet(n);
            }
        }
        OutputStream out = s.getOutputStream();
        for (long sent = 0; sent < responseBytes;) {
            int len = (int) Math.min(buf.length, responseBytes - sent);
            Patterns.fill(buf, sent, len);
            out.write(buf, 0, len);
            sent += len;
            written.set(sent);
        }
        out.flush();
    }

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
