package dev.ferry.tls.impl;

import static dev.ferry.tls.impl.TlsPeers.SPDY_AND_HTTP;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import dev.ferry.tls.impl.TlsPeers.Connection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The ClientHello router on hellos that arrive in pieces, and on broken, oversized, slow and non-TLS first bytes:
 * each failure fails the handshake (event with the cause), closes the connection, tells the listener nothing,
 * sends no exception past the negotiation handler (an {@code EmbeddedChannel} would rethrow it) and leaks no
 * buffer.
 */
public class ClientHelloRouterTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static TlsNegotiator negotiator;

    @BeforeClass
    public static void negotiator() throws Exception {
        assertTrue("netty-tcnative must load in the tests: " + OpenSsl.unavailabilityCause(), OpenSsl.isAvailable());
        negotiator = TlsPeers.negotiator(Map.of("handshakeTimeoutMillis", 2000L));
    }

    @Test
    public void helloArrivingByteByByteIsRouted() throws Exception {
        try (Connection c = new Connection(negotiator, SPDY_AND_HTTP, TlsPeers.npnClient("spdy/3.1"))) {
            ByteBuf hello = firstFlight(c);
            List<ByteBuf> fed = new ArrayList<>();
            while (hello.isReadable()) {
                assertNull("routed before the hello was complete",
                        c.server.pipeline().get(SslHandler.class));
                ByteBuf one = hello.readRetainedSlice(1);
                fed.add(one);
                c.server.writeInbound(one);
            }
            hello.release();
            c.pump();
            assertEquals(List.of("spdy/3.1"), c.negotiated);
            assertTrue(c.serverUsesBoringSsl());
            fed.forEach(b -> assertEquals(0, b.refCnt()));
        }
    }

    @Test
    public void helloSplitOverTwoRecordsIsRouted() throws Exception {
        try (Connection c = new Connection(negotiator, SPDY_AND_HTTP, TlsPeers.npnClient("spdy/3.1"))) {
            ByteBuf hello = firstFlight(c);
            int length = hello.getUnsignedShort(3);
            int half = length / 2;
            ByteBuf split = Unpooled.buffer();
            split.writeBytes(hello, 0, 3).writeShort(half).writeBytes(hello, 5, half);
            split.writeBytes(hello, 0, 3).writeShort(length - half).writeBytes(hello, 5 + half, length - half);
            hello.release();
            c.server.writeInbound(split);
            c.pump();
            assertEquals(List.of("spdy/3.1"), c.negotiated);
            assertTrue(c.serverUsesBoringSsl());
            assertEquals("TLSv1.2", c.serverVersion());
            assertEquals(0, split.refCnt());
        }
    }

    @Test
    public void tlsHandlerGetsWhatIsLeftOfTheHandshakeTimeout() throws Exception {
        try (Connection c = new Connection(negotiator, SPDY_AND_HTTP, TlsPeers.jdkClient("spdy/3.1"))) {
            c.server.writeInbound(firstFlight(c));
            long left = c.serverTls().getHandshakeTimeoutMillis();
            assertTrue(Long.toString(left), left > 0 && left <= 2000);
            c.pump();
            assertEquals(List.of("spdy/3.1"), c.negotiated);
        }
    }

    @Test
    public void malformedHelloFailsTheHandshake() throws Exception {
        try (Connection c = new Connection(negotiator, SPDY_AND_HTTP, TlsPeers.jdkClient("spdy/3.1"))) {
            ByteBuf hello = firstFlight(c);
            // The last extension's length grows past the end of the hello.
            int last = lastExtension(hello);
            hello.setShort(last + 2, hello.getUnsignedShort(last + 2) + 1);
            c.server.writeInbound(hello);
            assertFailed(c, SSLHandshakeException.class, "malformed ClientHello");
            assertEquals(0, hello.refCnt());
        }
    }

    @Test
    public void plainHttpInsteadOfTlsFailsTheHandshake() throws Exception {
        try (Connection c = new Connection(negotiator, SPDY_AND_HTTP, null)) {
            ByteBuf http = Unpooled.copiedBuffer("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n",
                    StandardCharsets.US_ASCII);
            c.server.writeInbound(http);
            assertFailed(c, NotSslRecordException.class, "");
            assertEquals(0, http.refCnt());
        }
    }

    @Test
    public void zeroLengthHandshakeRecordBeforeTheHelloFailsTheHandshake() throws Exception {
        // RFC 8446 5.1 forbids it; an engine that skipped it would read the hello behind it unrouted.
        try (Connection c = new Connection(negotiator, SPDY_AND_HTTP, TlsPeers.npnClient("spdy/3.1"))) {
            ByteBuf hello = firstFlight(c);
            ByteBuf bytes = Unpooled.buffer().writeBytes(new byte[] {22, 3, 1, 0, 0}).writeBytes(hello);
            hello.release();
            c.server.writeInbound(bytes);
            assertFailed(c, NotSslRecordException.class, "");
        }
    }

    @Test
    public void oversizedHelloFailsTheHandshakeWithoutBufferingIt() throws Exception {
        try (Connection c = new Connection(negotiator, SPDY_AND_HTTP, null)) {
            // a ClientHello announcing 128 KiB (the limit is 64 KiB); the event comes from SslClientHelloHandler
            // itself, the exception (checked by assertFailed not to pass the negotiation handler) from the router
            c.server.writeInbound(Unpooled.wrappedBuffer(new byte[] {22, 3, 1, 0, 4, 1, 2, 0, 0}));
            assertFailed(c, TooLongFrameException.class, "exceeds");
        }
    }

    @Test
    public void sslV2FormatHelloIsLeftToTheAlpnEngineWhichRefusesIt() throws Exception {
        try (Connection c = new Connection(negotiator, SPDY_AND_HTTP, null)) {
            byte[] v2 = new byte[48];
            v2[0] = (byte) 0x80;
            v2[1] = 46;
            v2[2] = 1; // CLIENT-HELLO
            v2[3] = 3;
            v2[4] = 1;
            v2[6] = 3; // cipher specs length 3
            v2[10] = 32; // challenge length 32
            v2[13] = 0x2f; // TLS_RSA_WITH_AES_128_CBC_SHA
            c.server.writeInbound(Unpooled.wrappedBuffer(v2));
            assertFailed(c, SSLException.class, "");
        }
    }

    @Test
    public void incompleteHelloTimesOut() throws Exception {
        try (Connection c = new Connection(negotiator, SPDY_AND_HTTP, TlsPeers.jdkClient("spdy/3.1"))) {
            ByteBuf hello = firstFlight(c);
            c.server.writeInbound(hello.retainedSlice(0, 40));
            c.server.advanceTimeBy(1999, TimeUnit.MILLISECONDS);
            c.server.runScheduledPendingTasks();
            assertTrue(c.server.isOpen());
            c.server.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            c.server.runScheduledPendingTasks();
            assertFailed(c, SslHandshakeTimeoutException.class, "no complete ClientHello within 2000 ms");
            hello.release();
            assertEquals(0, hello.refCnt());
        }
    }

    @Test
    public void clientLeavingMidHelloLeavesNothingBehind() throws Exception {
        try (Connection c = new Connection(negotiator, SPDY_AND_HTTP, TlsPeers.jdkClient("spdy/3.1"))) {
            ByteBuf hello = firstFlight(c);
            c.server.writeInbound(hello.retainedSlice(0, 100));
            c.server.close();
            assertEquals(List.of(), c.negotiated);
            c.server.checkException();
            hello.release();
        }
    }

    /** The client's ClientHello, taken from it instead of sent. */
    private static ByteBuf firstFlight(Connection c) {
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf b; (b = c.client.readOutbound()) != null; ) {
            all.writeBytes(b);
            b.release();
        }
        return all;
    }

    /** Offset (in the record) of the hello's last extension. */
    private static int lastExtension(ByteBuf record) {
        int at = 9 + 2 + 32;
        at += 1 + record.getUnsignedByte(at);
        at += 2 + record.getUnsignedShort(at);
        at += 1 + record.getUnsignedByte(at);
        int end = at + 2 + record.getUnsignedShort(at);
        at += 2;
        int last = at;
        while (at < end) {
            last = at;
            at += 4 + record.getUnsignedShort(at + 2);
        }
        return last;
    }

    private static void assertFailed(Connection c, Class<? extends Throwable> cause, String message) {
        c.server.checkException();
        assertFalse("connection still open", c.server.isOpen());
        assertEquals(List.of(), c.negotiated);
        SslHandshakeCompletionEvent failure = (SslHandshakeCompletionEvent) c.serverEvents.stream()
                .filter(e -> e instanceof SslHandshakeCompletionEvent).findFirst()
                .orElseThrow(() -> new AssertionError("no handshake completion event: " + c.serverEvents));
        assertFalse(failure.isSuccess());
        assertTrue(failure.cause().toString(), cause.isInstance(failure.cause()));
        assertTrue(failure.cause().toString(), String.valueOf(failure.cause().getMessage()).contains(message));
    }
}
