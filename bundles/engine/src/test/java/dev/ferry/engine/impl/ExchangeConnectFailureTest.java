package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyResolutionException;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.engine.impl.ExchangeFixture.Reply;
import dev.ferry.testing.LeakCheck;
import io.netty.channel.ConnectTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * A forwarded request whose upstream connection does not come: the connector's failures, a connector that is not
 * running (the 503 after the service wait, {@code ExchangeServices(50, ...)}), and a client that leaves meanwhile.
 */
public class ExchangeConnectFailureTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String GET = "GET http://origin.test/ HTTP/1.1\r\nHost: origin.test\r\n\r\n";

    private ExchangeFixture f = new ExchangeFixture();

    @After
    public void close() {
        f.close();
    }

    /** A fixture whose connector is not bound (the client codec and relay are). */
    private void withoutConnector() {
        f.close();
        f = new ExchangeFixture(false);
        f.services.clientCodec.bind(TestCodecs.CLIENT);
        f.services.relay.bind(f.relay);
    }

    /** The client sends {@code request}; the connect fails with {@code cause} once it has run a while. */
    private Reply failedConnect(String request, Throwable cause) {
        f.upstream.hold = true;
        f.send(request);
        f.upstream.held.get(0).fail(cause);
        f.upstream.hold = false;
        return f.reply();
    }

    private static ConnectJobException dnsError() {
        return new ConnectJobException(ProxyServer.DIRECT, ConnectStage.TCP, ProxyErrorType.DNS_ERROR, false,
                "cannot resolve nowhere.test", new UnknownHostException("nowhere.test"));
    }

    @Test
    public void dnsFailureIsAnswered502DnsErrorAndTheConnectionServesTheNextRequest() {
        Reply reply = failedConnect("GET http://nowhere.test/ HTTP/1.1\r\nHost: nowhere.test\r\n\r\n", dnsError());

        assertEquals(502, reply.status);
        assertEquals("ferry; error=dns_error; details=\"cannot resolve nowhere.test\"", reply.header("Proxy-Status"));
        assertEquals("502 Bad Gateway: cannot resolve nowhere.test\n", reply.body);
        assertEquals("the request was read completely: the connection is kept", null, reply.header("Connection"));
        assertTrue(f.client.isOpen());
        f.send(GET);
        TestUpstream.Lease lease = f.upstream.lease(0);
        f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertEquals("ok", f.reply().body);
    }

    @Test
    public void connectTimeoutThroughAProxyIsAnswered504() {
        ProxyServer proxy = ProxyServer.of(ProxyServer.Scheme.HTTP, "parent.test", 3128);

        Reply reply = failedConnect(GET, new ConnectJobException(proxy, ConnectStage.TCP,
                ProxyErrorType.CONNECTION_TIMEOUT, true, "timed out connecting to parent.test:3128",
                new ConnectTimeoutException("t")));

        assertEquals(504, reply.status);
        assertEquals("ferry; error=connection_timeout; details=\"timed out connecting to parent.test:3128\"",
                reply.header("Proxy-Status"));
    }

    @Test
    public void proxyResolutionFailureIsAnswered500ProxyConfigurationError() {
        Reply reply = failedConnect(GET, new ProxyResolutionException("PAC script threw", null));

        assertEquals(500, reply.status);
        assertEquals("ferry; error=proxy_configuration_error; details=\"cannot choose a proxy for origin.test:80: "
                + "PAC script threw\"", reply.header("Proxy-Status"));
    }

    @Test
    public void connectFailingAtOnceKeepsTheConnectionOfABodylessRequestLikeALaterFailure() {
        f.upstream.failure = dnsError();

        f.send("GET http://nowhere.test/ HTTP/1.1\r\nHost: nowhere.test\r\n\r\n" + GET);

        List<Reply> replies = f.replies();
        assertEquals("both pipelined requests are answered", 2, replies.size());
        assertEquals(502, replies.get(0).status);
        assertEquals(null, replies.get(0).header("Connection"));
        assertTrue(f.client.isOpen());
    }

    @Test
    public void connectorNotRunningIsAnswered503AfterTheServiceWait() {
        withoutConnector();

        f.send(GET);
        f.advance(49);
        assertTrue("the request waits for the connector", f.replies().isEmpty());
        f.advance(1);

        Reply reply = f.reply();
        assertEquals(503, reply.status);
        assertEquals("ferry; error=proxy_internal_error; details=\"the upstream connector (dev.ferry.pool) is not "
                + "running (waited 50 ms for it)\"", reply.header("Proxy-Status"));
        assertTrue("503 is worth a retry on the same connection", f.client.isOpen());
    }

    @Test
    public void clientCodecNotRunningIsAnswered503WithoutAskingTheConnector() {
        f.close();
        f = new ExchangeFixture(false);
        f.services.connector.bind(f.upstream);

        f.send(GET);
        f.advance(50);

        Reply reply = f.reply();
        assertEquals(503, reply.status);
        assertEquals("ferry; error=proxy_internal_error; details=\"the HTTP/1.1 client codec (dev.ferry.http1) is "
                + "not running (waited 50 ms for it)\"", reply.header("Proxy-Status"));
        assertTrue(f.upstream.requests.isEmpty());
    }

    @Test
    public void connectorBoundDuringTheWaitServesTheWaitingRequest() {
        withoutConnector();
        f.send(GET);
        f.advance(30);

        f.services.connector.bind(f.upstream);

        assertEquals(1, f.upstream.requests.size());
        TestUpstream.Lease lease = f.upstream.lease(0);
        assertEquals("/", f.request(lease).uri);
        f.advance(100);
        assertTrue("the wait's timeout is gone", f.replies().isEmpty());
        f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        Reply reply = f.reply();
        assertEquals(200, reply.status);
        assertEquals("ok", reply.body);
    }

    @Test
    public void clientLeavingDuringTheServiceWaitStopsWaiting() {
        withoutConnector();
        f.send(GET);

        f.clientLeaves();
        f.services.connector.bind(f.upstream);
        f.advance(100);

        assertTrue("a connector bound after the client left is not asked", f.upstream.requests.isEmpty());
    }

    @Test
    public void clientLeavingWhileTheConnectIsPendingCancelsIt() {
        f.upstream.hold = true;
        f.send(GET);
        TestUpstream.Held pending = f.upstream.held.get(0);
        assertFalse(pending.future.isDone());

        f.clientLeaves();

        assertTrue("the connector's future is cancelled", pending.future.isCancelled());
    }

    @Test
    public void leaseArrivingAfterTheClientLeftIsClosedNotUsed() {
        f.upstream.hold = true;
        f.send(GET);
        TestUpstream.Held pending = f.upstream.held.get(0);
        pending.future.setUncancellable();
        f.clientLeaves();

        TestUpstream.Lease late = pending.succeed();

        assertTrue(late.toString(), late.closedNotReleased());
        assertFalse(late.channel.isOpen());
        assertTrue("nothing was sent on it", f.originWire(late).isEmpty());
    }
}
