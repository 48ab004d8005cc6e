package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.engine.impl.ExchangeFixture.Reply;
import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * An origin that fails: after the response started, the client connection is closed so that a cut-off body never
 * looks complete; before it, the client gets a 502 with the reason.
 */
public class ExchangeOriginFailureTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private final ExchangeFixture f = new ExchangeFixture();

    @After
    public void close() {
        f.close();
    }

    private TestUpstream.Lease get() {
        f.send("GET http://origin.test/file HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease lease = f.upstream.lease(0);
        f.request(lease);
        return lease;
    }

    @Test
    public void originClosingInsideAFixedLengthBodyClosesTheClientAfterWhatWasRelayed() {
        TestUpstream.Lease lease = get();
        f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
        assertTrue("the body streams as it comes", f.clientWire().endsWith("\r\n\r\n0123456789"));
        assertTrue(f.client.isOpen());

        f.originCloses(lease);

        assertFalse("the client connection is closed: 10 of 100 bytes is no complete response", f.client.isOpen());
        String wire = f.clientWire();
        assertTrue(wire, wire.toLowerCase(Locale.ROOT).contains("content-length: 100\r\n"));
        assertTrue("nothing was made up to fill the body: " + wire, wire.endsWith("\r\n\r\n0123456789"));
        assertTrue(f.replies().isEmpty());
        assertTrue(lease.toString(), lease.closedNotReleased());
    }

    @Test
    public void originClosingInsideAChunkedBodyClosesTheClientWithoutTheLastChunk() {
        TestUpstream.Lease lease = get();
        f.respond(lease, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");

        f.originCloses(lease);

        assertFalse(f.client.isOpen());
        String wire = f.clientWire();
        assertTrue(wire, wire.endsWith("\r\n\r\n5\r\nhello\r\n"));
        assertFalse("no terminating chunk: " + wire, wire.contains("0\r\n\r\n"));
        assertTrue(lease.closedNotReleased());
    }

    @Test
    public void originConnectionFailingInsideTheBodyClosesTheClient() {
        TestUpstream.Lease lease = get();
        f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n01234");

        lease.channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        f.client.runPendingTasks();

        assertFalse(f.client.isOpen());
        assertTrue(f.clientWire().endsWith("\r\n\r\n01234"));
        assertTrue(lease.closedNotReleased());
    }

    @Test
    public void malformedResponseIsAnswered502HttpProtocolError() {
        TestUpstream.Lease lease = get();

        f.respond(lease, "HTTP/1.1 banana\r\n\r\n");

        Reply reply = f.reply();
        assertEquals(502, reply.status);
        assertTrue(reply.header("Proxy-Status"), reply.header("Proxy-Status")
                .startsWith("ferry; error=http_protocol_error; details=\"malformed response from origin: "));
        assertTrue(lease.closedNotReleased());
        assertTrue("the client's request was complete: its connection goes on", f.client.isOpen());
    }

    @Test
    public void switchingProtocolsIsAnswered502() {
        TestUpstream.Lease lease = get();

        f.respond(lease, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");

        Reply reply = f.reply();
        assertEquals(502, reply.status);
        assertEquals("ferry; error=http_protocol_error; details=\"origin switched protocols (to websocket) though the "
                + "client asked for no upgrade this proxy allows (upgradeProtocols)\"", reply.header("Proxy-Status"));
        assertTrue(lease.closedNotReleased());
    }

    @Test
    public void upstreamProxyDemandingAuthenticationIsAnswered502WithoutItsChallenge() {
        f.upstream.proxy = ProxyServer.of(ProxyServer.Scheme.HTTP, "parent.test", 3128);
        TestUpstream.Lease lease = get();

        f.respond(lease, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"p\"\r\n"
                + "Content-Length: 0\r\n\r\n");

        Reply reply = f.reply();
        assertEquals(502, reply.status);
        assertTrue(reply.header("Proxy-Status"), reply.header("Proxy-Status")
                .startsWith("ferry; error=http_request_denied; details=\"upstream proxy http://parent.test:3128 "
                        + "demands authentication (407)"));
        assertNull(reply.header("Proxy-Authenticate"));
        assertTrue(lease.closedNotReleased());
    }

    @Test
    public void interimResponseIsRelayedAheadOfTheFinalOne() {
        TestUpstream.Lease lease = get();

        f.respond(lease, "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

        List<Reply> replies = f.replies();
        assertEquals(2, replies.size());
        assertEquals(103, replies.get(0).status);
        assertEquals("</s.css>; rel=preload", replies.get(0).header("Link"));
        assertEquals(200, replies.get(1).status);
        assertEquals("ok", replies.get(1).body);
        assertTrue(lease.releasedOnce());
    }

    @Test
    public void responseBeforeTheUploadEndedIsRelayedThenBothConnectionsClose() {
        f.send("POST http://origin.test/up HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 10\r\n\r\n01234");
        TestUpstream.Lease lease = f.upstream.lease(0);

        f.respond(lease, "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n");

        assertEquals(413, f.reply().status);
        assertFalse("the rest of the upload cannot be told from a next request", f.client.isOpen());
        assertTrue("the origin connection holds half a request", lease.closedNotReleased());
    }
}
