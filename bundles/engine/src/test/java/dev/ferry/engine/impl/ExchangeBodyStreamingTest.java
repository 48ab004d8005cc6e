package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.engine.impl.ExchangeFixture.Sent;
import dev.ferry.testing.LeakCheck;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** Bodies streaming through an exchange, both ways, with the other side's backpressure. */
public class ExchangeBodyStreamingTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String SLOW = "slow-reader";
    private static final String POST_CHUNKED = "POST http://origin.test/upload HTTP/1.1\r\nHost: origin.test\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";

    private final ExchangeFixture f = new ExchangeFixture();

    @After
    public void close() {
        f.close();
    }

    private static String chunk(String data) {
        return Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
    }

    /** {@code ch} takes writes but sends nothing on until {@link #drain}: what it was given counts as buffered. */
    private static void slowReader(EmbeddedChannel ch) {
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 2048));
        ch.pipeline().addFirst(SLOW, new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                // held
            }
        });
    }

    private static void drain(EmbeddedChannel ch) {
        ch.pipeline().remove(SLOW);
        ch.flush();
    }

    @Test
    public void chunkedPostIsStreamedUpstreamCompletelyAroundAConnectThatTakesTime() {
        f.upstream.hold = true;
        f.send(POST_CHUNKED + chunk("early-"));
        assertTrue("nothing can go anywhere yet", f.upstream.leases.isEmpty());
        assertFalse("body waiting for the origin connection stops reading", f.client.config().isAutoRead());
        TestUpstream.Lease lease = f.upstream.held.get(0).succeed();
        assertTrue("the body is read on once the origin connection is there", f.client.config().isAutoRead());

        Random random = new Random(42);
        StringBuilder body = new StringBuilder("early-");
        for (int i = 0; i < 64; i++) {
            byte[] piece = new byte[4000 + i];
            random.nextBytes(piece);
            String text = new String(piece, StandardCharsets.ISO_8859_1);
            body.append(text);
            f.send(chunk(text));
        }
        assertTrue("the origin got no complete request before the client's last chunk", f.sent(lease).isEmpty());
        f.send(chunk("-late") + "0\r\n\r\n");
        body.append("-late");

        Sent sent = f.request(lease);
        assertEquals("POST", sent.method);
        assertEquals("/upload", sent.uri);
        assertTrue("the body goes on chunked", f.originWire(lease).toLowerCase(Locale.ROOT)
                .contains("\r\ntransfer-encoding: chunked\r\n"));
        assertEquals("every body byte reached the origin", body.length(), sent.body.length());
        assertEquals(body.toString(), sent.body);
        assertTrue("nothing waits: reading pauses only for a pipelined request (ExchangeForwardingTest)",
                f.client.config().isAutoRead());

        f.respond(lease, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        assertEquals(201, f.reply().status);
        assertTrue(lease.toString(), lease.releasedOnce());
    }

    @Test
    public void clientIsNotReadWhileTheOriginConnectionIsNotWritableAndIsReadAgainWhenItDrains() {
        f.upstream.onNewChannel = ExchangeBodyStreamingTest::slowReader;
        f.send(POST_CHUNKED + chunk("head-"));
        TestUpstream.Lease lease = f.upstream.lease(0);
        assertTrue(lease.channel.isWritable());
        assertTrue(f.client.config().isAutoRead());

        String big = "x".repeat(4096);
        f.send(chunk(big));

        assertFalse("4 KiB buffered towards the origin is over its 2 KiB high-water mark",
                lease.channel.isWritable());
        assertFalse("the client is not read while the origin cannot take more", f.client.config().isAutoRead());

        drain(lease.channel);

        assertTrue(lease.channel.isWritable());
        assertTrue("the client is read again once the origin connection drained", f.client.config().isAutoRead());
        f.send("0\r\n\r\n");
        assertEquals("head-" + big, f.request(lease).body);
    }

    @Test
    public void originIsNotReadWhileTheClientIsNotWritableAndIsReadAgainWhenItDrains() {
        slowReader(f.client);
        f.send("GET http://origin.test/big HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease lease = f.upstream.lease(0);
        String big = "y".repeat(4096);

        f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 8192\r\n\r\n" + big);

        assertFalse(f.client.isWritable());
        assertFalse("the origin is not read while the client cannot take more", lease.channel.config().isAutoRead());

        drain(f.client);

        assertTrue("the origin is read again once the client drained", lease.channel.config().isAutoRead());
        f.respond(lease, big);
        assertEquals(big + big, f.reply().body);
        assertTrue(lease.releasedOnce());
    }

    @Test
    public void malformedRequestChunkIsNotForwardedAsTheEndOfTheBody() {
        f.send(POST_CHUNKED + chunk("hello"));
        TestUpstream.Lease lease = f.upstream.lease(0);

        f.send("not-a-chunk-size\r\nrest\r\n0\r\n\r\n");

        String wire = f.originWire(lease);
        assertTrue("the origin must not see the chunked body end: " + wire, f.sent(lease).isEmpty());
        assertTrue("the origin connection is given up: " + lease, lease.closedNotReleased());
        String answered = f.clientWire();
        assertTrue("the client gets 400 or a closed connection: " + answered,
                answered.startsWith("HTTP/1.1 400 ") || !f.client.isOpen());
    }
}
