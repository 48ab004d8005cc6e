package dev.ferry.pool.impl;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * An upstream HTTP proxy on 127.0.0.1 (plain, or TLS for an HTTPS proxy) that answers CONNECT the way its script
 * says, relays after a 200, and records every request head and connection it saw.
 */
final class ScriptedProxy implements Closeable {

    enum Script {
        /** 200, then relay to 127.0.0.1:port of the CONNECT target. */
        RELAY,
        FORBIDDEN,
        /** 407 with a Content-Length body and keep-alive; 200 and relay once Proxy-Authorization comes. */
        AUTH_DRAIN,
        /** 407 with Connection: close and a body up to the close; 200 and relay on a connection with credentials. */
        AUTH_CLOSE,
        AUTH_FOREVER,
        /** 200 and junk bytes in the same write. */
        JUNK,
        SILENT,
        CLOSE,
        /** Speaks first, plain HTTP: not what a TLS client expects. */
        BANNER
    }

    private final ServerSocket server;
    private final Script script;
    final List<String> heads = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    /** Counted down when a connection the proxy accepted is closed by the other side. */
    final CountDownLatch peerClosed = new CountDownLatch(1);
    /** Counted down at the first request head. */
    final CountDownLatch headSeen = new CountDownLatch(1);

    ScriptedProxy(Script script, SSLContext tls) throws IOException {
        this.script = script;
        server = tls == null ? new ServerSocket(0, 50, InetAddress.getLoopbackAddress())
                : tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "scripted-proxy");
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
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "scripted-proxy-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (Socket socket = s) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            if (script == Script.BANNER) {
                write(out, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
                drain(in);
                return;
            }
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    peerClosed.countDown();
                    return;
                }
                heads.add(head);
                headSeen.countDown();
                boolean authorized = head.toLowerCase().contains("\r\nproxy-authorization: basic ");
                switch (script) {
                    case RELAY:
                        relay(socket, head);
                        return;
                    case FORBIDDEN:
                        write(out, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
                        break;
                    case AUTH_DRAIN:
                        if (authorized) {
                            relay(socket, head);
                            return;
                        }
                        write(out, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\""
                                + "\r\nContent-Length: 12\r\n\r\nauth please!");
                        break;
                    case AUTH_CLOSE:
                        if (authorized) {
                            relay(socket, head);
                            return;
                        }
                        write(out, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\""
                                + "\r\nConnection: close\r\n\r\ngo away");
                        return;
                    case AUTH_FOREVER:
                        write(out, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"x\""
                                + "\r\nContent-Length: 0\r\n\r\n");
                        break;
                    case JUNK:
                        write(out, "HTTP/1.1 200 Connection established\r\n\r\nJUNK");
                        drain(in);
                        return;
                    case SILENT:
                        drain(in);
                        return;
                    default:
                        return;
                }
            }
        } catch (IOException e) {
            peerClosed.countDown();
        }
    }

    private void relay(Socket client, String head) throws IOException {
        String target = head.substring("CONNECT ".length(), head.indexOf(' ', "CONNECT ".length()));
        int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
        try (Socket origin = new Socket(InetAddress.getLoopbackAddress(), port)) {
            write(client.getOutputStream(), "HTTP/1.1 200 Connection established\r\n\r\n");
            Thread back = new Thread(() -> pump(origin, client), "scripted-proxy-relay");
            back.setDaemon(true);
            back.start();
            pump(client, origin);
        }
        peerClosed.countDown();
    }

    private static void pump(Socket from, Socket to) {
        byte[] buf = new byte[4096];
        try {
            InputStream in = from.getInputStream();
            for (int n; (n = in.read(buf)) > 0;) {
                to.getOutputStream().write(buf, 0, n);
                to.getOutputStream().flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // one side went away
        }
    }

    private void drain(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // discard until the peer closes
        }
        peerClosed.countDown();
    }

    /** The request head up to the blank line, or null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0;) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
