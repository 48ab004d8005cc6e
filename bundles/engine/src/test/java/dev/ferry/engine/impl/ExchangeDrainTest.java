package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.codec.ListenerClosing;
import dev.ferry.engine.impl.ExchangeFixture.Reply;
import dev.ferry.testing.LeakCheck;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.ConnectException;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The listener closing ({@link ListenerClosing} on each of its connections): an idle HTTP/1.1 connection is not cut
 * (its client may be sending a request right now), the exchange in flight or the next one says
 * {@code Connection: close} and ends the connection. When the whole proxy stops ({@link ListenerClosing#STOPPING}),
 * an idle connection closes at once.
 */
public class ExchangeDrainTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    private final ExchangeFixture f = new ExchangeFixture();

    @After
    public void close() {
        f.close();
    }

    private void listenerCloses() {
        f.client.pipeline().fireUserEventTriggered(ListenerClosing.INSTANCE);
        f.client.runPendingTasks();
    }

    private Reply exchange(String path) {
        f.send("GET http://origin.test" + path + " HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease lease = f.upstream.lastLease();
        assertEquals(path, f.request(lease).uri);
        f.respond(lease, OK);
        return f.reply();
    }

    @Test
    public void idleConnectionIsNotClosedAtOnceAndItsNextExchangeSaysConnectionCloseAndEndsIt() {
        assertNull("before: kept", exchange("/before").header(HttpHeaderNames.CONNECTION));

        listenerCloses();

        assertTrue("an idle connection is not cut while its client may be sending", f.client.isOpen());
        Reply reply = exchange("/after");
        assertEquals(200, reply.status);
        assertEquals("ok", reply.body);
        assertEquals("close", reply.header(HttpHeaderNames.CONNECTION));
        assertFalse("the connection ends after that response", f.client.isOpen());
        assertTrue("the origin connection is fine: back to the pool", f.upstream.lastLease().releasedOnce());
    }

    @Test
    public void whenTheProxyStopsAnIdleConnectionClosesAtOnce() {
        exchange("/before");

        f.client.pipeline().fireUserEventTriggered(ListenerClosing.STOPPING);
        f.client.runPendingTasks();

        assertFalse("no one will serve its next request: it closes now", f.client.isOpen());
        assertTrue(f.upstream.lastLease().releasedOnce());
    }

    @Test
    public void whenTheProxyStopsTheExchangeInFlightFinishesWithConnectionClose() {
        f.send("GET http://origin.test/slow HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease lease = f.upstream.lastLease();

        f.client.pipeline().fireUserEventTriggered(ListenerClosing.STOPPING);
        f.client.runPendingTasks();
        assertTrue("an exchange in flight is not cut", f.client.isOpen());
        f.respond(lease, OK);

        Reply reply = f.reply();
        assertEquals("ok", reply.body);
        assertEquals("close", reply.header(HttpHeaderNames.CONNECTION));
        assertFalse(f.client.isOpen());
    }

    @Test
    public void freshConnectionServesItsFirstRequestWithConnectionClose() {
        listenerCloses();
        assertTrue(f.client.isOpen());

        Reply reply = exchange("/first");

        assertEquals("close", reply.header(HttpHeaderNames.CONNECTION));
        assertFalse(f.client.isOpen());
    }

    @Test
    public void exchangeInFlightGetsConnectionCloseOnItsResponse() {
        f.send("GET http://origin.test/slow HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        TestUpstream.Lease lease = f.upstream.lease(0);

        listenerCloses();
        assertTrue(f.client.isOpen());
        f.respond(lease, OK);

        Reply reply = f.reply();
        assertEquals("ok", reply.body);
        assertEquals("close", reply.header(HttpHeaderNames.CONNECTION));
        assertFalse(f.client.isOpen());
        assertTrue(lease.releasedOnce());
    }

    @Test
    public void errorAnsweredWhileDrainingAlsoClosesTheConnection() {
        listenerCloses();
        f.upstream.hold = true;
        f.send("GET http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\n\r\n");

        f.upstream.held.get(0).fail(new ConnectException("refused"));

        Reply reply = f.reply();
        assertEquals(502, reply.status);
        assertEquals("close", reply.header(HttpHeaderNames.CONNECTION));
        assertFalse(f.client.isOpen());
    }

    @Test
    public void pipelinedRequestBehindTheLastExchangeIsNotForwarded() {
        f.send("GET http://origin.test/a HTTP/1.1\r\nHost: origin.test\r\n\r\n"
                + "GET http://origin.test/b HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        listenerCloses();

        f.respond(f.upstream.lease(0), OK);

        assertEquals("close", f.reply().header(HttpHeaderNames.CONNECTION));
        assertFalse(f.client.isOpen());
        assertEquals("the request behind it never went upstream", 1, f.upstream.requests.size());
    }

    @Test
    public void idleTimeoutAfterTheListenerClosedEndsTheIdleConnection() {
        exchange("/before");
        listenerCloses();

        f.client.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        f.client.runPendingTasks();

        assertFalse(f.client.isOpen());
    }

    @Test
    public void idleTimeoutDuringAnExchangeDoesNotCutIt() {
        f.send("GET http://origin.test/slow HTTP/1.1\r\nHost: origin.test\r\n\r\n");

        f.client.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        f.client.runPendingTasks();

        assertTrue(f.client.isOpen());
        f.respond(f.upstream.lease(0), OK);
        assertEquals("ok", f.reply().body);
    }
}
