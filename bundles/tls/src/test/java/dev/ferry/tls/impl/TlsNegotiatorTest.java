package dev.ferry.tls.impl;

import static dev.ferry.tls.impl.TlsPeers.HTTP;
import static dev.ferry.tls.impl.TlsPeers.SPDY_AND_HTTP;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import dev.ferry.tls.impl.TlsPeers.Connection;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * Whole handshakes between real clients and the negotiator's pipeline: which engine each kind of client reaches,
 * on which TLS version, and which protocol the listener is told.
 */
public class TlsNegotiatorTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static TlsNegotiator boringSsl;
    private static TlsNegotiator jdk;
    private static TlsNegotiator bc;
    private static TlsNegotiator noNpn;

    @BeforeClass
    public static void negotiators() throws Exception {
        assertTrue("netty-tcnative must load in the tests: " + OpenSsl.unavailabilityCause(), OpenSsl.isAvailable());
        boringSsl = TlsPeers.negotiator(Map.of());
        jdk = TlsPeers.negotiator(Map.of("alpnProvider", "JDK"));
        bc = TlsPeers.negotiator(Map.of("alpnProvider", "BCJSSE"));
        noNpn = TlsPeers.negotiator(Map.of("npn", false, "alpnProvider", "JDK"));
    }

    @Test
    public void alpnClientGetsTheServersFirstSharedProtocolOnTls13() throws Exception {
        try (Connection c = handshake(jdk, SPDY_AND_HTTP, TlsPeers.jdkClient("http/1.1", "spdy/3.1"))) {
            assertEquals(List.of("spdy/3.1"), c.negotiated);
            assertEquals("TLSv1.3", c.serverVersion());
            assertFalse(c.serverUsesBoringSsl());
            assertEquals("spdy/3.1", c.clientTls().applicationProtocol());
        }
        try (Connection c = handshake(jdk, HTTP, TlsPeers.jdkClient("spdy/3.1", "http/1.1"))) {
            assertEquals(List.of("http/1.1"), c.negotiated);
        }
    }

    @Test
    public void byDefaultBoringSslServesAlpnClientsOnTls13() throws Exception {
        for (List<String> offered : List.of(List.of("h2", "http/1.1"), List.of("spdy/3.1", "http/1.1"))) {
            try (Connection c = handshake(boringSsl, List.of("h2", "spdy/3.1", "http/1.1"),
                    TlsPeers.jdkClient(offered.toArray(new String[0])))) {
                assertEquals(offered.subList(0, 1), c.negotiated);
                assertEquals("TLSv1.3", c.serverVersion());
                assertTrue(c.serverUsesBoringSsl());
            }
        }
        try (Connection c = handshake(boringSsl, HTTP, TlsPeers.jdkClient())) {
            assertEquals("a client naming no protocol gets the fallback", List.of("http/1.1"), c.negotiated);
        }
        assertEquals("OPENSSL", boringSsl.serviceProperties().get(TlsNegotiator.ALPN_PROVIDER_PROPERTY));
    }

    @Test
    public void npnOnlyClientGetsNpnFromBoringSslOnTls12() throws Exception {
        try (Connection c = handshake(jdk, SPDY_AND_HTTP, TlsPeers.npnClient("spdy/3.1", "http/1.1"))) {
            assertEquals(List.of("spdy/3.1"), c.negotiated);
            assertEquals("TLSv1.2", c.serverVersion());
            assertTrue(c.serverUsesBoringSsl());
            assertEquals("spdy/3.1", c.clientTls().applicationProtocol());
        }
        try (Connection c = handshake(jdk, HTTP, TlsPeers.npnClient("spdy/3.1", "http/1.1"))) {
            assertEquals(List.of("http/1.1"), c.negotiated);
            assertEquals("TLSv1.2", c.serverVersion());
        }
    }

    @Test
    public void h2IsNegotiatedWithAlpnOnlyAndNpnClientsKeepGettingSpdy() throws Exception {
        List<String> all = List.of("h2", "spdy/3.1", "http/1.1");
        try (Connection c = handshake(jdk, all, TlsPeers.jdkClient("h2", "http/1.1"))) {
            assertEquals(List.of("h2"), c.negotiated);
            assertEquals("TLSv1.3", c.serverVersion());
        }
        // An NPN client choosing from what it is offered: h2 is not among it (RFC 9113 section 3.2 names ALPN only).
        try (Connection c = handshake(jdk, all, TlsPeers.npnClient("h2", "spdy/3.1", "http/1.1"))) {
            assertEquals(List.of("spdy/3.1"), c.negotiated);
            assertTrue(c.serverUsesBoringSsl());
        }
    }

    @Test
    public void clientOfferingNpnAndAlpnGetsAlpnOnTls13() throws Exception {
        try (Connection c = handshake(jdk, SPDY_AND_HTTP, TlsPeers.npnAndAlpnClient("spdy/3.1", "http/1.1"))) {
            assertEquals(List.of("spdy/3.1"), c.negotiated);
            assertEquals("TLSv1.3", c.serverVersion());
            assertFalse(c.serverUsesBoringSsl());
        }
    }

    @Test
    public void clientNamingNoProtocolGetsHttp11WhenOffered() throws Exception {
        try (Connection c = handshake(jdk, SPDY_AND_HTTP, TlsPeers.jdkClient())) {
            assertEquals(List.of("http/1.1"), c.negotiated);
            assertEquals("TLSv1.3", c.serverVersion());
        }
        try (Connection c = handshake(jdk, List.of("spdy/3.1"), TlsPeers.jdkClient())) {
            assertEquals("first offered when http/1.1 is not", List.of("spdy/3.1"), c.negotiated);
        }
    }

    @Test
    public void alpnClientSharingNoProtocolGetsNoAlpnAndTheFallback() throws Exception {
        for (TlsNegotiator negotiator : new TlsNegotiator[] {boringSsl, jdk, bc}) {
            try (Connection c = handshake(negotiator, SPDY_AND_HTTP, TlsPeers.jdkClient("h2"))) {
                assertEquals(List.of("http/1.1"), c.negotiated);
                assertNull(TlsNegotiator.negotiated(c.clientTls()));
            }
        }
    }

    @Test
    public void bouncyCastleJsseNegotiatesAlpnOnTls13() throws Exception {
        try (Connection c = handshake(bc, SPDY_AND_HTTP, TlsPeers.jdkClient("http/1.1", "spdy/3.1"))) {
            assertEquals(List.of("spdy/3.1"), c.negotiated);
            assertEquals("TLSv1.3", c.serverVersion());
            // Netty wraps the engine for ALPN; the session is Bouncy Castle's
            String session = c.serverTls().engine().getSession().getClass().getName();
            assertTrue(session, session.startsWith("org.bouncycastle.jsse"));
            assertEquals("spdy/3.1", c.clientTls().applicationProtocol());
        }
        try (Connection c = handshake(bc, SPDY_AND_HTTP, TlsPeers.npnClient("spdy/3.1"))) {
            assertEquals("NPN stays with BoringSSL", List.of("spdy/3.1"), c.negotiated);
            assertTrue(c.serverUsesBoringSsl());
        }
    }

    @Test
    public void withNpnOffNpnClientsGetTheAlpnEngineAndTheFallback() throws Exception {
        assertFalse(noNpn.npn());
        try (Connection c = handshake(noNpn, SPDY_AND_HTTP, TlsPeers.npnClient("spdy/3.1", "http/1.1"))) {
            assertEquals(List.of("http/1.1"), c.negotiated);
            assertEquals("TLSv1.3", c.serverVersion());
            assertFalse(c.serverUsesBoringSsl());
            assertNull(c.clientTls().applicationProtocol());
        }
    }

    @Test
    public void serviceProperties() throws Exception {
        Dictionary<String, Object> on = jdk.serviceProperties();
        assertEquals(Boolean.TRUE, on.get(TlsNegotiator.NPN_PROPERTY));
        assertEquals("JDK", on.get(TlsNegotiator.ALPN_PROVIDER_PROPERTY));
        assertTrue((String) on.get(TlsNegotiator.NPN_STATUS_PROPERTY),
                ((String) on.get(TlsNegotiator.NPN_STATUS_PROPERTY)).contains("BoringSSL"));
        Dictionary<String, Object> off = noNpn.serviceProperties();
        assertEquals(Boolean.FALSE, off.get(TlsNegotiator.NPN_PROPERTY));
        assertTrue((String) off.get(TlsNegotiator.NPN_STATUS_PROPERTY),
                ((String) off.get(TlsNegotiator.NPN_STATUS_PROPERTY)).contains("npn = false"));
        assertEquals("BCJSSE", bc.serviceProperties().get(TlsNegotiator.ALPN_PROVIDER_PROPERTY));
        assertEquals("NPN needs TLS 1.2", Boolean.FALSE, TlsPeers.negotiator(
                Map.of("tlsVersions", new String[] {"TLSv1.3"})).serviceProperties().get(TlsNegotiator.NPN_PROPERTY));
    }

    @Test(expected = IllegalArgumentException.class)
    public void unknownAlpnProviderIsRefused() throws Exception {
        TlsPeers.negotiator(Map.of("alpnProvider", "Conscrypt"));
    }

    @Test
    public void returningClientsResumeTheirTls13SessionWithATicket() throws Exception {
        // The JDK's client keeps the tickets it gets per server name and port, and offers one on the next connection.
        assertEquals(List.of(false, true, true), resumptions(Map.of(), TlsPeers.jdkClient("http/1.1")));
        assertEquals(List.of(false, false, false),
                resumptions(Map.of("sessionTickets", false), TlsPeers.jdkClient("http/1.1")));
    }

    /**
     * Three TLS 1.3 connections of one client to a new negotiator's BoringSSL server: whether each resumed a session,
     * seen in the server's first flight: a full handshake sends the certificate, a resumed one does not.
     */
    private static List<Boolean> resumptions(Map<String, Object> settings, SslContext client) throws Exception {
        TlsNegotiator negotiator = TlsPeers.negotiator(settings);
        int certificateBytes = TlsPeers.certificateDer(settings).length;
        List<Boolean> resumed = new ArrayList<>();
        int fullFlight = 0;
        for (int i = 0; i < 3; i++) {
            try (Connection c = new Connection(negotiator, HTTP, client, true)) {
                c.sendHello();
                int flight = c.serverFlightBytes();
                handshakeDone(c.pump());
                assertEquals("TLSv1.3", c.serverVersion());
                assertTrue(c.serverUsesBoringSsl());
                // BoringSSL sends its TLS 1.3 tickets with the first bytes it writes after the handshake.
                c.server.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n\r\n", StandardCharsets.US_ASCII));
                c.pump();
                if (i == 0) {
                    fullFlight = flight;
                }
                resumed.add(flight + certificateBytes <= fullFlight);
            }
        }
        return resumed;
    }

    private static Connection handshake(TlsNegotiator negotiator, List<String> offered, SslContext client) {
        return handshakeDone(new Connection(negotiator, offered, client).pump());
    }

    /** {@code c} after a completed handshake, checked. */
    private static Connection handshakeDone(Connection c) {
        assertEquals(List.of(), c.clientErrors);
        assertTrue("client handshake: " + c.clientTls().handshakeFuture().cause(),
                c.clientTls().handshakeFuture().isSuccess());
        assertTrue(c.server.isOpen());
        assertEquals(1, c.serverEvents.stream().filter(e -> e instanceof SslHandshakeCompletionEvent
                && ((SslHandshakeCompletionEvent) e).isSuccess()).count());
        assertEquals("the negotiation handler has left", List.of("tls", "events", "DefaultChannelPipeline$TailContext#0"),
                c.server.pipeline().names());
        return c;
    }
}
