package dev.ferry.engine.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.ExchangeSummary;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.ResponseHead;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.spi.TunnelRelay;
import dev.ferry.engine.impl.ExchangeFixture.Reply;
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

/** The exchange hooks' response-head and end-of-exchange calls, on a real {@link ExchangeHandler}. */
public class ExchangeResponseAndEndHooksTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final String GET = "GET http://origin.test/a HTTP/1.1\r\nHost: origin.test\r\n\r\n";

    private final ExchangeFixture f = new ExchangeFixture();
    private final List<String> calls = new ArrayList<>();
    private final List<ExchangeSummary> ended = new ArrayList<>();
    private long nextServiceId = 1;

    @After
    public void close() {
        f.close();
    }

    /** A hook that records its calls, answers requests with {@code verdict} and responses with {@code edits}. */
    private void register(String name, int ranking, Verdict verdict, List<HeaderEdit> edits) {
        f.services.hooks.add(new ExchangeHook() {
            @Override
            public CompletionStage<Verdict> onRequest(ClientRequest request) {
                calls.add(name + ".request");
                return CompletableFuture.completedFuture(verdict);
            }

            @Override
            public List<HeaderEdit> onResponse(ClientRequest request, ResponseHead response) {
                calls.add(name + ".response " + response.status() + " x-order=" + response.headers().get("x-order"));
                return edits;
            }

            @Override
            public void onEnd(ExchangeSummary summary) {
                calls.add(name + ".end");
                ended.add(summary);
            }
        }, Map.of("component.name", name, "service.ranking", ranking, "service.id", nextServiceId++));
    }

    @Test
    public void responseHeadersAreEditedInRankingOrderButNeverItsFraming() {
        register("first", 10, Verdict.proceed().withUser("alice"), List.of(HeaderEdit.set("X-Order", "first"),
                HeaderEdit.remove("Server"), HeaderEdit.remove("Content-Length")));
        register("second", 5, Verdict.proceed(), List.of(HeaderEdit.add("X-Order", "second")));

        f.send(GET);
        TestUpstream.Lease lease = f.upstream.lease(0);
        f.request(lease);
        f.respond(lease, "HTTP/1.1 200 OK\r\nServer: origin/1.0\r\nContent-Length: 5\r\n\r\nhello");

        Reply reply = f.reply();
        assertEquals("hello", reply.body);
        assertEquals(List.of("first", "second"), reply.headers.getAll("X-Order"));
        assertNull(reply.header("Server"));
        assertEquals("the body is framed as the origin framed it", "5", reply.header("Content-Length"));
        assertEquals(List.of("first.request", "second.request", "first.response 200 x-order=null",
                "second.response 200 x-order=first", "first.end", "second.end"), calls);
        ExchangeSummary summary = ended.get(0);
        assertEquals(200, summary.status());
        assertEquals(5, summary.bytesToClient());
        assertEquals("alice", summary.request().user());
        assertEquals("DIRECT", summary.upstream());
        assertNull(summary.error());
    }

    @Test
    public void everyHookOfADeniedExchangeHearsItsEndWithTheError() {
        register("acl", 10, Verdict.deny(ProxyErrorType.DESTINATION_PORT_PROHIBITED, "port 25 is not allowed"),
                List.of());
        register("log", 1, Verdict.proceed(), List.of());

        f.send("CONNECT origin.test:25 HTTP/1.1\r\nHost: origin.test:25\r\n\r\n");

        assertEquals(403, f.reply().status);
        assertEquals("the log hook was not asked, but hears the end", List.of("acl.request", "acl.end", "log.end"),
                calls);
        ExchangeSummary summary = ended.get(1);
        assertEquals(403, summary.status());
        assertEquals(ProxyErrorType.DESTINATION_PORT_PROHIBITED, summary.error());
        assertEquals("port 25 is not allowed", summary.errorDetails());
        assertNull("no upstream was used", summary.upstream());
        assertTrue(summary.request().isConnect());
    }

    @Test
    public void tunnelEndsWhenTheRelayIsDoneWithItsBytes() {
        register("log", 1, Verdict.proceed(), List.of());
        f.upstream.hold = true;

        f.send("CONNECT origin.test:443 HTTP/1.1\r\nHost: origin.test:443\r\n\r\n");
        f.upstream.held.get(0).succeed();
        assertEquals(List.of("log.request"), calls);
        f.relay.done.setSuccess(new TunnelRelay.Stats(1234, 5678));
        f.client.runPendingTasks();

        assertEquals(List.of("log.request", "log.end"), calls);
        assertEquals(200, ended.get(0).status());
        assertEquals(1234, ended.get(0).bytesFromClient());
        assertEquals(5678, ended.get(0).bytesToClient());
    }

    @Test
    public void hooksThatThrowOnTheResponseOrTheEndChangeNothing() {
        f.services.hooks.add(new ExchangeHook() {
            @Override
            public List<HeaderEdit> onResponse(ClientRequest request, ResponseHead response) {
                throw new IllegalStateException("broken response hook");
            }

            @Override
            public void onEnd(ExchangeSummary summary) {
                throw new IllegalStateException("broken end hook");
            }
        }, Map.of("component.name", "broken", "service.id", 1L));

        f.send(GET);
        TestUpstream.Lease lease = f.upstream.lease(0);
        f.respond(lease, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertEquals("ok", f.reply().body);
        f.send(GET);
        f.respond(f.upstream.lease(0), "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes");
        assertEquals("yes", f.reply().body);
    }

    @Test
    public void requestHookCannotChangeTheRequestBodysFraming() {
        f.services.hooks.add(ExchangeHooksTest.hook(r -> CompletableFuture.completedFuture(Verdict.proceed()
                .with(HeaderEdit.remove("Content-Length")).with(HeaderEdit.set("Transfer-Encoding", "chunked")))),
                Map.of("component.name", "meddler", "service.id", 1L));

        f.send("POST http://origin.test/up HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 4\r\n\r\nbody");

        TestUpstream.Lease lease = f.upstream.lease(0);
        ExchangeFixture.Sent sent = f.request(lease);
        assertEquals("4", sent.header("Content-Length"));
        assertNull(sent.header("Transfer-Encoding"));
        assertEquals("body", sent.body);
        f.respond(lease, "HTTP/1.1 204 No Content\r\n\r\n");
        assertEquals(204, f.reply().status);
    }
}
