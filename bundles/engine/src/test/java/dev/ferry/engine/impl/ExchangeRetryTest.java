package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.engine.impl.ExchangeFixture.Reply;
import dev.ferry.engine.impl.ExchangeFixture.Sent;
import dev.ferry.testing.LeakCheck;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.net.ConnectException;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The one retry: a reused connection the origin closed just as the request went out on it, before any response.
 */
public class ExchangeRetryTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String INCOMPLETE = "ferry; error=http_response_incomplete; "
            + "details=\"origin closed the connection before a complete response\"";

    private final ExchangeFixture f = new ExchangeFixture();

    @After
    public void close() {
        f.close();
    }

    private int retries() {
        return f.upstream.leases.stream().mapToInt(lease -> lease.retryCalls).sum();
    }

    /** A GET goes out on a connection the pool lends as reused, and the origin closes it without answering. */
    private TestUpstream.Lease lostOnAReusedConnection() {
        f.upstream.nextReused = true;
        f.send("GET http://origin.test/again HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease reused = f.upstream.lease(0);
        assertEquals("/again", f.request(reused).uri);
        f.originCloses(reused);
        return reused;
    }

    @Test
    public void getLostOnAPooledConnectionIsSentOnceMoreOnTheRetryConnection() {
        f.send("GET http://origin.test/first HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease first = f.upstream.lease(0);
        f.request(first);
        f.respond(first, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1");
        assertEquals("1", f.reply().body);
        f.send("GET http://origin.test/second HTTP/1.1\r\nHost: origin.test\r\nX-Client: c\r\n\r\n");
        TestUpstream.Lease pooled = f.upstream.lease(1);
        assertTrue("the pool lent the idle connection again", pooled.reused());
        assertEquals("/second", f.request(pooled).uri);

        f.originCloses(pooled);

        assertEquals("retry() called once, on the lost lease", 1, pooled.retryCalls);
        assertEquals(1, retries());
        assertEquals("the retry is the only other connect", 2, f.upstream.requests.size());
        TestUpstream.Lease fresh = f.upstream.lease(2);
        assertFalse(fresh.reused());
        Sent resent = f.request(fresh);
        assertEquals("GET", resent.method);
        assertEquals("/second", resent.uri);
        assertEquals("origin.test", resent.header(HttpHeaderNames.HOST));
        assertEquals("Via is added once, not once per try", "1.1 ferry", resent.header(HttpHeaderNames.VIA));
        assertEquals("c", resent.header("X-Client"));
        assertTrue("the client saw nothing of the lost try", f.replies().isEmpty());

        f.respond(fresh, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond");

        assertEquals("second", f.reply().body);
        assertTrue(fresh.toString(), fresh.releasedOnce());
        assertEquals("the lost lease was not released to the pool", 0, pooled.releaseCalls);
        assertTrue(f.client.isOpen());
    }

    @Test
    public void retryConnectionClosingBeforeAResponseIsAnswered502() {
        lostOnAReusedConnection();
        TestUpstream.Lease fresh = f.upstream.lease(1);
        assertEquals("/again", f.request(fresh).uri);

        f.originCloses(fresh);

        Reply reply = f.reply();
        assertEquals(502, reply.status);
        assertEquals(INCOMPLETE, reply.header("Proxy-Status"));
        assertEquals("no second retry", 1, retries());
        assertEquals(2, f.upstream.leases.size());
        assertTrue(fresh.toString(), fresh.closedNotReleased());
        assertTrue("the request was complete: the client connection goes on", f.client.isOpen());
    }

    @Test
    public void engineRetriesOnlyOnceEvenWhenTheRetryConnectionAlsoClaimsToBeReused() {
        f.upstream.retryLeasesReused = true;
        lostOnAReusedConnection();
        TestUpstream.Lease fresh = f.upstream.lease(1);
        assertTrue(fresh.reused());

        f.originCloses(fresh);

        assertEquals(502, f.reply().status);
        assertEquals("the engine's own one-retry rule holds", 0, fresh.retryCalls);
        assertEquals(1, retries());
    }

    @Test
    public void retryWhoseConnectFailsIsAnsweredWithThatFailure() {
        f.upstream.retryFailure = new ConnectJobException(ProxyServer.DIRECT, ConnectStage.TCP,
                ProxyErrorType.CONNECTION_REFUSED, false, "connection refused by origin.test:80",
                new ConnectException("refused"));

        lostOnAReusedConnection();

        Reply reply = f.reply();
        assertEquals(502, reply.status);
        assertEquals("ferry; error=connection_refused; details=\"connection refused by origin.test:80\"",
                reply.header("Proxy-Status"));
        assertEquals(1, retries());
    }

    @Test
    public void postLostOnAReusedConnectionIsNotRetriedButAnswered502() {
        f.upstream.nextReused = true;
        f.send("POST http://origin.test/form HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 3\r\n\r\nabc");
        TestUpstream.Lease reused = f.upstream.lease(0);
        assertEquals("abc", f.request(reused).body);

        f.originCloses(reused);

        Reply reply = f.reply();
        assertEquals(502, reply.status);
        assertEquals(INCOMPLETE, reply.header("Proxy-Status"));
        assertEquals(0, retries());
        assertEquals("no second connect", 1, f.upstream.requests.size());
    }

    @Test
    public void getLostOnAFreshConnectionIsNotRetried() {
        f.send("GET http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease fresh = f.upstream.lease(0);
        f.request(fresh);

        f.originCloses(fresh);

        assertEquals(502, f.reply().status);
        assertEquals(0, retries());
    }
}
