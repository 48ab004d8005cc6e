package dev.ferry.plugin.acl.impl;

import static dev.ferry.plugin.acl.impl.HookFixture.PUBLIC_LISTENER;
import static dev.ferry.plugin.acl.impl.HookFixture.address;
import static dev.ferry.plugin.acl.impl.HookFixture.assertDenied;
import static dev.ferry.plugin.acl.impl.HookFixture.assertProceeds;
import static dev.ferry.plugin.acl.impl.HookFixture.connect;
import static dev.ferry.plugin.acl.impl.HookFixture.get;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.testing.LeakCheck;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** connectPorts and denyPrivateDestinations, and where their names are resolved. */
public class DefaultsTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final ProxyErrorType PORT = ProxyErrorType.DESTINATION_PORT_PROHIBITED;
    private static final ProxyErrorType IP = ProxyErrorType.DESTINATION_IP_PROHIBITED;

    @Rule
    public final HookFixture hooks = new HookFixture();

    private final ExecutorService lookupThread = Executors.newSingleThreadExecutor();

    @After
    public void stopLookupThread() throws InterruptedException {
        lookupThread.shutdownNow();
        assertTrue(lookupThread.awaitTermination(5, TimeUnit.SECONDS));
    }

    private static ClientRequest.Builder viaPublicListener(ClientRequest.Builder request) {
        return request.local(address(PUBLIC_LISTENER));
    }

    private AccessControlHook hook(String setting, Object value, String... rules) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(setting, value);
        properties.put("rules", rules);
        return hooks.hook(HookFixture.config(properties));
    }

    @Test
    public void connectGoesOnlyToPort443() {
        AccessControlHook hook = hooks.hook();

        assertEquals("CONNECT to port 25 is not allowed (connectPorts)",
                assertDenied(hook, connect("mail.example.com", 25), PORT));
        assertProceeds(hook, connect("example.com", 443));
        // other methods are the rules' business
        assertProceeds(hook, get("example.com", 25));
    }

    @Test
    public void connectPortsIsCheckedBeforeTheRules() {
        assertDenied(hooks.hook("allow all"), connect("example.com", 8443), PORT);
    }

    @Test
    public void connectPortsTakesRangesAndEmptyTurnsItOff() {
        AccessControlHook ranges = hook("connectPorts", new String[] {"443", "8443-8444"});
        assertProceeds(ranges, connect("example.com", 8444));
        assertDenied(ranges, connect("example.com", 8445), PORT);

        AccessControlHook off = hook("connectPorts", new String[0]);
        assertProceeds(off, connect("example.com", 22));
        assertProceeds(hook("connectPorts", ""), connect("example.com", 22));
    }

    @Test
    public void privateLiteralsThroughAPublicListenerAreDenied() {
        AccessControlHook hook = hooks.hook();

        for (String internal : new String[] {"10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "169.254.169.254",
            "0.0.0.0", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1"}) {
            String text = assertDenied(hook, viaPublicListener(get(internal, 80)), IP);
            assertEquals("destination " + internal + " is a loopback, link-local, private or unspecified address"
                    + " (denyPrivateDestinations)", text);
        }
        assertProceeds(hook, viaPublicListener(get("192.0.2.1", 80)));
        assertProceeds(hook, viaPublicListener(get("172.32.0.1", 80)));
        assertProceeds(hook, viaPublicListener(get("2001:db8::1", 80)));
    }

    @Test
    public void privateLiteralsThroughALoopbackListenerAreAllowed() {
        AccessControlHook hook = hooks.hook();

        assertProceeds(hook, get("127.0.0.1", 8080));
        assertProceeds(hook, get("10.1.2.3", 80).local(address("::1")));
    }

    @Test
    public void denyPrivateDestinationsCanBeTurnedOff() {
        assertProceeds(hook("denyPrivateDestinations", false), viaPublicListener(get("10.1.2.3", 80)));
    }

    @Test
    public void anAllowRuleThatMatchesFirstLetsAPrivateDestinationThrough() {
        AccessControlHook hook = hooks.hook("allow dest=10.1.0.0/16");

        assertProceeds(hook, viaPublicListener(get("10.1.2.3", 80)));
        assertDenied(hook, viaPublicListener(get("10.2.0.1", 80)), IP);
    }

    @Test
    public void localhostIsResolvedOffTheCallingThreadAndDenied() throws Exception {
        CountDownLatch answerAwaited = new CountDownLatch(1);
        // holds the lookup until the test waits for it, so the stage cannot complete on this thread
        DestinationLookups gated = new DestinationLookups(task -> lookupThread.execute(() -> {
            try {
                answerAwaited.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            task.run();
        }));
        AccessControlHook hook = hooks.hook(HookFixture.rulesConfig(), gated);

        CompletableFuture<Verdict> answer = hook.onRequest(viaPublicListener(get("localhost", 80)).build())
                .toCompletableFuture();
        assertFalse("decided on the calling thread", answer.isDone());
        AtomicReference<Thread> completedOn = new AtomicReference<>();
        CompletableFuture<Verdict> seen = answer.whenComplete((v, e) -> completedOn.set(Thread.currentThread()));
        answerAwaited.countDown();

        Verdict verdict = seen.get(10, TimeUnit.SECONDS);
        assertEquals(verdict.toString(), IP, verdict.errorType());
        assertEquals("destination localhost resolves to a loopback, link-local, private or unspecified address"
                + " (denyPrivateDestinations)", verdict.text());
        assertNotSame(Thread.currentThread(), completedOn.get());
    }

    @Test
    public void localhostIsResolvedOnThePluginsOwnThreads() {
        AccessControlHook hook = hooks.hook();

        assertDenied(hook, viaPublicListener(get("localhost", 80)), IP);
        assertDenied(hook, viaPublicListener(connect("LOCALHOST", 443)), IP);
    }

    @Test
    public void namesThroughALoopbackListenerAreNotResolvedWithoutADestRule() {
        DestinationLookups none = new DestinationLookups(task -> {
            throw new AssertionError("looked up a name through a loopback listener");
        });
        AccessControlHook hook = hooks.hook(HookFixture.rulesConfig("deny port=25"), none);

        assertTrue(hook.onRequest(get("localhost", 80).build()).toCompletableFuture().isDone());
        assertProceeds(hook, get("localhost", 80));
    }

    @Test
    public void aDestRuleResolvesANameEvenThroughALoopbackListener() {
        AccessControlHook hook = hooks.hook("deny dest=127.0.0.0/8");

        assertEquals("denied by rules[0] (deny dest=127.0.0.0/8)", assertDenied(hook, get("localhost", 80), IP));
    }

    @Test
    public void aStoppedHookFailsARequestThatNeedsALookup() {
        AccessControlHook hook = hooks.hook();
        hook.deactivate();

        CompletableFuture<Verdict> answer = hook.onRequest(viaPublicListener(get("localhost", 80)).build())
                .toCompletableFuture();

        assertTrue(answer.isCompletedExceptionally());
        String message = answer.handle((v, e) -> e.getMessage()).join();
        assertTrue(message, message.contains("cannot look up localhost: the lookup pool is stopped"));
    }
}
