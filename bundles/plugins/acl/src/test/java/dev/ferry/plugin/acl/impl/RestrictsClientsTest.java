package dev.ferry.plugin.acl.impl;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.util.ArrayList;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** When the rules tell the engine that they refuse clients by address. */
public class RestrictsClientsTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static boolean restricts(String... entries) {
        List<AccessRule> rules = new ArrayList<>();
        for (int i = 0; i < entries.length; i++) {
            rules.add(AccessRule.parse(i, entries[i]));
        }
        return AccessPolicy.restrictsClients(rules);
    }

    @Test
    public void allowedRangesThenDenyAllRestrict() {
        assertTrue(restricts("allow client=10.0.0.0/8", "deny all"));
        assertTrue(restricts("allow client=10.0.0.0/8,fd00::/8", "deny"));
        assertTrue(restricts("deny port=25", "allow client=10.0.0.0/8 method=GET", "allow user=*", "deny all"));
    }

    @Test
    public void denyingEveryClientOutsideRangesRestricts() {
        assertTrue(restricts("deny client=!10.0.0.0/8"));
        assertTrue(restricts("deny port=25", "deny client=!10.0.0.0/8", "allow all"));
    }

    @Test
    public void noRulesOrNoClientRulesDoNotRestrict() {
        assertFalse(restricts());
        assertFalse(restricts("deny port=25"));
        assertFalse(restricts("allow user=*", "deny all"));
        assertFalse(restricts("deny all"));
    }

    @Test
    public void rulesThatLeaveUnknownClientsInDoNotRestrict() {
        // a block list: every other client is served
        assertFalse(restricts("deny client=192.0.2.0/24"));
        assertFalse(restricts("allow client=10.0.0.0/8"));
        // the catch-all allows
        assertFalse(restricts("allow client=10.0.0.0/8", "allow all"));
        // denies only some requests of the clients outside
        assertFalse(restricts("deny client=!10.0.0.0/8 port=25"));
    }

    @Test
    public void rulesAfterAnUnconditionalRuleAreNeverReached() {
        assertFalse(restricts("allow all", "deny client=!10.0.0.0/8"));
        assertFalse(restricts("allow", "allow client=10.0.0.0/8", "deny all"));
        assertFalse(restricts("deny all", "allow client=10.0.0.0/8", "deny all"));
    }
}
