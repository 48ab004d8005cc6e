package dev.ferry.plugin.acl.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.util.HashMap;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** The {@code rules} and {@code connectPorts} settings: what parses, and what each mistake is told as. */
public class RuleParsingTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public final HookFixture hooks = new HookFixture();

    private static AccessRule rule(String entry) {
        return AccessRule.parse(0, entry);
    }

    private static String error(String entry) {
        return assertThrows(IllegalArgumentException.class, () -> rule(entry)).getMessage();
    }

    private static void assertError(String entry, String expected) {
        String message = error(entry);
        assertTrue(message, message.contains(expected));
    }

    @Test
    public void everyConditionKindParsesInOneRule() {
        AccessRule rule = rule("allow client=10.0.0.0/8,fd00::/8 listener=http,https user=* method=GET,connect"
                + " host=*.example.com,example.org dest=192.0.2.0/24,2001:db8::/32 port=80,8000-8080");

        assertTrue(rule.allows());
        assertFalse(rule.unconditional());
        assertTrue(rule.needsDestination());
        for (Condition.Kind kind : Condition.Kind.values()) {
            assertTrue(kind.toString(), rule.has(kind));
        }
    }

    @Test
    public void spacesAroundEqualsAndCommasAreReadAsWrittenTogether() {
        AccessRule rule = AccessRule.parse(4, "  Deny   port = 25, 465\t method=!GET ");

        assertEquals("rules[4] (Deny port=25,465 method=!GET)", rule.toString());
        assertFalse(rule.allows());
    }

    @Test
    public void allowAndDenyAloneOrWithAllMatchEveryRequest() {
        for (String entry : new String[] {"allow", "deny", "allow all", "DENY ALL"}) {
            assertTrue(entry, rule(entry).unconditional());
        }
        assertFalse(rule("deny all").allows());
    }

    @Test
    public void aRuleStartsWithAllowOrDeny() {
        assertEquals("rules[0] 'permit port=25': starts with 'permit'; a rule starts with allow or deny",
                error("permit port=25"));
        assertError("port=25", "starts with 'port=25'");
    }

    @Test
    public void allStandsAlone() {
        assertError("allow all port=80", "rules[0] 'allow all port=80': 'all' stands alone");
        assertError("deny port=80 all", "'all' stands alone");
    }

    @Test
    public void aTokenThatIsNoConditionIsNamed() {
        assertEquals("rules[0] 'deny 25': '25' is not a condition (key=value); expected client=, listener=, user=,"
                + " method=, host=, dest= or port=, or 'all' alone", error("deny 25"));
        assertError("deny port", "'port' is not a condition");
    }

    @Test
    public void anUnknownKeyIsNamed() {
        assertEquals("rules[0] 'deny prot=25': unknown condition 'prot=25'; expected client=, listener=, user=,"
                + " method=, host=, dest= or port=", error("deny prot=25"));
    }

    @Test
    public void anEmptyValueIsRefused() {
        assertError("deny port=", "'port=' has an empty value");
        assertError("deny port=!", "'port=!' has an empty value");
        assertError("deny port=25,", "'port=25,' has an empty value");
        assertError("deny user=,alice", "'user=,alice' has an empty value");
    }

    @Test
    public void badAddressesAndRangesAreNamed() {
        assertEquals("rules[0] 'allow client=10.0.0.0/33': in 'client=10.0.0.0/33', '10.0.0.0/33' has prefix length"
                + " '33': expected 0 to 32", error("allow client=10.0.0.0/33"));
        assertError("allow client=10.0.0.300", "'10.0.0.300' is not an IP address or CIDR block");
        assertError("allow client=010.0.0.1", "'010.0.0.1' is not an IP address");
        assertError("deny dest=fe80::/129", "expected 0 to 128");
        assertError("deny dest=fe80::1::2", "is not an IP address");
        assertError("deny dest=example.com", "'example.com' is not an IP address or CIDR block");
        assertError("deny client=10.0.0.0/", "has prefix length ''");
    }

    @Test
    public void badPortsAreNamed() {
        assertEquals("rules[0] 'deny port=0': in 'port=0', '0' is not a port (1-65535) or a range of ports (a-b,"
                + " a <= b)", error("deny port=0"));
        assertError("deny port=65536", "'65536' is not a port");
        assertError("deny port=90-80", "'90-80' is not a port");
        assertError("deny port=smtp", "'smtp' is not a port");
        assertError("deny port=1-2-3", "'1-2-3' is not a port");
    }

    @Test
    public void badHostPatternsAndMethodsAreNamed() {
        assertError("deny host=exa*mple.com", "'exa*mple.com': '*' may only stand alone or start a pattern");
        assertError("deny host=a..b", "'a..b' is not a host name pattern");
        assertError("deny host=*.", "'*.' is not a host name pattern");
        assertError("deny host=[::1]", "has '[', which no host name has (for IP addresses and ranges use dest=)");
        assertError("deny method=GE/T", "'GE/T' is not an HTTP method");
    }

    @Test
    public void errorsNameTheEntryIndexCountingBlankEntries() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("rules", new String[] {"allow client=10.0.0.0/8", " ", "deny bogus"});

        String message = assertThrows(IllegalArgumentException.class,
                () -> hooks.hook(HookFixture.config(properties))).getMessage();

        assertEquals("dev.ferry.acl: rules[2] 'deny bogus': 'bogus' is not a condition (key=value); expected client=,"
                + " listener=, user=, method=, host=, dest= or port=, or 'all' alone", message);
    }

    @Test
    public void connectPortsTakesPortsRangesAndListsAndNamesABadEntry() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("connectPorts", new String[] {"443", "8443-8444, 563"});
        hooks.hook(HookFixture.config(properties));
        properties.put("connectPorts", "443 8443");
        hooks.hook(HookFixture.config(properties));

        properties.put("connectPorts", new String[] {"443", "44x"});
        String message = assertThrows(IllegalArgumentException.class,
                () -> hooks.hook(HookFixture.config(properties))).getMessage();
        assertEquals("dev.ferry.acl: connectPorts[1]: '44x' is not a port (1-65535) or a range of ports (a-b,"
                + " a <= b)", message);
    }

    @Test
    public void noConfigurationIsTheDefaults() {
        AccessControlHook hook = hooks.hook(HookFixture.config(Map.of()));

        HookFixture.assertProceeds(hook, HookFixture.connect("example.com", 443));
    }
}
