package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.engine.impl.ExchangeFixture.Reply;
import dev.ferry.engine.impl.ExchangeFixture.Sent;
import dev.ferry.testing.LeakCheck;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** Forwarded requests: what the origin receives, what the client gets back, and what becomes of the lease. */
public class ExchangeForwardingTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private final ExchangeFixture f = new ExchangeFixture();

    @After
    public void close() {
        f.close();
    }

    private static final String KEEP_ALIVE_HELLO = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n"
            + "Keep-Alive: timeout=5\r\nX-Origin: yes\r\n\r\nhello";

    @Test
    public void getGoesUpstreamInOriginFormWithHostAndViaAndWithoutHopByHopHeaders() {
        f.send("GET http://origin.test:8080/path?q=1 HTTP/1.1\r\nHost: wrong.test\r\n"
                + "Connection: keep-alive, X-Hop\r\nX-Hop: secret\r\nProxy-Connection: keep-alive\r\n"
                + "Proxy-Authorization: Basic Y2xpZW50\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                + "Upgrade: websocket\r\nX-End: kept\r\n\r\n");

        assertEquals(1, f.upstream.requests.size());
        assertEquals("http://origin.test:8080/path?q=1", f.upstream.requests.get(0).url().toString());
        TestUpstream.Lease lease = f.upstream.lease(0);
        assertTrue("the wire request line is origin-form: " + f.originWire(lease),
                f.originWire(lease).startsWith("GET /path?q=1 HTTP/1.1\r\n"));
        Sent sent = f.request(lease);
        assertEquals("origin.test:8080", sent.header(HttpHeaderNames.HOST));
        assertEquals("1.1 ferry", sent.header(HttpHeaderNames.VIA));
        assertEquals("kept", sent.header("X-End"));
        for (String hop : List.of("Connection", "X-Hop", "Proxy-Connection", "Proxy-Authorization", "Keep-Alive",
                "TE", "Upgrade")) {
            assertNull(hop + " must not reach the origin", sent.header(hop));
        }
    }

    @Test
    public void responseIsRelayedWithItsBodyAndTheKeepAliveLeaseIsReleasedOnce() {
        f.send("GET http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease lease = f.upstream.lease(0);
        f.request(lease);

        f.respond(lease, KEEP_ALIVE_HELLO);

        Reply reply = f.reply();
        assertEquals(200, reply.status);
        assertEquals("hello", reply.body);
        assertEquals("5", reply.header(HttpHeaderNames.CONTENT_LENGTH));
        assertEquals("yes", reply.header("X-Origin"));
        assertEquals("1.1 ferry", reply.header(HttpHeaderNames.VIA));
        assertNull("hop-by-hop headers stay behind", reply.header(HttpHeaderNames.KEEP_ALIVE));
        assertNull("the client connection is kept: no Connection: close", reply.header(HttpHeaderNames.CONNECTION));
        assertTrue(lease.toString(), lease.releasedOnce());
        assertNull("the engine took its handler off the lent connection",
                lease.channel.pipeline().get(OriginHandler.NAME));
        assertTrue(f.client.isOpen());
        assertTrue("reading the client resumes after the exchange", f.client.config().isAutoRead());
    }

    @Test
    public void connectionCloseFromTheOriginClosesTheLeaseButKeepsTheClientConnection() {
        f.send("GET http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease lease = f.upstream.lease(0);

        f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");

        Reply reply = f.reply();
        assertEquals("hello", reply.body);
        assertNull("Connection is hop-by-hop: the client connection stays open",
                reply.header(HttpHeaderNames.CONNECTION));
        assertTrue(f.client.isOpen());
        assertTrue("a connection the origin is closing must not go back to the pool: " + lease,
                lease.closedNotReleased());
    }

    @Test
    public void http10OriginResponseWithoutKeepAliveClosesTheLease() {
        f.send("GET http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease lease = f.upstream.lease(0);

        f.respond(lease, "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello");

        assertEquals("hello", f.reply().body);
        assertTrue(lease.toString(), lease.closedNotReleased());
        assertTrue(f.client.isOpen());
    }

    @Test
    public void nextRequestOnTheKeptConnectionIsServedOnTheReleasedOriginConnection() {
        f.send("GET http://origin.test/one HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease first = f.upstream.lease(0);
        assertEquals("/one", f.request(first).uri);
        f.respond(first, KEEP_ALIVE_HELLO);
        assertEquals("hello", f.reply().body);

        f.send("GET http://origin.test/two HTTP/1.1\r\nHost: origin.test\r\n\r\n");

        TestUpstream.Lease second = f.upstream.lease(1);
        assertTrue("the pool lent the released connection again", second.reused());
        assertEquals("/two", f.request(second).uri);
        f.respond(second, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo");
        assertEquals("two", f.reply().body);
        assertTrue(first.releasedOnce());
        assertTrue(second.releasedOnce());
        assertTrue(f.client.isOpen());
    }

    @Test
    public void pipelinedRequestsGoUpstreamOneAfterTheOtherAndAreAnsweredInOrder() {
        f.send("GET http://origin.test/a HTTP/1.1\r\nHost: origin.test\r\n\r\n"
                + "GET http://origin.test/b HTTP/1.1\r\nHost: origin.test\r\n\r\n"
                + "GET http://origin.test/c HTTP/1.1\r\nHost: origin.test\r\n\r\n");

        assertEquals("the later requests wait for the first response", 1, f.upstream.requests.size());
        assertFalse("the client is not read while requests wait", f.client.config().isAutoRead());
        List<String> bodies = new ArrayList<>();
        for (String name : List.of("a", "b", "c")) {
            assertEquals("one request upstream at a time", bodies.size() + 1, f.upstream.requests.size());
            TestUpstream.Lease lease = f.upstream.lastLease();
            assertEquals("/" + name, f.request(lease).uri);
            assertTrue("no response before the origin's", f.replies().isEmpty());
            f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + name);
            f.replies().forEach(reply -> bodies.add(reply.body));
        }

        assertEquals(List.of("a", "b", "c"), bodies);
        assertEquals(3, f.upstream.requests.size());
        f.upstream.leases.forEach(lease -> assertTrue(lease.toString(), lease.releasedOnce()));
        assertTrue(f.client.config().isAutoRead());
    }

    @Test
    public void throughAnUpstreamHttpProxyTheRequestIsAbsoluteFormWithTheLeaseHeadersNotTheClients() {
        f.upstream.proxy = ProxyServer.of(ProxyServer.Scheme.HTTP, "parent.test", 3128);
        f.upstream.requestHeaders = Map.of("Proxy-Authorization", "Basic cGFyZW50");

        f.send("GET http://origin.test:8080/p HTTP/1.1\r\nHost: origin.test:8080\r\n"
                + "Proxy-Authorization: Basic Y2xpZW50\r\n\r\n");

        TestUpstream.Lease lease = f.upstream.lease(0);
        Sent sent = f.request(lease);
        assertEquals("http://origin.test:8080/p", sent.uri);
        assertEquals("Basic cGFyZW50", sent.header(HttpHeaderNames.PROXY_AUTHORIZATION));
    }

    @Test
    public void responseWithoutLengthEndedByTheOriginIsRechunkedCompleteForTheClient() {
        f.send("GET http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease lease = f.upstream.lease(0);

        f.respond(lease, "HTTP/1.1 200 OK\r\n\r\nhello ");
        f.respond(lease, "world");
        f.originCloses(lease);

        String wire = f.clientWire();
        assertTrue(wire, wire.toLowerCase(Locale.ROOT).contains("\r\ntransfer-encoding: chunked\r\n"));
        assertTrue("the last chunk ends the body: " + wire, wire.endsWith("5\r\nworld\r\n0\r\n\r\n"));
        assertEquals("hello world", f.reply().body);
        assertTrue("the client connection goes on", f.client.isOpen());
    }
}
