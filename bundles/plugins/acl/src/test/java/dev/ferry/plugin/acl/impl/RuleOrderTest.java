package dev.ferry.plugin.acl.impl;

import static dev.ferry.plugin.acl.impl.HookFixture.assertDenied;
import static dev.ferry.plugin.acl.impl.HookFixture.assertProceeds;
import static dev.ferry.plugin.acl.impl.HookFixture.get;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.testing.LeakCheck;
import java.net.InetSocketAddress;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** The first matching rule decides; what a denial says; which answers are made once. */
public class RuleOrderTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public final HookFixture hooks = new HookFixture();

    @Test
    public void theFirstMatchingRuleDecides() {
        AccessControlHook hook = hooks.hook("allow port=80", "deny port=80-90", "deny all");

        assertProceeds(hook, get("example.com", 80));
        assertEquals("denied by rules[1] (deny port=80-90)",
                assertDenied(hook, get("example.com", 81), ProxyErrorType.DESTINATION_PORT_PROHIBITED));
        assertEquals("denied by rules[2] (deny all)",
                assertDenied(hook, get("example.com", 443), ProxyErrorType.HTTP_REQUEST_DENIED));
    }

    @Test
    public void anEarlierDenyWinsOverALaterAllow() {
        AccessControlHook hook = hooks.hook("deny user=-", "allow all");

        assertDenied(hook, get("example.com", 80), ProxyErrorType.HTTP_REQUEST_DENIED);
        assertProceeds(hook, get("example.com", 80).user("alice"));
    }

    @Test
    public void noMatchingRuleAllows() {
        assertProceeds(hooks.hook("deny port=25"), get("example.com", 80));
        assertProceeds(hooks.hook(), get("example.com", 80));
    }

    @Test
    public void aDenialIsTypedAfterItsDestinationConditions() {
        AccessControlHook hook = hooks.hook("deny client=192.0.2.10 dest=198.51.100.0/24 port=80",
                "deny client=192.0.2.10 port=81", "deny client=192.0.2.10");

        assertEquals("denied by rules[0] (deny client=192.0.2.10 dest=198.51.100.0/24 port=80)",
                assertDenied(hook, get("198.51.100.1", 80), ProxyErrorType.DESTINATION_IP_PROHIBITED));
        assertEquals("denied by rules[1] (deny client=192.0.2.10 port=81)",
                assertDenied(hook, get("198.51.100.1", 81), ProxyErrorType.DESTINATION_PORT_PROHIBITED));
        assertEquals("denied by rules[2] (deny client=192.0.2.10)",
                assertDenied(hook, get("198.51.100.1", 82), ProxyErrorType.HTTP_REQUEST_DENIED));
    }

    @Test
    public void blankEntriesAreSkippedAndKeepTheIndexes() {
        AccessControlHook hook = hooks.hook("", "  ", "deny port=25");

        assertEquals("denied by rules[2] (deny port=25)",
                assertDenied(hook, get("example.com", 25), ProxyErrorType.DESTINATION_PORT_PROHIBITED));
    }

    @Test
    public void undecidedAndRuleDecidedRequestsGetAnswersMadeOnce() {
        AccessControlHook hook = hooks.hook("deny port=25");

        assertSame(hook.onRequest(get("example.com", 80).build()), hook.onRequest(get("example.org", 81).build()));
        assertSame(hook.onRequest(get("example.com", 25).build()), hook.onRequest(get("example.org", 25).build()));
    }

    @Test
    public void aRuleDecidingBeforeAnyDestConditionNeedsNoLookup() {
        // the lookups fail the test if asked: the name must not be resolved, though a later rule has dest=
        DestinationLookups none = new DestinationLookups(task -> {
            throw new AssertionError("looked up a name no rule needed");
        });
        AccessControlHook hook = hooks.hook(HookFixture.rulesConfig("allow client=192.0.2.0/24",
                "deny client=198.51.100.0/24", "deny dest=10.0.0.0/8"), none);

        assertProceeds(hook, get("intranet.example", 80).local(HookFixture.address(HookFixture.PUBLIC_LISTENER)));
        assertDenied(hook, get("intranet.example", 80).client(new InetSocketAddress("198.51.100.1", 5000)),
                ProxyErrorType.HTTP_REQUEST_DENIED);
    }
}
