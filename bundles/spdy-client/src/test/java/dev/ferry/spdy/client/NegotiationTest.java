package dev.ferry.spdy.client;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** TLS negotiation of spdy/3.1 against servers built from Netty's own SPDY server side. */
public class NegotiationTest extends SharedClientTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void alpnOnTls13WithTheJdkEngine() throws Exception {
        try (NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 0);
                SpdySession session = client.open(server.address(), Negotiation.ALPN)) {
            assertEquals("spdy/3.1", session.negotiatedProtocol());
            assertEquals("TLSv1.3", session.tlsVersion());
            assertHello(session);
        }
    }

    @Test
    public void alpnOnTls12WithBoringSsl() throws Exception {
        Negotiation negotiation = Negotiation.ALPN.withProvider(Negotiation.Provider.OPENSSL)
                .withTlsVersions("TLSv1.2");
        try (NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 0);
                SpdySession session = client.open(server.address(), negotiation)) {
            assertEquals("spdy/3.1", session.negotiatedProtocol());
            assertEquals("TLSv1.2", session.tlsVersion());
            assertHello(session);
        }
    }

    @Test
    public void npnOnTls12WithBoringSsl() throws Exception {
        try (NettySpdyServer server = new NettySpdyServer(TestTls.npn(), 0);
                SpdySession session = client.open(server.address(), Negotiation.NPN)) {
            assertEquals("spdy/3.1", session.negotiatedProtocol());
            assertEquals("TLSv1.2", session.tlsVersion());
            assertHello(session);
        }
    }

    @Test
    public void npnClientGetsNothingFromAnAlpnOnlyServer() throws Exception {
        try (NettySpdyServer server = new NettySpdyServer(TestTls.alpn(), 0)) {
            NegotiationException e = assertThrows(NegotiationException.class,
                    () -> client.open(server.address(), Negotiation.NPN));
            assertNull(e.negotiatedProtocol());
            assertEquals("TLSv1.2", e.tlsVersion());
        }
    }

    @Test
    public void alpnClientGetsNothingFromAnNpnOnlyServer() throws Exception {
        try (NettySpdyServer server = new NettySpdyServer(TestTls.npn(), 0)) {
            NegotiationException e = assertThrows(NegotiationException.class,
                    () -> client.open(server.address(), Negotiation.ALPN));
            assertNull(e.negotiatedProtocol());
        }
    }

    @Test
    public void aServerWithoutSpdyFailsTheOpenNamingItsProtocol() throws Exception {
        try (NettySpdyServer server = new NettySpdyServer(TestTls.server(SslProvider.JDK,
                ApplicationProtocolConfig.Protocol.ALPN, List.of("TLSv1.3"), "http/1.1"), 0)) {
            NegotiationException e = assertThrows(NegotiationException.class,
                    () -> client.open(server.address(), Negotiation.ALPN));
            assertEquals("http/1.1", e.negotiatedProtocol());
            assertTrue(e.getMessage(), e.getMessage().contains("negotiated http/1.1, not spdy/3.1"));
        }
    }

    @Test
    public void npnIsRefusedWhereItCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> Negotiation.NPN.withTlsVersions("TLSv1.3", "TLSv1.2"));
        assertThrows(IllegalArgumentException.class,
                () -> Negotiation.NPN.withProvider(Negotiation.Provider.JDK));
        assertEquals(Negotiation.ALPN, Negotiation.ALPN.withProvider(Negotiation.Provider.JDK));
    }

    private static void assertHello(SpdySession session) throws Exception {
        try (Response response = session.get("http://example.test/hello")) {
            assertEquals(200, response.status());
            assertEquals("hello http://example.test/hello",
                    new String(response.bodyBytes(), StandardCharsets.UTF_8));
        }
    }
}
