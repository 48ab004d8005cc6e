package dev.ferry.tls.impl;

import static dev.ferry.tls.impl.TlsPeers.clientHelloBody;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.ferry.testing.LeakCheck;
import dev.ferry.tls.impl.ClientHelloExtensions.MalformedClientHelloException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.OpenSsl;
import java.util.List;
import java.util.Random;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** The ClientHello parser on hellos made by real clients (the JDK's engine, BoringSSL), and on broken ones. */
public class ClientHelloExtensionsTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @BeforeClass
    public static void boringSslLoads() {
        assertTrue("netty-tcnative must load in the tests: " + OpenSsl.unavailabilityCause(), OpenSsl.isAvailable());
    }

    @Test
    public void jdkClientOffersAlpnInItsOrderAndNoNpn() throws Exception {
        ByteBuf body = clientHelloBody(TlsPeers.jdkClient("spdy/3.1", "http/1.1"));
        try {
            int reader = body.readerIndex();
            int writer = body.writerIndex();
            ClientHelloExtensions hello = ClientHelloExtensions.parse(body);
            assertTrue(hello.offersAlpn());
            assertEquals(List.of("spdy/3.1", "http/1.1"), hello.alpnProtocols());
            assertFalse(hello.offersNpn());
            assertTrue(hello.acceptsTls12());
            // read with absolute indices: the caller's buffer is untouched
            assertEquals(reader, body.readerIndex());
            assertEquals(writer, body.writerIndex());
            assertEquals(1, body.refCnt());
        } finally {
            body.release();
        }
    }

    @Test
    public void jdkClientWithoutAlpnOffersNothing() throws Exception {
        ClientHelloExtensions hello = parse(TlsPeers.jdkClient());
        assertFalse(hello.offersAlpn());
        assertEquals(List.of(), hello.alpnProtocols());
        assertFalse(hello.offersNpn());
    }

    @Test
    public void boringSslNpnClientOffersNpnAndNoAlpn() throws Exception {
        ClientHelloExtensions hello = parse(TlsPeers.npnClient("spdy/3.1", "http/1.1"));
        assertTrue(hello.offersNpn());
        assertFalse(hello.offersAlpn());
        assertTrue(hello.acceptsTls12());
    }

    @Test
    public void boringSslClientOfferingBoth() throws Exception {
        ClientHelloExtensions hello = parse(TlsPeers.npnAndAlpnClient("spdy/3.1", "http/1.1"));
        assertTrue(hello.offersNpn());
        assertEquals(List.of("spdy/3.1", "http/1.1"), hello.alpnProtocols());
    }

    @Test
    public void helloListingOnlyTls13DoesNotAcceptTls12() throws Exception {
        ClientHelloExtensions hello = parse(tls13Only(bytes(TlsPeers.npnClient("spdy/3.1"))));
        assertTrue(hello.offersNpn());
        assertFalse(hello.acceptsTls12());
    }

    /**
     * A hello whose supported_versions names TLS 1.3 alone. No real client makes one with NPN (BoringSSL leaves NPN
     * out when it cannot do TLS 1.2, and openssl s_client refuses "-nextprotoneg with TLSv1.3"), so this is the
     * BoringSSL NPN hello with its TLS 1.2 entry rewritten.
     */
    private static byte[] tls13Only(byte[] hello) {
        byte[] patched = hello.clone();
        int at = findExtension(patched, ClientHelloExtensions.SUPPORTED_VERSIONS);
        int count = patched[at + 4] & 0xFF;
        boolean hadTls12 = false;
        for (int i = at + 5; i < at + 5 + count; i += 2) {
            if (u16(patched, i) == 0x0303) {
                patched[i + 1] = 0x04;
                hadTls12 = true;
            }
        }
        assertTrue(hadTls12);
        return patched;
    }

    private static ClientHelloExtensions parse(byte[] hello) throws Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(hello);
        try {
            return ClientHelloExtensions.parse(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    public void routing() throws Exception {
        String alpn = "alpn";
        String npn = "npn";
        ClientHelloExtensions npnOnly = parse(TlsPeers.npnClient("spdy/3.1"));
        ClientHelloExtensions both = parse(TlsPeers.npnAndAlpnClient("spdy/3.1"));
        ClientHelloExtensions alpnOnly = parse(TlsPeers.jdkClient("spdy/3.1"));
        ClientHelloExtensions none = parse(TlsPeers.jdkClient());
        ClientHelloExtensions npnTls13 = parse(tls13Only(bytes(TlsPeers.npnClient("spdy/3.1"))));
        assertEquals(npn, ClientHelloRouter.route(npnOnly, alpn, npn));
        assertEquals(alpn, ClientHelloRouter.route(both, alpn, npn));
        assertEquals(alpn, ClientHelloRouter.route(alpnOnly, alpn, npn));
        assertEquals(alpn, ClientHelloRouter.route(none, alpn, npn));
        assertEquals(alpn, ClientHelloRouter.route(npnTls13, alpn, npn));
        assertEquals("without an NPN engine NPN clients get ALPN", alpn, ClientHelloRouter.route(npnOnly, alpn, null));
    }

    @Test
    public void everyTruncationIsReportedAsMalformedOrParsesAsAShorterValidHello() throws Exception {
        for (byte[] hello : realHellos()) {
            for (int length = 0; length < hello.length; length++) {
                ByteBuf cut = Unpooled.wrappedBuffer(hello, 0, length);
                try {
                    ClientHelloExtensions.parse(cut);
                    // Only the hello cut right after its compression methods (no extensions) is still valid.
                    assertEquals(length, withoutExtensionsLength(hello));
                } catch (MalformedClientHelloException expected) {
                    // fine
                } finally {
                    cut.release();
                }
            }
        }
    }

    @Test
    public void randomCorruptionNeverThrowsAnythingElse() throws Exception {
        Random random = new Random(20261122);
        for (byte[] hello : realHellos()) {
            for (int i = 0; i < 5000; i++) {
                byte[] broken = hello.clone();
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    broken[random.nextInt(broken.length)] = (byte) random.nextInt(256);
                }
                ByteBuf buf = Unpooled.wrappedBuffer(broken);
                try {
                    ClientHelloExtensions.parse(buf);
                } catch (MalformedClientHelloException expected) {
                    // fine
                } catch (RuntimeException e) {
                    throw new AssertionError("parser threw " + e + " on a corrupted hello", e);
                } finally {
                    buf.release();
                }
            }
        }
    }

    @Test
    public void specificBreakage() throws Exception {
        byte[] alpnHello = bytes(TlsPeers.jdkClient("spdy/3.1", "http/1.1"));
        int extensions = withoutExtensionsLength(alpnHello);
        int alpnAt = findExtension(alpnHello, ClientHelloExtensions.ALPN);

        assertMalformed("extensions length too long", patch16(alpnHello, extensions, u16(alpnHello, extensions) + 1));
        assertMalformed("extensions length too short", patch16(alpnHello, extensions, u16(alpnHello, extensions) - 1));
        assertMalformed("trailing byte", append(alpnHello, (byte) 0));
        assertMalformed("ALPN extension longer than the rest", patch16(alpnHello, alpnAt + 2, 0xFFFF));
        assertMalformed("ALPN list length off by one", patch16(alpnHello, alpnAt + 4, u16(alpnHello, alpnAt + 4) + 1));
        byte[] emptyName = alpnHello.clone();
        emptyName[alpnAt + 6] = 0; // first name length: 0
        assertMalformed("empty ALPN name", emptyName);
        byte[] duplicate = alpnHello.clone();
        // turn the extension after ALPN into a second ALPN
        int next = alpnAt + 4 + u16(alpnHello, alpnAt + 2);
        duplicate[next] = 0;
        duplicate[next + 1] = (byte) ClientHelloExtensions.ALPN;
        assertMalformed("extension twice", duplicate);
        byte[] longSession = alpnHello.clone();
        longSession[34] = 33;
        assertMalformed("session id over 32 bytes", longSession);
        assertMalformed("empty", new byte[0]);
    }

    private static void assertMalformed(String what, byte[] hello) {
        ByteBuf buf = Unpooled.wrappedBuffer(hello);
        try {
            ClientHelloExtensions.parse(buf);
            fail(what + ": parsed");
        } catch (MalformedClientHelloException expected) {
            // fine
        } finally {
            buf.release();
        }
    }

    private static ClientHelloExtensions parse(io.netty.handler.ssl.SslContext client) throws Exception {
        ByteBuf body = clientHelloBody(client);
        try {
            return ClientHelloExtensions.parse(body);
        } finally {
            body.release();
        }
    }

    private static byte[] bytes(io.netty.handler.ssl.SslContext client) throws Exception {
        ByteBuf body = clientHelloBody(client);
        try {
            byte[] b = new byte[body.readableBytes()];
            body.getBytes(body.readerIndex(), b);
            return b;
        } finally {
            body.release();
        }
    }

    private static List<byte[]> realHellos() throws Exception {
        return List.of(bytes(TlsPeers.jdkClient("spdy/3.1", "http/1.1")), bytes(TlsPeers.npnClient("spdy/3.1")),
                bytes(TlsPeers.npnAndAlpnClient("h2", "http/1.1")));
    }

    /** Offset of the extensions length: after version, random, session id, cipher suites, compression. */
    private static int withoutExtensionsLength(byte[] hello) {
        int at = 2 + 32;
        at += 1 + (hello[at] & 0xFF);
        at += 2 + u16(hello, at);
        at += 1 + (hello[at] & 0xFF);
        return at;
    }

    private static int findExtension(byte[] hello, int type) {
        int at = withoutExtensionsLength(hello) + 2;
        while (at < hello.length) {
            if (u16(hello, at) == type) {
                return at;
            }
            at += 4 + u16(hello, at + 2);
        }
        throw new AssertionError("no extension " + type);
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static byte[] patch16(byte[] b, int at, int value) {
        byte[] copy = b.clone();
        copy[at] = (byte) (value >> 8);
        copy[at + 1] = (byte) value;
        return copy;
    }

    private static byte[] append(byte[] b, byte extra) {
        byte[] copy = java.util.Arrays.copyOf(b, b.length + 1);
        copy[b.length] = extra;
        return copy;
    }
}
