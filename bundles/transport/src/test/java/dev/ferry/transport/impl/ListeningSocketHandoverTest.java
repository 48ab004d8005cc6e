package dev.ferry.transport.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.spi.ListeningSocket;
import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

/**
 * A listening socket outlives the listener that had it: released, it holds what it accepts for the next listener on
 * the same address, which takes it over with those connections; with no successor it closes.
 */
public class ListeningSocketHandoverTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private final NettyTransport transport = new NettyTransport(Converters.standardConverter().convert(
            new HashMap<>(Map.of("eventLoopThreads", 1, "nativeTransport", false, "resolverThreads", 1,
                    "drainTimeoutSeconds", 0))).to(NettyTransport.Config.class));

    @After
    public void stop() {
        transport.deactivate();
    }


    private static String ask(Socket client) throws IOException {
        client.setSoTimeout(5000);
        client.getOutputStream().write('?');
        byte[] answer = new byte[5];
        InputStream in = client.getInputStream();
        int n = in.readNBytes(answer, 0, answer.length);
        return new String(answer, 0, n, StandardCharsets.US_ASCII);
    }

    @Test
    public void aReleasedSocketHoldsNewConnectionsForTheListenerThatTakesItOver() throws Exception {
        ListeningSocket first = transport.listen(new InetSocketAddress("127.0.0.1", 0), Answering.with("old..")).sync()
                .getNow();
        InetSocketAddress address = first.localAddress();
        try (Socket before = new Socket(address.getAddress(), address.getPort())) {
            assertEquals("old..", ask(before));
            first.release(10_000);
            // Accepted while no listener has the socket: held, unread, not refused.
            try (Socket during = new Socket(address.getAddress(), address.getPort())) {
                during.setSoTimeout(5000);
                during.getOutputStream().write('?');
                ListeningSocket second = transport.listen(address, Answering.with("new..")).sync().getNow();
                assertEquals("the same socket, taken over", address, second.localAddress());
                byte[] answer = during.getInputStream().readNBytes(5);
                assertEquals("the held connection is served by the new listener", "new..",
                        new String(answer, StandardCharsets.US_ASCII));
                try (Socket after = new Socket(address.getAddress(), address.getPort())) {
                    assertEquals("new..", ask(after));
                }
                // The connection the old listener accepted is still its own.
                assertEquals("old..", ask(before));
                second.close();
            }
        }
    }

    @Test
    public void withNoSuccessorTheSocketClosesAfterTheHandoverTime() throws Exception {
        ListeningSocket socket = transport.listen(new InetSocketAddress("127.0.0.1", 0), Answering.with("old..")).sync()
                .getNow();
        InetSocketAddress address = socket.localAddress();
        socket.release(300);
        Socket held = new Socket(address.getAddress(), address.getPort());
        held.setSoTimeout(5000);
        assertEquals("a held connection is closed with the socket", -1, held.getInputStream().read());
        held.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean refused = false;
        while (!refused && System.nanoTime() < deadline) {
            try (Socket s = new Socket(address.getAddress(), address.getPort())) {
                Thread.sleep(50);
            } catch (IOException e) {
                refused = true;
            }
        }
        assertTrue("the socket closed", refused);
    }

    @Test
    public void aNewListenerOnAnotherAddressGetsItsOwnSocket() throws Exception {
        ListeningSocket first = transport.listen(new InetSocketAddress("127.0.0.1", 0), Answering.with("one..")).sync()
                .getNow();
        first.release(10_000);
        // Port 0 never takes a released socket over: it asks for a new one.
        ListeningSocket second = transport.listen(new InetSocketAddress("127.0.0.1", 0), Answering.with("two..")).sync()
                .getNow();
        assertNotEquals(first.localAddress(), second.localAddress());
        InetSocketAddress address = second.localAddress();
        try (Socket client = new Socket(address.getAddress(), address.getPort())) {
            assertEquals("two..", ask(client));
        }
        first.close();
        second.close();
    }
}
