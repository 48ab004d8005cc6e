package dev.ferry.pool.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.testing.LeakCheck;
import java.util.List;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** Settings validation, credential entries and delegate order, without sockets. */
public class PoolConfigTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void credentialsSplitAtTheFirstEqualsThenTheFirstColon() {
        ProxyCredentials credentials = ProxyCredentials.parse(new String[] {
            "proxy.example:3128=alice:pa:ss=word", "[::1]:8080=bob:x", " " });
        ProxyCredentials.Login alice = credentials.find(ProxyServer.parse("http://PROXY.example:3128"));
        assertEquals("alice", alice.user);
        assertEquals("pa:ss=word", alice.password());
        assertEquals("Basic YWxpY2U6cGE6c3M9d29yZA==", alice.basicAuthorization());
        assertEquals("bob", credentials.find(ProxyServer.parse("https://[::1]:8080")).user);
        assertNull(credentials.find(ProxyServer.parse("http://proxy.example:3129")));
        assertNull(credentials.find(ProxyServer.DIRECT));
        assertFalse(credentials.toString().contains("pa:ss"));
        assertFalse(alice.toString().contains("pa:ss"));
    }

    @Test
    public void badCredentialEntriesAreNamedWithoutTheirPassword() {
        assertRejected(new String[] {"proxy:3128=alice"}, "entry 1 for proxy:3128 needs user:password after '='");
        assertRejected(new String[] {"ok:1=a:b", "proxy:3128"}, "entry 2 is not host:port=user:password (no '=')");
        assertRejected(new String[] {"proxy=alice:secret"}, "entry 1 has a bad proxy host:port 'proxy'");
        assertRejected(new String[] {"p:1=a:secret", "P:1=b:secret"}, "has two entries for p:1");
    }

    private static void assertRejected(String[] entries, String expected) {
        try {
            ProxyCredentials.parse(entries);
            fail("accepted " + List.of(entries));
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().contains(expected));
            assertFalse(e.getMessage(), e.getMessage().contains("secret"));
        }
    }

    @Test
    public void limitsAndTimeoutsAreValidatedByName() {
        assertInvalid("dev.ferry.pool maxConnectionsPerGroup must be at least 1, not 0", "maxConnectionsPerGroup", 0);
        assertInvalid("dev.ferry.pool tunnelTimeoutMillis must be at least 1, not -5", "tunnelTimeoutMillis", -5);
        assertInvalid("dev.ferry.pool maxConnectionsPerProxy (5000) must not exceed maxConnections (4096)",
                "maxConnectionsPerProxy", 5000);
        assertInvalid("dev.ferry.pool maxConnectionsPerGroup (600) must not exceed maxConnectionsPerProxy (512)",
                "maxConnectionsPerGroup", 600);
    }

    private static void assertInvalid(String message, String key, Object value) {
        PooledConnections.Config config = PoolHarness.config(key, value);
        try {
            new PoolLimits(config);
            new StageTimeouts(config);
            fail(key + "=" + value + " accepted");
        } catch (IllegalArgumentException e) {
            assertEquals(message, e.getMessage());
        }
    }

    @Test
    public void delegatesRunByRankingThenServiceId() {
        DelegateChain chain = new DelegateChain();
        chain.add(header("X-A", "low"), Map.of("service.ranking", -1, "service.id", 1L));
        chain.add(header("X-A", "tie-later"), Map.of("service.ranking", 5, "service.id", 9L));
        ProxyDelegate tieFirst = header("X-A", "tie-first");
        chain.add(tieFirst, Map.of("service.ranking", 5, "service.id", 3L));
        // Applied in order, so the last in the chain (the lowest ranked) wins a shared header name.
        assertEquals(Map.of("X-A", "low"), chain.tunnelRequestHeaders(ProxyServer.parse("http://p:1"),
                HostAndPort.of("h", 443)));
        ProxyDelegate only = header("X-B", "1");
        DelegateChain order = new DelegateChain();
        order.add(header("X-C", "2"), Map.of("service.ranking", 0, "service.id", 2L));
        order.add(only, Map.of("service.ranking", 0, "service.id", 1L));
        assertEquals(List.of("X-B", "X-C"), List.copyOf(order.tunnelRequestHeaders(ProxyServer.parse("http://p:1"),
                HostAndPort.of("h", 443)).keySet()));
        order.remove(only);
        assertEquals(1, order.size());
    }

    private static ProxyDelegate header(String name, String value) {
        return new ProxyDelegate() {
            @Override
            public Map<String, String> onBeforeTunnelRequest(ProxyServer proxy, HostAndPort destination) {
                return Map.of(name, value);
            }
        };
    }
}
