package dev.ferry.itests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Loopback ports for tests: a free one to use, and waiting for one to stop accepting. */
final class Ports {

    private Ports() {
    }

    /** Ports handed out already: the kernel may offer a port again before its first taker has bound it. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /** A port nothing listens on now and that no other caller in this JVM was given. */
    static int free() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }

    /** Waits (10 s at most) until nothing accepts connections on {@code port}. */
    static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            } catch (IOException refused) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("port " + port + " still accepts connections");
    }
}
