package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.engine.impl.ExchangeFixture.Reply;
import dev.ferry.testing.LeakCheck;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * An origin that takes the request and does not answer: once the whole request has gone to it, its response must
 * start within {@code responseTimeoutSeconds} (5 s here), or the client gets 504 and the origin connection closes.
 * The time the client takes to send its body does not count.
 */
public class ExchangeResponseTimeoutTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String GET = "GET http://origin.test/a HTTP/1.1\r\nHost: origin.test\r\n\r\n";

    private final ExchangeFixture f = new ExchangeFixture();

    public ExchangeResponseTimeoutTest() {
        f.services.responseTimeoutSeconds(5);
    }

    @After
    public void close() {
        f.close();
    }

    /** The origin connection's clock (its timers run on its own embedded loop) moves {@code seconds} ahead. */
    private void originWaits(TestUpstream.Lease lease, long seconds) {
        lease.channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        lease.channel.runPendingTasks();
        f.client.runPendingTasks();
    }

    @Test
    public void originThatNeverAnswersIs504AfterTheResponseTimeout() {
        f.send(GET);
        TestUpstream.Lease lease = f.upstream.lease(0);
        assertEquals("/a", f.request(lease).uri);

        originWaits(lease, 4);
        assertEquals("", f.clientWire());
        originWaits(lease, 1);

        Reply reply = f.reply();
        assertEquals(504, reply.status);
        assertEquals("ferry; error=http_response_timeout; details=\"origin sent no response within 5 s "
                + "(responseTimeoutSeconds)\"", reply.header("Proxy-Status"));
        assertEquals("the silent connection is closed, not pooled again: " + lease, 0, lease.releaseCalls);
        assertEquals(1, lease.closeCalls);
        assertTrue("the request was complete: the client connection stays", f.client.isOpen());
    }

    @Test
    public void theClientsSlowBodyDoesNotCount() {
        f.send("POST http://origin.test/up HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 4\r\n\r\nab");
        TestUpstream.Lease lease = f.upstream.lease(0);
        originWaits(lease, 30);
        assertEquals("", f.clientWire());

        f.send("cd");
        originWaits(lease, 4);
        assertEquals("", f.clientWire());
        originWaits(lease, 1);

        assertEquals(504, f.reply().status);
    }

    @Test
    public void aResponseStartedInTimeMayTakeItsTimeToFinish() {
        f.send(GET);
        TestUpstream.Lease lease = f.upstream.lease(0);
        originWaits(lease, 4);
        f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab");
        originWaits(lease, 60);
        f.respond(lease, "cd");

        Reply reply = f.reply();
        assertEquals(200, reply.status);
        assertEquals("abcd", reply.body);
    }
}
