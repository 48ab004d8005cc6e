package dev.ferry.pool.impl;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/** An origin on 127.0.0.1 that echoes every byte back, plain or over TLS; counts its connections. */
final class EchoOrigin implements Closeable {

    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();

    EchoOrigin(SSLContext tls) throws IOException {
        server = tls == null ? new ServerSocket(0, 50, InetAddress.getLoopbackAddress())
                : tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "echo-origin");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                sockets.add(s);
                Thread t = new Thread(() -> echo(s), "echo-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(Socket s) {
        byte[] buf = new byte[4096];
        try (Socket socket = s; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            for (int n; (n = in.read(buf)) > 0;) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // the peer went away
        }
    }

    /** Closes every accepted connection, leaving the listening socket open. */
    void closeConnections() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        closeConnections();
    }
}
