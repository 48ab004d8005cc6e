package dev.ferry.plugin.acl.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.api.proxy.ProxyErrorType;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.rules.ExternalResource;
import org.osgi.util.converter.Converters;

/**
 * Hooks made from configurations as Config Admin would pass them, and requests as the engine would build them: from
 * a client of {@value #CLIENT} on the listener {@value #LISTENER} at {@value #LOOPBACK_LISTENER} unless the test says
 * otherwise. Every hook made is deactivated after the test, its lookup threads with it.
 */
final class HookFixture extends ExternalResource {

    static final String CLIENT = "192.0.2.10";
    static final String LISTENER = "http";
    static final String LOOPBACK_LISTENER = "127.0.0.1";
    /** A listener socket other machines reach (TEST-NET-3, never routed). */
    static final String PUBLIC_LISTENER = "203.0.113.1";

    private final List<AccessControlHook> made = new ArrayList<>();

    static AccessControlHook.Config config(Map<String, Object> properties) {
        return Converters.standardConverter().convert(properties).to(AccessControlHook.Config.class);
    }

    static AccessControlHook.Config rulesConfig(String... rules) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("rules", rules);
        return config(properties);
    }

    /** A hook with the defaults and {@code rules}. */
    AccessControlHook hook(String... rules) {
        return hook(rulesConfig(rules));
    }

    AccessControlHook hook(AccessControlHook.Config config) {
        return keep(new AccessControlHook(config));
    }

    AccessControlHook hook(AccessControlHook.Config config, DestinationLookups lookups) {
        return keep(new AccessControlHook(config, lookups));
    }

    private AccessControlHook keep(AccessControlHook hook) {
        made.add(hook);
        return hook;
    }

    @Override
    protected void after() {
        for (AccessControlHook hook : made) {
            hook.deactivate();
        }
    }

    /** A GET of http://{@code host}:{@code port}/ through the loopback listener. */
    static ClientRequest.Builder get(String host, int port) {
        String authority = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        return ClientRequest.builder().client(new InetSocketAddress(CLIENT, 50000))
                .local(new InetSocketAddress(LOOPBACK_LISTENER, 3128)).listener(LISTENER).protocol("http/1.1")
                .method("GET").target("http://" + authority + "/", host, port);
    }

    /** A CONNECT to {@code host}:{@code port} through the loopback listener. */
    static ClientRequest.Builder connect(String host, int port) {
        String authority = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        return get(host, port).method("CONNECT").target(authority, host, port);
    }

    static InetSocketAddress address(String ip) {
        return new InetSocketAddress(ip, 3128);
    }

    /** The hook's answer, waiting for it when it resolves a name. */
    static Verdict verdict(CompletionStage<Verdict> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no verdict", e);
        }
    }

    static Verdict verdict(AccessControlHook hook, ClientRequest.Builder request) {
        return verdict(hook.onRequest(request.build()));
    }

    static void assertProceeds(AccessControlHook hook, ClientRequest.Builder request) {
        Verdict verdict = verdict(hook, request);
        assertEquals(request.build() + " should proceed: " + verdict, Verdict.Kind.PROCEED, verdict.kind());
    }

    /** Asserts a 403 of {@code type}; returns its text. */
    static String assertDenied(AccessControlHook hook, ClientRequest.Builder request, ProxyErrorType type) {
        Verdict verdict = verdict(hook, request);
        assertEquals(request.build() + " should be denied: " + verdict, Verdict.Kind.DENY, verdict.kind());
        assertEquals(verdict.toString(), type, verdict.errorType());
        assertEquals(403, verdict.status());
        assertTrue(verdict.text(), verdict.text() != null && !verdict.text().isEmpty());
        return verdict.text();
    }
}
