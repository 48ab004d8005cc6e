package dev.ferry.itests;

import dev.ferry.spdy.client.Tunnel;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A local port whose one connection is joined to a tunnel through the proxy — a SPDY tunnel stream, or any pair of
 * streams such as an HTTP/1.1 CONNECT socket — so that any client (curl, a TLS library, the SPDY client itself) can
 * run its own protocol end to end through the proxy's tunnel.
 */
final class TunnelBridge implements Closeable {

    private final ServerSocket server;

    /** Joins the local connection to a SPDY tunnel stream; the local end of stream becomes the stream's FIN. */
    TunnelBridge(Tunnel tunnel) throws IOException {
        this(tunnel.input(), tunnel.output(), () -> tunnel.output().close());
    }

    /**
     * Joins the local connection to {@code fromTunnel}/{@code toTunnel}; when the local client ends its stream,
     * {@code endOfLocalStream} runs (e.g. a half-close towards the proxy).
     */
    TunnelBridge(InputStream fromTunnel, OutputStream toTunnel, Finish endOfLocalStream) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            try {
                Socket s = server.accept();
                Thread up = pump(s.getInputStream(), toTunnel, endOfLocalStream);
                pump(fromTunnel, s.getOutputStream(), s::shutdownOutput).join();
                up.join();
                s.close();
            } catch (IOException | InterruptedException e) {
                // the test sees the failure at its own end
            }
        }, "tunnel-bridge");
        accept.setDaemon(true);
        accept.start();
    }

    private static Thread pump(InputStream in, OutputStream out, Finish finish) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try {
                for (int n; (n = in.read(buf)) >= 0;) {
                    out.write(buf, 0, n);
                    out.flush();
                }
                finish.run();
            } catch (IOException e) {
                // one side went away
            }
        }, "tunnel-pump");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** What to do when one direction's input has ended. */
    @FunctionalInterface
    interface Finish {
        void run() throws IOException;
    }

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
