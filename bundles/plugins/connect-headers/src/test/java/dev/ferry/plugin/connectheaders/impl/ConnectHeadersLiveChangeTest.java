package dev.ferry.plugin.connectheaders.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotSame;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.testing.LeakCheck;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.converter.Converters;

/**
 * Configuration changes applied by {@link ConnectHeadersDelegate#modified}, seen through the service objects a
 * consumer (the pool) would have bound, registered with a recording bundle context.
 */
public class ConnectHeadersLiveChangeTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final HostAndPort DESTINATION = HostAndPort.of("example.org", 443);
    private static final ProxyServer CORPORATE = ProxyServer.parse("http://proxy.corp:3128");
    private static final ProxyServer OTHER = ProxyServer.parse("http://other.corp:3128");

    /** What the bundle context saw: registrations and unregistrations, in order. */
    private final List<String> events = new ArrayList<>();
    /** The registered service objects, by ranking. */
    private final Map<Integer, ProxyDelegate> registered = new HashMap<>();
    private final Map<Integer, Dictionary<String, ?>> properties = new HashMap<>();

    private static ConnectHeadersDelegate.Config config(String[] headers, String[] proxies, int ranking) {
        Map<String, Object> map = new HashMap<>();
        map.put("headers", headers);
        map.put("proxies", proxies);
        map.put("service.ranking", ranking);
        return Converters.standardConverter().convert(map).to(ConnectHeadersDelegate.Config.class);
    }

    private ConnectHeadersDelegate activate(ConnectHeadersDelegate.Config config) {
        ConnectHeadersDelegate delegate = new ConnectHeadersDelegate(config);
        delegate.register(recordingContext(), config, Map.of("service.pid", PID_OF_INSTANCE,
                "component.name", ConnectHeadersDelegate.class.getName(), "headers", config.headers()));
        return delegate;
    }

    private static final String PID_OF_INSTANCE = ConnectHeadersDelegate.PID + "~corporate";

    @Test
    public void newHeadersAndProxiesReachTheServiceAlreadyBound() {
        ConnectHeadersDelegate delegate = activate(config(new String[] {"X-Tag: old"},
                new String[] {"http://proxy.corp:3128"}, 0));
        ProxyDelegate bound = registered.get(0);
        assertEquals(Map.of("X-Tag", "old"), bound.onBeforeTunnelRequest(CORPORATE, DESTINATION));

        delegate.modified(config(new String[] {"X-Tag: new", "X-More: 1"}, new String[] {"http://other.corp:3128"},
                0));

        assertEquals(Map.of("X-Tag", "new", "X-More", "1"), bound.onBeforeTunnelRequest(OTHER, DESTINATION));
        assertEquals(Map.of(), bound.onBeforeTunnelRequest(CORPORATE, DESTINATION));
        assertEquals("no new registration for new headers", List.of("register 0"), events);
    }

    @Test
    public void aNewRankingRegistersAgainBeforeTheOldRegistrationGoes() {
        ConnectHeadersDelegate delegate = activate(config(new String[] {"X-Tag: a"}, null, 0));

        delegate.modified(config(new String[] {"X-Tag: b"}, null, 7));

        assertEquals(List.of("register 0", "register 7", "unregister 0"), events);
        assertEquals(7, properties.get(7).get("service.ranking"));
        assertEquals(PID_OF_INSTANCE, properties.get(7).get("service.pid"));
        assertEquals("a token in headers is no service property", null, properties.get(7).get("headers"));
        assertNotSame("a consumer tells its delegates apart by identity", registered.get(0), registered.get(7));
        assertEquals(Map.of("X-Tag", "b"), registered.get(7).onBeforeTunnelRequest(OTHER, DESTINATION));

        delegate.unregister();
        assertEquals("unregister 7", events.get(events.size() - 1));
    }

    @Test
    public void aChangeThatDoesNotParseIsRefusedAsAWhole() {
        ConnectHeadersDelegate delegate = activate(config(new String[] {"X-Tag: kept"}, null, 0));

        delegate.modified(config(new String[] {"X-Tag: new", "Host: evil.example"}, null, 5));
        delegate.modified(config(new String[] {"X-Tag: new"}, new String[] {"socks5://s:1080"}, 5));

        assertEquals(Map.of("X-Tag", "kept"), registered.get(0).onBeforeTunnelRequest(OTHER, DESTINATION));
        assertEquals("the ranking that came with a bad change is not applied", List.of("register 0"), events);
        assertTrue(registered.get(0).toString().contains("ConnectHeadersDelegate"));
    }

    /** A bundle context that records each registration of a ProxyDelegate and its end. */
    @SuppressWarnings("unchecked")
    private BundleContext recordingContext() {
        ClassLoader loader = getClass().getClassLoader();
        return (BundleContext) Proxy.newProxyInstance(loader, new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    assertEquals("registerService", method.getName());
                    assertEquals(ProxyDelegate.class, args[0]);
                    Dictionary<String, ?> props = (Dictionary<String, ?>) args[2];
                    int ranking = (Integer) props.get("service.ranking");
                    registered.put(ranking, (ProxyDelegate) args[1]);
                    properties.put(ranking, props);
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
