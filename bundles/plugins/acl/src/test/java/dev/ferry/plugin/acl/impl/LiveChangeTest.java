package dev.ferry.plugin.acl.impl;

import static dev.ferry.plugin.acl.impl.HookFixture.get;
import static dev.ferry.plugin.acl.impl.HookFixture.verdict;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;

import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.Verdict;
import dev.ferry.testing.LeakCheck;
import java.lang.reflect.Proxy;
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
 * Configuration changes applied by {@link AccessControlHook#modified}, seen through the service objects the engine
 * would have bound, registered with a recording bundle context.
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
    private AccessControlHook hook;

    private static AccessControlHook.Config config(int ranking, String... rules) {
        Map<String, Object> map = new HashMap<>();
        map.put("rules", rules);
        map.put("service.ranking", ranking);
        return HookFixture.config(map);
    }

    private ExchangeHook activate(AccessControlHook.Config config) {
        hook = new AccessControlHook(config);
        hook.register(recordingContext(), config, Map.of("service.pid", AccessControlHook.PID,
                "component.name", AccessControlHook.PID, "rules", config.rules()));
        return registered.get(0);
    }

    @After
    public void deactivate() {
        if (hook != null) {
            hook.deactivate();
        }
    }

    private static Verdict.Kind kind(ExchangeHook bound, int port) {
        return verdict(bound.onRequest(get("example.com", port).build())).kind();
    }

    @Test
    public void theServiceCarriesItsNameRankingAndRestrictsClients() {
        activate(config(1000, "deny port=25"));

        Dictionary<String, ?> first = properties.get(0);
        assertEquals(1000, first.get("service.ranking"));
        assertEquals(false, first.get(AccessControlHook.RESTRICTS_CLIENTS));
        assertEquals("dev.ferry.acl", first.get("component.name"));
        assertEquals("dev.ferry.acl", first.get("service.pid"));
        assertEquals("the rules are no service property", null, first.get("rules"));
    }

    @Test
    public void newRulesReachTheServiceAlreadyBound() {
        ExchangeHook bound = activate(config(1000, "deny port=25"));
        assertEquals(Verdict.Kind.DENY, kind(bound, 25));

        hook.modified(config(1000, "deny port=26"));

        assertEquals(Verdict.Kind.PROCEED, kind(bound, 25));
        assertEquals(Verdict.Kind.DENY, kind(bound, 26));
        assertEquals("no new registration for new rules", List.of("register 1000 false"), events);
    }

    @Test
    public void aChangeWithABadRuleKeepsTheRulesInForce() {
        ExchangeHook bound = activate(config(1000, "deny port=25"));

        hook.modified(config(7, "deny port=26", "deny prot=27"));
        hook.modified(config(7, "allow client=10.0.0.0/8", "deny all", "deny port=70000"));

        assertEquals(Verdict.Kind.DENY, kind(bound, 25));
        assertEquals(Verdict.Kind.PROCEED, kind(bound, 26));
        assertEquals("the ranking of a bad change is not applied", List.of("register 1000 false"), events);
    }

    @Test
    public void aNewRankingRegistersAgainBeforeTheOldRegistrationGoes() {
        activate(config(1000, "deny port=25"));

        hook.modified(config(1500, "deny port=25"));

        assertEquals(List.of("register 1000 false", "register 1500 false", "unregister 1000"), events);
        assertNotSame("the engine tells its hooks apart by identity", registered.get(0), registered.get(1));
        assertEquals(Verdict.Kind.DENY, kind(registered.get(1), 25));
        assertEquals("dev.ferry.acl", registered.get(1).toString());
    }

    @Test
    public void rulesThatStartRestrictingClientsRegisterAgainWithTheProperty() {
        activate(config(1000, "deny port=25"));

        hook.modified(config(1000, "allow client=10.0.0.0/8", "deny all"));
        hook.modified(config(1000, "allow client=10.0.0.0/16", "deny all"));
        hook.modified(config(1000));

        assertEquals(List.of("register 1000 false", "register 1000 true", "unregister 1000",
                "register 1000 false", "unregister 1000"), events);
        assertEquals(true, properties.get(1).get(AccessControlHook.RESTRICTS_CLIENTS));

        hook.deactivate();
        assertEquals("unregister 1000", events.get(events.size() - 1));
        hook = null;
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
                    events.add("register " + ranking + " " + props.get(AccessControlHook.RESTRICTS_CLIENTS));
                    return Proxy.newProxyInstance(loader, new Class<?>[] {ServiceRegistration.class},
                            (registration, call, none) -> {
                                assertEquals("unregister", call.getName());
                                events.add("unregister " + ranking);
                                return null;
                            });
                });
    }
}
