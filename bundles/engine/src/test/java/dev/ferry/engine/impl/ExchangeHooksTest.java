package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.engine.impl.ExchangeFixture.Reply;
import dev.ferry.engine.impl.ExchangeFixture.Sent;
import dev.ferry.testing.LeakCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * The exchange hooks (plugins) on a real {@link ExchangeHandler}: what they see, what their verdicts do to the request
 * and to the client's answer, and that a hook that fails or never answers costs the client a 500 naming it, not a
 * hang. The fixture's plugin timeout is 200 ms ({@code ExchangeServices(..., 200)}).
 */
public class ExchangeHooksTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String GET = "GET http://origin.test/a HTTP/1.1\r\nHost: origin.test\r\n\r\n";
    private static final String POST_HEAD = "POST http://origin.test/upload HTTP/1.1\r\nHost: origin.test\r\n"
            + "Content-Length: 10\r\n\r\n";
    private static final String CONNECT = "CONNECT origin.test:25 HTTP/1.1\r\nHost: origin.test:25\r\n\r\n";

    private final ExchangeFixture f = new ExchangeFixture();
    private final List<ClientRequest> seen = new ArrayList<>();
    private long nextServiceId = 1;

    @After
    public void close() {
        f.close();
    }

    /** A request hook as a lambda. */
    interface RequestAnswer {
        CompletionStage<Verdict> answer(ClientRequest request);
    }

    static ExchangeHook hook(RequestAnswer answer) {
        return new ExchangeHook() {
            @Override
            public CompletionStage<Verdict> onRequest(ClientRequest request) {
                return answer.answer(request);
            }
        };
    }

    private void register(String name, int ranking, RequestAnswer answer) {
        f.services.hooks.add(hook(request -> {
            seen.add(request);
            return answer.answer(request);
        }), Map.of("component.name", name, "service.ranking", ranking, "service.id", nextServiceId++));
    }

    private static CompletionStage<Verdict> now(Verdict verdict) {
        return CompletableFuture.completedFuture(verdict);
    }

    @Test
    public void hooksRunInRankingOrderAndTheirEditsUserAndTargetReachTheOrigin() {
        register("test.low", 1, r -> now(Verdict.proceed().with(HeaderEdit.add("X-Seen-User", r.user()))));
        register("test.high", 100, r -> now(Verdict.proceed().withUser("alice")
                .with(HeaderEdit.set("X-Plugin", "yes")).with(HeaderEdit.remove("X-Secret"))
                .withTarget("http://elsewhere.test:8080/b")));

        f.send("GET http://origin.test/a HTTP/1.1\r\nHost: origin.test\r\nX-Secret: s3cret\r\n"
                + "Proxy-Authorization: Basic YWxpY2U6cHc=\r\n\r\n");

        assertEquals("test.high first", "http://origin.test/a", seen.get(0).target());
        assertEquals("origin.test", seen.get(0).host());
        assertEquals(80, seen.get(0).port());
        assertEquals("http/1.1", seen.get(0).protocol());
        assertEquals("the hook sees the credentials", "Basic YWxpY2U6cHc=",
                seen.get(0).headers().get("proxy-authorization"));
        assertEquals("test.low sees what test.high left", "alice", seen.get(1).user());
        assertEquals("http://elsewhere.test:8080/b", seen.get(1).target());
        assertEquals(8080, seen.get(1).port());
        assertEquals("the new target is where the proxy goes", "elsewhere.test",
                f.upstream.requests.get(0).destination().host());
        TestUpstream.Lease lease = f.upstream.lease(0);
        Sent sent = f.request(lease);
        assertEquals("/b", sent.uri);
        assertEquals("elsewhere.test:8080", sent.header("Host"));
        assertEquals("yes", sent.header("X-Plugin"));
        assertEquals("alice", sent.header("X-Seen-User"));
        assertNull(sent.header("X-Secret"));
        assertNull("credentials for the proxy never go upstream", sent.header("Proxy-Authorization"));
        f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertEquals("ok", f.reply().body);
    }

    @Test
    public void denialIsAnsweredWithItsStatusAndProxyStatusAndTheConnectionServesTheNextRequest() {
        register("test.acl", 0, r -> now(r.target().endsWith("/forbidden")
                ? Verdict.deny(ProxyErrorType.HTTP_REQUEST_DENIED, "denied by rules[0]") : Verdict.proceed()));

        // The denied request's body comes in the same read: it is dropped, and the next request is served.
        f.send("POST http://origin.test/forbidden HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 10\r\n\r\n"
                + "0123456789" + GET);

        Reply denied = f.reply();
        assertEquals(403, denied.status);
        assertEquals("ferry; error=http_request_denied; details=\"denied by rules[0]\"",
                denied.header("Proxy-Status"));
        assertEquals("only the next request went upstream", 1, f.upstream.requests.size());
        TestUpstream.Lease lease = f.upstream.lease(0);
        assertEquals("/a", f.request(lease).uri);
        f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertEquals(200, f.reply().status);
        assertTrue(f.client.isOpen());
    }

    @Test
    public void challengeIs407WithEveryProxyAuthenticateValue() {
        register("test.auth", 0, r -> now(Verdict.challenge("credentials required",
                "Basic realm=\"ferry\", charset=\"UTF-8\"", "Digest realm=\"ferry\"")));

        f.send(GET);

        Reply reply = f.reply();
        assertEquals(407, reply.status);
        assertEquals(List.of("Basic realm=\"ferry\", charset=\"UTF-8\"", "Digest realm=\"ferry\""),
                reply.headers.getAll("Proxy-Authenticate"));
        assertTrue(reply.header("Proxy-Status"), reply.header("Proxy-Status").contains("credentials required"));
        assertTrue("nothing went upstream", f.upstream.requests.isEmpty());
        assertTrue("the client may answer on the same connection", f.client.isOpen());
    }

    @Test
    public void hookThatThrowsFailsTheRequestWith500NamingIt() {
        register("test.boom", 0, r -> {
            throw new IllegalStateException("boom");
        });

        f.send(GET);

        Reply reply = f.reply();
        assertEquals(500, reply.status);
        assertEquals("ferry; error=proxy_internal_error; details=\"plugin test.boom failed: "
                + "java.lang.IllegalStateException: boom\"", reply.header("Proxy-Status"));
        assertTrue(f.upstream.requests.isEmpty());
    }

    @Test
    public void hookThatCompletesExceptionallyOrWithNullFailsTheRequestWith500NamingIt() {
        register("test.broken", 0, r -> r.target().endsWith("/a")
                ? CompletableFuture.failedFuture(new java.io.IOException("directory down"))
                : CompletableFuture.completedFuture(null));

        f.send(GET);
        assertEquals("ferry; error=proxy_internal_error; details=\"plugin test.broken failed: "
                + "java.io.IOException: directory down\"", f.reply().header("Proxy-Status"));
        f.send("GET http://origin.test/b HTTP/1.1\r\nHost: origin.test\r\n\r\n");
        assertEquals("ferry; error=proxy_internal_error; details=\"plugin test.broken answered null\"",
                f.reply().header("Proxy-Status"));
    }

    @Test
    public void hookThatNeverAnswersFailsTheRequestAfterThePluginTimeout() {
        register("test.slow", 0, r -> new CompletableFuture<>());

        f.send(POST_HEAD + "0123456789");
        assertEquals("nothing is answered while the hook may still answer", "", f.clientWire());
        f.advance(199);
        assertEquals("", f.clientWire());
        f.advance(1);

        Reply reply = f.reply();
        assertEquals(500, reply.status);
        assertEquals("ferry; error=proxy_internal_error; details=\"plugin test.slow did not answer within 200 ms\"",
                reply.header("Proxy-Status"));
        assertTrue(f.upstream.requests.isEmpty());
    }

    @Test
    public void bodyArrivingWhileALaterAnswerIsAwaitedReachesTheOriginIntact() {
        CompletableFuture<Verdict> answer = new CompletableFuture<>();
        register("test.lookup", 0, r -> answer);

        f.send(POST_HEAD + "01234");
        f.send("56789");
        assertTrue("the upstream side is asked only after the hooks", f.upstream.requests.isEmpty());
        // Completed off the event loop, as a plugin's own thread would.
        Thread t = new Thread(() -> answer.complete(Verdict.proceed().withUser("bob")));
        t.start();
        join(t);
        f.client.runPendingTasks();

        TestUpstream.Lease lease = f.upstream.lease(0);
        Sent sent = f.request(lease);
        assertEquals("0123456789", sent.body);
        f.respond(lease, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        assertEquals(201, f.reply().status);
    }

    @Test
    public void deniedConnectIsAnsweredAndClosedWithTheBytesBehindItDropped() {
        register("test.acl", 0, r -> now(r.isConnect() && r.port() != 443
                ? Verdict.deny(ProxyErrorType.DESTINATION_PORT_PROHIBITED, "CONNECT to port " + r.port()
                        + " is not allowed (connectPorts)") : Verdict.proceed()));

        f.send(CONNECT + "EHLO evil\r\n");

        Reply reply = f.reply();
        assertEquals(403, reply.status);
        assertEquals("ferry; error=destination_port_prohibited; details=\"CONNECT to port 25 is not allowed "
                + "(connectPorts)\"", reply.header("Proxy-Status"));
        assertEquals("close", reply.header("Connection"));
        assertTrue("no tunnel was asked for", f.upstream.requests.isEmpty());
        assertNull(f.relay.client);
    }

    @Test
    public void connectAllowedLaterCarriesTheBytesSentBehindItInOrder() {
        CompletableFuture<Verdict> answer = new CompletableFuture<>();
        register("test.lookup", 0, r -> answer);
        f.upstream.hold = true;

        f.send(CONNECT + "early-");
        f.send("more");
        assertTrue(f.upstream.requests.isEmpty());
        answer.complete(Verdict.proceed());
        f.client.runPendingTasks();
        TestUpstream.Lease lease = f.upstream.held.get(0).succeed();

        assertTrue(f.clientWire(), f.clientWire().startsWith("HTTP/1.1 200 "));
        assertEquals("early-more", f.originWire(lease));
        f.relay.done.setSuccess(new dev.ferry.api.spi.TunnelRelay.Stats(10, 0));
    }

    @Test
    public void clientLeavingBeforeTheAnswerAsksNothingUpstream() {
        CompletableFuture<Verdict> answer = new CompletableFuture<>();
        register("test.lookup", 0, r -> answer);

        f.send(POST_HEAD + "01234");
        f.clientLeaves();
        answer.complete(Verdict.proceed());
        f.client.runPendingTasks();

        assertTrue(f.upstream.requests.isEmpty());
        assertFalse(f.client.isOpen());
    }

    @Test
    public void hooksComingAndGoingChangeOnlyLaterExchanges() {
        CompletableFuture<Verdict> answer = new CompletableFuture<>();
        ExchangeHook waiting = hook(r -> answer);
        f.services.hooks.add(waiting, Map.of("component.name", "test.waiting", "service.id", 1L));

        f.send(GET);
        f.services.hooks.remove(waiting);
        assertTrue(f.services.hooks.chain().isEmpty());
        answer.complete(Verdict.deny(ProxyErrorType.HTTP_REQUEST_DENIED, "no"));
        f.client.runPendingTasks();

        assertEquals("the exchange kept the chain it started with", 403, f.reply().status);
        f.send(GET);
        TestUpstream.Lease lease = f.upstream.lease(0);
        f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertEquals(200, f.reply().status);
    }

    @Test
    public void rankingFromAnUntypedConfigurationIsReadAndRestrictionIsReported() {
        ExchangeHook a = hook(r -> now(Verdict.proceed()));
        ExchangeHook b = hook(r -> now(Verdict.proceed()));
        f.services.hooks.add(a, Map.of("component.name", "a", "service.ranking", "5", "service.id", 1L));
        f.services.hooks.add(b, Map.of("component.name", "b", "service.ranking", 7, "service.id", 2L,
                ExchangeHooks.RESTRICTS_CLIENTS, Boolean.TRUE));

        assertEquals("b", f.services.hooks.chain().get(0).name);
        assertEquals("a", f.services.hooks.chain().get(1).name);
        assertTrue(f.services.hooks.restrictClients());
        f.services.hooks.remove(b);
        assertFalse(f.services.hooks.restrictClients());
    }

    private static void join(Thread t) {
        try {
            t.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
