package dev.ferry.plugin.accesslog.impl;

import static dev.ferry.plugin.accesslog.impl.HookFixture.config;
import static org.junit.Assert.assertEquals;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.ExchangeSummary;
import dev.ferry.api.exchange.ResponseHead;
import dev.ferry.testing.LeakCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Squid's {@code %mt}: the Content-Type seen in {@code onResponse} shows in the line of that exchange, and nothing of
 * it stays once the exchange has ended. Through the object a registration hands out, as the engine calls it.
 */
public class ContentTypeTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();
    @Rule
    public final HookFixture hooks = new HookFixture();

    private static ResponseHead response(String contentType) {
        return ResponseHead.of(200, Exchanges.headers("Content-Type", contentType, "Content-Length", "411"));
    }

    private static ExchangeSummary ended(ClientRequest request) {
        return Exchanges.summary(request, 180).status(200).bytes(0, 411).upstream("DIRECT").build();
    }

    private List<String> read(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    @Test
    public void theResponsesContentTypeShowsInItsLineAndIsForgottenAtTheEnd() throws IOException {
        AccessLogHook hook = hooks.hook("squid", config("format", "squid", "file", "squid.log"),
                folder.getRoot().toPath());
        ExchangeHook bound = new HookRegistration.Registered(hook);
        ClientRequest first = Exchanges.getRequest();
        ClientRequest second = Exchanges.getRequest();

        assertEquals("no edits", List.of(), bound.onResponse(first, response("text/html")));
        assertEquals(List.of(), bound.onResponse(second, response("image/png")));
        assertEquals(2, hook.pendingContentTypes());
        bound.onEnd(ended(second));
        bound.onEnd(ended(first));
        bound.onEnd(ended(Exchanges.getRequest())); // no response seen for this one
        assertEquals("nothing kept after the ends", 0, hook.pendingContentTypes());
        hooks.deactivate(hook);

        String prefix = "1796634902.123    180 127.0.0.1 TCP_MISS/200 411 GET http://example.org/ alice"
                + " HIER_DIRECT/example.org ";
        assertEquals(List.of(prefix + "image/png", prefix + "text/html", prefix + "-"),
                read(folder.getRoot().toPath().resolve("squid.log")));
    }

    @Test
    public void otherFormatsRecordNothing() {
        AccessLogHook hook = hooks.hook("json", config("format", "json", "file", "json.log"),
                folder.getRoot().toPath());
        ExchangeHook bound = new HookRegistration.Registered(hook);

        bound.onResponse(Exchanges.getRequest(), response("text/html"));

        assertEquals(0, hook.pendingContentTypes());
    }
}
