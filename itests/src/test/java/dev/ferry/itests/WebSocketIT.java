package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import org.junit.Test;

/**
 * A WebSocket through Ferry, with Netty's WebSocket client and an echo origin on Netty's WebSocket server: as an
 * HTTP/1.1 Upgrade on an absolute-form GET (the proxy passes the Upgrade on, relays the 101 and then the frames), and
 * inside a CONNECT tunnel, the way browsers carry {@code ws://} and {@code wss://} through a proxy, and on an HTTP/2
 * stream opened with an extended CONNECT (RFC 8441), which the proxy forwards as an HTTP/1.1 Upgrade. Messages of every
 * size up to 256 KiB go both ways and come back whole.
 */
public class WebSocketIT {

    private static final int MESSAGES = 100;

    @Test
    public void messagesBothWaysThroughAnUpgradeAndThroughAConnect() throws Exception {
        try (Resources resources = new Resources()) {
            TestOrigin origin = resources.add(new TestOrigin(null));
            WebSocketPeers peers = resources.add(new WebSocketPeers());
            FerryProcess ferry = resources.add(FerryProcess.start("", Map.of()));

            for (boolean connect : new boolean[] {false, true}) {
                try (WebSocketPeers.Client client = peers.connect(ferry.httpPort, connect)) {
                    for (int i = 0; i < MESSAGES; i++) {
                        String text = message(i);
                        client.send(text);
                        assertEquals((connect ? "CONNECT" : "Upgrade") + " message " + i, text, client.next());
                    }
                }
            }
            try (H2Peer peer = new H2Peer(ferry.httpsPort);
                    WebSocketPeers.Client client = peers.overHttp2(peer)) {
                for (int i = 0; i < MESSAGES; i++) {
                    String text = message(i);
                    client.send(text);
                    assertEquals("HTTP/2 extended CONNECT message " + i, text, client.next());
                }
                assertTrue("the proxy reset or ended a stream: " + peer.errorsReceived(),
                        peer.errorsReceived().isEmpty());
            }
            String upgrade = "GET ws://127.0.0.1:" + peers.originPort() + "/ws 101 ";
            String overH2 = "GET http://127.0.0.1:" + peers.originPort() + "/ws 101 ";
            String tunnel = "CONNECT 127.0.0.1:" + peers.originPort() + " 200 ";
            ferry.awaitAccessLine(upgrade);
            ferry.awaitAccessLine(tunnel);
            ferry.awaitAccessLine(overH2);
            assertTrue(ferry.accessLog(), ferry.accessLog().contains(upgrade));
            resources.checkLeaksAndClose(origin);
        }
    }

    /** Message {@code i}: {@code i * 2621} characters (0 to about 256 KiB), each message its own text. */
    private static String message(int i) {
        StringBuilder text = new StringBuilder("message " + i + ":");
        while (text.length() < i * 2621) {
            text.append((char) ('a' + text.length() % 26));
        }
        return text.toString();
    }
}
