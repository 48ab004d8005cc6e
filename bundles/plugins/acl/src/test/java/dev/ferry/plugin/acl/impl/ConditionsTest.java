package dev.ferry.plugin.acl.impl;

import static dev.ferry.plugin.acl.impl.HookFixture.address;
import static dev.ferry.plugin.acl.impl.HookFixture.assertDenied;
import static dev.ferry.plugin.acl.impl.HookFixture.assertProceeds;
import static dev.ferry.plugin.acl.impl.HookFixture.get;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.testing.LeakCheck;
import java.net.InetSocketAddress;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** Each kind of condition, as the only condition of a deny rule, and negated. */
public class ConditionsTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final ProxyErrorType DENIED = ProxyErrorType.HTTP_REQUEST_DENIED;

    @Rule
    public final HookFixture hooks = new HookFixture();

    private static ClientRequest.Builder from(String client) {
        return get("example.com", 80).client(new InetSocketAddress(client, 50000));
    }

    @Test
    public void clientMatchesIpv4Ranges() {
        AccessControlHook hook = hooks.hook("deny client=198.51.100.0/24,192.0.2.10");

        assertDenied(hook, from("198.51.100.77"), DENIED);
        assertDenied(hook, from("192.0.2.10"), DENIED);
        assertProceeds(hook, from("192.0.2.11"));
        assertProceeds(hook, from("2001:db8::1"));
    }

    @Test
    public void clientMatchesIpv6Ranges() {
        AccessControlHook hook = hooks.hook("deny client=2001:db8:abcd::/48");

        assertDenied(hook, from("2001:db8:abcd:12::1"), DENIED);
        assertProceeds(hook, from("2001:db8:abce::1"));
        assertProceeds(hook, from("192.0.2.10"));
    }

    @Test
    public void negatedClientMatchesEveryAddressOutsideTheRanges() {
        AccessControlHook hook = hooks.hook("deny client=!10.0.0.0/8,fd00::/8");

        assertProceeds(hook, from("10.1.2.3"));
        assertProceeds(hook, from("fd12::1"));
        assertDenied(hook, from("192.0.2.10"), DENIED);
        // a client address the engine could not read is in no range
        assertDenied(hook, from("10.1.2.3").client(InetSocketAddress.createUnresolved("embedded", 0)), DENIED);
    }

    @Test
    public void listenerMatchesNames() {
        AccessControlHook hook = hooks.hook("deny listener=public,dmz");

        assertDenied(hook, get("example.com", 80).listener("dmz"), DENIED);
        assertProceeds(hook, get("example.com", 80).listener("DMZ"));
        assertProceeds(hook, get("example.com", 80));
        assertDenied(hooks.hook("deny listener=!http"), get("example.com", 80).listener("public"), DENIED);
    }

    @Test
    public void userMatchesNamesAnyUserOrNone() {
        AccessControlHook named = hooks.hook("deny user=mallory,eve");
        assertDenied(named, get("example.com", 80).user("eve"), DENIED);
        assertProceeds(named, get("example.com", 80).user("Eve"));
        assertProceeds(named, get("example.com", 80));

        AccessControlHook anyone = hooks.hook("deny user=*");
        assertDenied(anyone, get("example.com", 80).user("alice"), DENIED);
        assertProceeds(anyone, get("example.com", 80));

        AccessControlHook nobody = hooks.hook("deny user=-");
        assertDenied(nobody, get("example.com", 80), DENIED);
        assertProceeds(nobody, get("example.com", 80).user("alice"));

        AccessControlHook notAlice = hooks.hook("deny user=!alice");
        assertDenied(notAlice, get("example.com", 80), DENIED);
        assertDenied(notAlice, get("example.com", 80).user("bob"), DENIED);
        assertProceeds(notAlice, get("example.com", 80).user("alice"));
    }

    @Test
    public void methodMatchesMethodsConfiguredInAnyCase() {
        AccessControlHook hook = hooks.hook("deny method=post,PUT");

        assertDenied(hook, get("example.com", 80).method("POST"), DENIED);
        assertDenied(hook, get("example.com", 80).method("PUT"), DENIED);
        assertProceeds(hook, get("example.com", 80));
        assertDenied(hooks.hook("deny method=!GET,HEAD"), get("example.com", 80).method("DELETE"), DENIED);
    }

    @Test
    public void hostMatchesExactNamesWithoutRegardToCaseOrATrailingDot() {
        AccessControlHook hook = hooks.hook("deny host=Example.COM");

        assertDenied(hook, get("example.com", 80), DENIED);
        assertDenied(hook, get("EXAMPLE.com.", 80), DENIED);
        assertProceeds(hook, get("www.example.com", 80));
        assertProceeds(hook, get("badexample.com", 80));
    }

    @Test
    public void aWildcardHostMatchesTheDomainItselfAndEveryNameUnderIt() {
        for (String pattern : new String[] {"*.example.com", ".example.com"}) {
            AccessControlHook hook = hooks.hook("deny host=" + pattern);

            assertDenied(hook, get("example.com", 80), DENIED);
            assertDenied(hook, get("www.example.com", 80), DENIED);
            assertDenied(hook, get("a.b.Example.Com", 80), DENIED);
            assertProceeds(hook, get("badexample.com", 80));
            assertProceeds(hook, get("example.com.evil.test", 80));
            assertProceeds(hook, get("example.org", 80));
        }
    }

    @Test
    public void hostStarMatchesEveryHostAndHostsCompareAsText() {
        assertDenied(hooks.hook("deny host=*"), get("anything.test", 80), DENIED);
        AccessControlHook literal = hooks.hook("deny host=192.0.2.1");
        assertDenied(literal, get("192.0.2.1", 80), DENIED);
        assertProceeds(literal, get("192.0.2.10", 80));
        assertProceeds(hooks.hook("deny host=!*.example.com"), get("www.example.com", 80));
    }

    @Test
    public void portMatchesPortsAndRanges() {
        AccessControlHook hook = hooks.hook("deny port=25,8000-8080");

        assertDenied(hook, get("example.com", 25), ProxyErrorType.DESTINATION_PORT_PROHIBITED);
        assertDenied(hook, get("example.com", 8000), ProxyErrorType.DESTINATION_PORT_PROHIBITED);
        assertDenied(hook, get("example.com", 8080), ProxyErrorType.DESTINATION_PORT_PROHIBITED);
        assertProceeds(hook, get("example.com", 8081));
        assertProceeds(hook, get("example.com", 80));
    }

    @Test
    public void negatedPortMatchesEveryOtherPort() {
        AccessControlHook hook = hooks.hook("deny port=!80,443");

        assertProceeds(hook, get("example.com", 80));
        assertProceeds(hook, get("example.com", 443));
        assertDenied(hook, get("example.com", 8080), ProxyErrorType.DESTINATION_PORT_PROHIBITED);
    }

    @Test
    public void destMatchesIpLiteralsInRange() {
        AccessControlHook hook = hooks.hook("deny dest=198.51.100.0/24,2001:db8::/32");

        assertDenied(hook, get("198.51.100.9", 80), ProxyErrorType.DESTINATION_IP_PROHIBITED);
        assertDenied(hook, get("2001:db8::42", 80), ProxyErrorType.DESTINATION_IP_PROHIBITED);
        assertDenied(hook, get("[2001:DB8::42]", 80), ProxyErrorType.DESTINATION_IP_PROHIBITED);
        // IPv4-mapped IPv6 reaches the IPv4 address, so it meets the IPv4 ranges
        assertDenied(hook, get("::ffff:198.51.100.9", 80), ProxyErrorType.DESTINATION_IP_PROHIBITED);
        assertProceeds(hook, get("198.51.101.9", 80));
        assertProceeds(hook, get("2001:db9::1", 80));
    }

    @Test
    public void negatedDestMatchesAddressesOutsideTheRanges() {
        AccessControlHook hook = hooks.hook("deny dest=!198.51.100.0/24");

        assertProceeds(hook, get("198.51.100.1", 80));
        assertDenied(hook, get("192.0.2.1", 80), ProxyErrorType.DESTINATION_IP_PROHIBITED);
    }

    @Test
    public void everyConditionOfARuleMustHold() {
        AccessControlHook hook = hooks.hook("deny client=192.0.2.0/24 method=POST port=25");

        assertDenied(hook, get("example.com", 25).method("POST"), ProxyErrorType.DESTINATION_PORT_PROHIBITED);
        assertProceeds(hook, get("example.com", 25));
        assertProceeds(hook, get("example.com", 80).method("POST"));
        assertProceeds(hook, get("example.com", 25).method("POST").client(address("198.51.100.1")));
    }
}
