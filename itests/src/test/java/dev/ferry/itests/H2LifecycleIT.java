package dev.ferry.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.itests.H2Peer.Answer;
import dev.ferry.itests.H2Peer.Request;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * How HTTP/2 connections end when things change around them, with Netty's HTTP/2 client as the peer: the h2 bundle
 * stopped and started from the Web Console, and the listener removed, while a response is in flight on a stream
 * whose reader holds it back (so it is surely in flight when the change comes). The connection gets GOAWAY NO_ERROR
 * naming that stream, the stream finishes intact, and new connections negotiate what remains.
 */
public class H2LifecycleIT {

    private static final int SIZE = 4_000_000;
    private static TestOrigin origin;

    @BeforeClass
    public static void start() throws Exception {
        origin = new TestOrigin(null);
    }

    @AfterClass
    public static void stop() throws Exception {
        origin.close();
    }

    @Test
    public void stoppingTheH2BundleSendsGoAwayAndNewConnectionsNegotiateSpdy() throws Exception {
        try (FerryProcess ferry = FerryProcess.start("", Map.of())) {
            ferry.awaitPort(ferry.consolePort);
            ConsoleBundles bundles = new ConsoleBundles(new ConsoleStatus(ferry));
            assertEquals("h2", alpn(ferry));
            try (H2Peer peer = new H2Peer(ferry.httpsPort)) {
                Request inFlight = heldBack(peer);
                bundles.act(bundles.bundleId("dev.ferry.h2"), "stop");
                assertGoAwayThenComplete(peer, inFlight);
            }
            assertEquals("spdy/3.1", alpn(ferry));

            bundles.act(bundles.bundleId("dev.ferry.h2"), "start");
            String again = Await.until("h2 offered again", 15_000, () -> "h2".equals(alpn(ferry)) ? "h2" : null);
            assertEquals("h2", again);
            try (H2Peer peer = new H2Peer(ferry.httpsPort)) {
                Answer answer = peer.get(origin.url("/bytes?n=100000")).answer.get(30, TimeUnit.SECONDS);
                assertEquals(Patterns.sha256(100_000), answer.sha256);
                assertTrue(peer.errorsReceived().toString(), peer.errorsReceived().isEmpty());
            }
            ferry.checkForLeaks(origin.url("/bytes?n=100000"));
        }
    }

    @Test
    public void removingTheListenerSendsGoAwayAndLetsTheStreamInFlightFinish() throws Exception {
        try (FerryProcess ferry = FerryProcess.start("", Map.of());
             H2Peer peer = new H2Peer(ferry.httpsPort)) {
            Request inFlight = heldBack(peer);
            Files.delete(ferry.home.resolve("config/dev.ferry.listener-https.cfg"));
            assertGoAwayThenComplete(peer, inFlight);
            Ports.awaitRefused(ferry.httpsPort);
            ferry.checkForLeaks(origin.url("/bytes?n=100000"));
        }
    }

    /** A GET whose reader takes nothing until told: its response waits in the proxy, bounded by the windows. */
    private static Request heldBack(H2Peer peer) throws Exception {
        Request request = peer.send("GET", origin.url("/bytes?n=" + SIZE), null, false, false);
        int id = request.streamId.get(10, TimeUnit.SECONDS);
        Await.until("the first DATA of the held-back stream", 10_000,
                () -> peer.dataBytesReceived(id) > 0 ? Boolean.TRUE : null);
        return request;
    }

    private static void assertGoAwayThenComplete(H2Peer peer, Request inFlight) throws Exception {
        int id = inFlight.streamId.get(10, TimeUnit.SECONDS);
        List<String> received = Await.until("GOAWAY from the proxy", 15_000,
                () -> peer.errorsReceived().isEmpty() ? null : peer.errorsReceived());
        assertEquals("GOAWAY naming the stream in flight, no error", List.of("GOAWAY last stream " + id + " NO_ERROR "),
                received);
        assertFalse("still in flight when GOAWAY came", inFlight.answer.isDone());
        inFlight.channel.config().setAutoRead(true);
        Answer answer = inFlight.answer.get(60, TimeUnit.SECONDS);
        assertEquals(200, answer.status);
        assertEquals(SIZE, answer.length);
        assertEquals(Patterns.sha256(SIZE), answer.sha256);
        Await.until("the proxy closes the connection once its streams are done", 15_000,
                () -> peer.channel.isActive() ? null : Boolean.TRUE);
        assertTrue("no RST_STREAM either way: " + peer.errorsSent(), peer.errorsSent().isEmpty());
    }

    /** The protocol the HTTPS listener picks for a client offering h2, spdy/3.1 and http/1.1, as openssl sees it. */
    private static String alpn(FerryProcess ferry) throws Exception {
        return SpdyLifecycleIT.alpn(ferry, "h2,spdy/3.1,http/1.1");
    }
}
