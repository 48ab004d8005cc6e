package dev.ferry.transport.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assume.assumeTrue;

import dev.ferry.api.spi.ListeningSocket;
import dev.ferry.testing.LeakCheck;
import io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

/**
 * A transport bundle update: the listening socket itself moves from the old transport to the new one, with the
 * connections waiting in its accept queue, which the new one accepts and serves; the old transport keeps serving the
 * connections it accepted before. Between transports of different kinds the socket cannot move: a new one is bound
 * next to it and the old one keeps accepting until the caller closes it.
 */
public class ListeningSocketMoveTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private final List<NettyTransport> transports = new ArrayList<>();

    private NettyTransport transport(boolean nativeTransport) {
        NettyTransport transport = new NettyTransport(Converters.standardConverter().convert(
                new HashMap<>(Map.of("eventLoopThreads", 1, "nativeTransport", nativeTransport, "resolverThreads", 1,
                        "drainTimeoutSeconds", 0))).to(NettyTransport.Config.class));
        transports.add(transport);
        return transport;
    }

    @After
    public void stop() {
        transports.forEach(NettyTransport::deactivate);
    }


    private static Socket asking(InetSocketAddress address) throws IOException {
        Socket client = new Socket(address.getAddress(), address.getPort());
        client.setSoTimeout(5000);
        client.getOutputStream().write('?');
        return client;
    }

    private static String answer(Socket client) throws IOException {
        return new String(client.getInputStream().readNBytes(5), StandardCharsets.US_ASCII);
    }

    private static String ask(InetSocketAddress address) throws IOException {
        try (Socket client = asking(address)) {
            return answer(client);
        }
    }

    @Test
    public void theSocketMovesWithTheConnectionsInItsAcceptQueue() throws Exception {
        movesWithItsAcceptQueue(false);
    }

    @Test
    public void anEpollSocketMovesWithTheConnectionsInItsAcceptQueue() throws Exception {
        assumeTrue("epoll unavailable here", Epoll.isAvailable());
        movesWithItsAcceptQueue(true);
    }

    private void movesWithItsAcceptQueue(boolean nativeTransport) throws Exception {
        NettyTransport old = transport(nativeTransport);
        ListeningSocket first = old.listen(new InetSocketAddress("127.0.0.1", 0), Answering.with("old..")).sync()
                .getNow();
        InetSocketAddress address = first.localAddress();
        try (Socket before = asking(address)) {
            assertEquals("old..", answer(before));
            // The old transport's only event loop is busy: what connects now waits in the socket's accept queue.
            CountDownLatch busy = new CountDownLatch(1);
            old.eventLoops().execute(() -> {
                busy.countDown();
                sleep(800);
            });
            busy.await();
            List<Socket> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    queued.add(asking(address));
                }
                NettyTransport next = transport(nativeTransport);
                ListeningSocket moved = next.listen(address, Answering.with("new.."), first).sync().getNow();
                assertEquals(address, moved.localAddress());
                for (Socket client : queued) {
                    assertEquals("every queued connection is accepted, by the new transport", "new..",
                            answer(client));
                }
            } finally {
                for (Socket client : queued) {
                    client.close();
                }
            }
            first.close();
            assertEquals("closing the old handle leaves the moved socket alone", "new..", ask(address));
            // The connection accepted before the move is still the old transport's.
            before.getOutputStream().write('?');
            assertEquals("old..", answer(before));
        }
    }

    @Test
    public void betweenTransportsOfDifferentKindsANewSocketIsBoundNextToIt() throws Exception {
        assumeTrue("epoll unavailable here", Epoll.isAvailable());
        NettyTransport old = transport(true);
        ListeningSocket first = old.listen(new InetSocketAddress("127.0.0.1", 0), Answering.with("old..")).sync()
                .getNow();
        InetSocketAddress address = first.localAddress();
        NettyTransport next = transport(false);
        ListeningSocket second = next.listen(address, Answering.with("new.."), first).sync().getNow();
        assertEquals(address, second.localAddress());
        // Both accept now (SO_REUSEPORT): the old one went back to its own loop, as it was.
        for (int i = 0; i < 10; i++) {
            String served = ask(address);
            assertEquals(true, served.equals("old..") || served.equals("new.."));
        }
        first.close();
        for (int i = 0; i < 10; i++) {
            assertEquals("new..", ask(address));
        }
        second.close();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
