package dev.ferry.plugin.headers.impl;

import static org.junit.Assert.assertTrue;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.Headers;
import dev.ferry.api.exchange.Verdict;
import java.net.InetSocketAddress;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.util.converter.Converters;

/**
 * Configurations as Config Admin would pass them, and requests as the engine would build them: from a client of
 * {@value #CLIENT} on the listener {@code http} unless the test says otherwise.
 */
final class HookFixture {

    static final String CLIENT = "192.0.2.7";

    private HookFixture() {
    }

    static HeaderRulesHook.Config config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(HeaderRulesHook.Config.class);
    }

    /** A configuration of the given keys and values, the defaults for the rest. */
    static HeaderRulesHook.Config config(Object... keysAndValues) {
        Map<String, Object> properties = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            properties.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return config(properties);
    }

    static String[] rules(String... rules) {
        return rules;
    }

    /** A GET of http://example.com/ from {@value #CLIENT}, with {@code headers} as name, value, name, value... */
    static ClientRequest.Builder get(String... headers) {
        return ClientRequest.builder().client(new InetSocketAddress(CLIENT, 50000))
                .local(new InetSocketAddress("127.0.0.1", 3128)).listener("http").protocol("http/1.1")
                .method("GET").target("http://example.com/", "example.com", 80).headers(headers(headers));
    }

    /** A CONNECT to example.com:443 from {@value #CLIENT}. */
    static ClientRequest.Builder connect(String... headers) {
        return get(headers).method("CONNECT").target("example.com:443", "example.com", 443);
    }

    static Headers headers(String... namesAndValues) {
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            entries.add(new SimpleImmutableEntry<>(namesAndValues[i], namesAndValues[i + 1]));
        }
        return Headers.of(entries);
    }

    /** The hook's answer, which must be there at once: it never waits for anything. */
    static Verdict verdict(CompletionStage<Verdict> stage) {
        CompletableFuture<Verdict> future = stage.toCompletableFuture();
        assertTrue("the stage is completed when returned", future.isDone());
        return future.join();
    }

    /** The edits as text, e.g. {@code SET X-Foo: bar}, {@code REMOVE Server}. */
    static List<String> shown(List<HeaderEdit> edits) {
        List<String> shown = new ArrayList<>();
        for (HeaderEdit edit : edits) {
            shown.add(edit.toString());
        }
        return shown;
    }

    /** The edits of the hook's verdict for {@code request}, as text. */
    static List<String> requestEdits(HeaderRulesHook hook, ClientRequest.Builder request) {
        Verdict verdict = verdict(hook.onRequest(request.build()));
        assertTrue(verdict.toString(), verdict.kind() == Verdict.Kind.PROCEED && verdict.target() == null
                && verdict.user() == null);
        return shown(verdict.headerEdits());
    }
}
