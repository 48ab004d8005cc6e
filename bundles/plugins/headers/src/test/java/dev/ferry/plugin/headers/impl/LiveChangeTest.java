package dev.ferry.plugin.headers.impl;

import static dev.ferry.plugin.headers.impl.HookFixture.get;
import static dev.ferry.plugin.headers.impl.HookFixture.headers;
import static dev.ferry.plugin.headers.impl.HookFixture.requestEdits;
import static dev.ferry.plugin.headers.impl.HookFixture.rules;
import static dev.ferry.plugin.headers.impl.HookFixture.shown;
import static dev.ferry.plugin.headers.impl.HookFixture.verdict;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.ResponseHead;
import dev.ferry.testing.LeakCheck;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The component's activation, configuration changes ({@link HeaderRulesHook#modified}) and deactivation, seen
 * through the service objects the engine would have bound, registered with a recording bundle context.
 */
public class LiveChangeTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    /** What the bundle context saw: registrations and unregistrations, in order. */
    private final List<String> events = new ArrayList<>();
    /** The registered service objects and their properties, in the order registered. */
    private final List<ExchangeHook> registered = new ArrayList<>();
    private final List<Dictionary<String, ?>> properties = new ArrayList<>();
    private HeaderRulesHook hook;

    private static HeaderRulesHook.Config config(int ranking, String... requestRules) {
        Map<String, Object> map = new HashMap<>();
        map.put("requestHeaders", requestRules);
        map.put("service.ranking", ranking);
        return HookFixture.config(map);
    }

    private void activate(HeaderRulesHook.Config config) {
        hook = new HeaderRulesHook(config);
        hook.register(recordingContext(), config, Map.of("service.pid", HeaderRulesHook.PID,
                "component.name", HeaderRulesHook.PID, "requestHeaders", config.requestHeaders()));
    }

    @After
    public void deactivate() {
        if (hook != null) {
            hook.deactivate();
        }
    }

    private static List<String> edits(ExchangeHook bound) {
        return shown(verdict(bound.onRequest(get().build())).headerEdits());
    }

    @Test
    public void withTheDefaultsNothingIsRegistered() {
        activate(HookFixture.config());

        assertEquals(List.of(), events);
    }

    @Test
    public void theServiceCarriesItsNameAndRanking() {
        activate(config(100, "set X-Team: blue"));

        assertEquals(List.of("register 100"), events);
        Dictionary<String, ?> first = properties.get(0);
        assertEquals(100, first.get("service.ranking"));
        assertEquals("dev.ferry.headers", first.get("component.name"));
        assertEquals("dev.ferry.headers", first.get("service.pid"));
        assertEquals("the rules are no service property", null, first.get("requestHeaders"));
        assertEquals("dev.ferry.headers", registered.get(0).toString());
    }

    @Test
    public void theRegisteredServiceAnswersRequestsAndResponses() {
        HeaderRulesHook.Config config = HookFixture.config("requestHeaders", rules("set X-Team: blue"),
                "responseHeaders", rules("remove Server"));
        hook = new HeaderRulesHook(config);
        hook.register(recordingContext(), config, Map.of("component.name", HeaderRulesHook.PID));

        ExchangeHook bound = registered.get(0);
        assertEquals(List.of("SET X-Team: blue"), edits(bound));
        assertEquals(List.of("REMOVE Server"), shown(bound.onResponse(get().build(),
                ResponseHead.of(200, headers("Server", "x")))));
        assertEquals("without a configuration there is no service.pid", null, properties.get(0).get("service.pid"));
    }

    @Test
    public void newRulesReachTheServiceAlreadyBound() {
        activate(config(100, "set X-Team: blue"));
        ExchangeHook bound = registered.get(0);

        hook.modified(config(100, "set X-Team: red", "remove Cookie"));

        assertEquals(List.of("SET X-Team: red", "REMOVE Cookie"), edits(bound));
        assertEquals("no new registration for new rules", List.of("register 100"), events);
    }

    @Test
    public void aChangeLeavingNothingToDoUnregistersAndOneGivingWorkRegisters() {
        activate(config(100, "set X-Team: blue"));

        hook.modified(config(100));
        assertEquals(List.of("register 100", "unregister 100"), events);

        Map<String, Object> xff = new HashMap<>();
        xff.put("xForwardedFor", true);
        xff.put("service.ranking", 100);
        hook.modified(HookFixture.config(xff));
        assertEquals(List.of("register 100", "unregister 100", "register 100"), events);
        assertEquals(List.of("SET X-Forwarded-For: 192.0.2.7"), edits(registered.get(1)));

        hook.modified(config(300));
        hook.modified(config(400));
        assertEquals("a ranking alone is no work", List.of("register 100", "unregister 100", "register 100",
                "unregister 100"), events);
    }

    @Test
    public void aComponentActivatedWithoutWorkRegistersWhenGivenSome() {
        activate(config(100));

        hook.modified(config(250, "remove Cookie"));

        assertEquals(List.of("register 250"), events);
        assertEquals(List.of("REMOVE Cookie"), edits(registered.get(0)));
    }

    @Test
    public void aNewRankingRegistersAgainBeforeTheOldRegistrationGoes() {
        activate(config(100, "set X-Team: blue"));

        hook.modified(config(150, "set X-Team: blue"));

        assertEquals(List.of("register 100", "register 150", "unregister 100"), events);
        assertNotSame("the engine tells its hooks apart by identity", registered.get(0), registered.get(1));
        assertEquals(List.of("SET X-Team: blue"), edits(registered.get(1)));
        assertEquals("dev.ferry.headers", properties.get(1).get("component.name"));
    }

    @Test
    public void aChangeWithABadRuleKeepsTheRulesInForceAndIsOneErrorLine() {
        activate(config(100, "set X-Team: blue"));
        ExchangeHook bound = registered.get(0);

        String log = stderrOf(() -> hook.modified(config(7, "set X-Team: red", "set X-Foo")));

        assertEquals(List.of("SET X-Team: blue"), edits(bound));
        assertEquals("the ranking of a bad change is not applied", List.of("register 100"), events);
        List<String> errors = new ArrayList<>();
        for (String line : log.split("\\R")) {
            if (line.contains("ERROR")) {
                errors.add(line);
            }
        }
        assertEquals(log, 1, errors.size());
        assertTrue(errors.get(0), errors.get(0).contains(
                "dev.ferry.headers: requestHeaders[1] 'set X-Foo': a set rule needs 'Name: value'; keeping"));

        hook.modified(config(100));
        stderrOf(() -> hook.modified(config(100, "remove Host")));
        assertEquals("nor does a bad change register", List.of("register 100", "unregister 100"), events);
    }

    @Test
    public void deactivationUnregisters() {
        activate(config(100, "set X-Team: blue"));

        hook.deactivate();
        hook = null;

        assertEquals(List.of("register 100", "unregister 100"), events);
    }

    /** What {@code action} wrote to System.err, where slf4j-simple logs (it looks the stream up at each line). */
    private static String stderrOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        original.print(text);
        return text;
    }

    /** A bundle context that records each registration of an ExchangeHook and its end. */
    @SuppressWarnings("unchecked")
    private BundleContext recordingContext() {
        ClassLoader loader = getClass().getClassLoader();
        return (BundleContext) Proxy.newProxyInstance(loader, new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    assertEquals("registerService", method.getName());
                    assertEquals(ExchangeHook.class, args[0]);
                    Dictionary<String, ?> props = (Dictionary<String, ?>) args[2];
                    int ranking = (Integer) props.get("service.ranking");
                    registered.add((ExchangeHook) args[1]);
                    properties.add(props);
                    events.add("register " + ranking);
                    return Proxy.newProxyInstance(loader, new Class<?>[] {ServiceRegistration.class},
                            (registration, call, none) -> {
                                assertEquals("unregister", call.getName());
                                events.add("unregister " + ranking);
                                return null;
                            });
                });
    }
}
