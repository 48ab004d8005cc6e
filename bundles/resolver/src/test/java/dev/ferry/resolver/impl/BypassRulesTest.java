package dev.ferry.resolver.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import java.net.URI;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class BypassRulesTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    /** Each row: bypass list, URL, whether the URL goes DIRECT. */
    private static void assertTable(Object[][] table) {
        for (Object[] row : table) {
            String rules = (String) row[0];
            String url = (String) row[1];
            assertEquals("'" + rules + "' on " + url, row[2], BypassRules.parse(rules).matches(URI.create(url)));
        }
    }

    @Test
    public void hostWildcardsAndSuffixes() {
        assertTable(new Object[][] {
            {"*.example.com", "http://www.example.com/", true},
            {"*.example.com", "http://a.b.example.com/", true},
            {"*.example.com", "http://example.com/", false},
            {"*.example.com", "http://www.example.com.evil.test/", false},
            {"*example.com", "http://example.com/", true},
            {"*example.com", "http://notexample.com/", true},
            {".example.com", "https://www.example.com:443/", true},
            {".example.com", "http://deep.er.example.com/", true},
            {".example.com", "http://example.com/", false},
            {"foo*.com", "http://foobar.com/", true},
            {"foo*.com", "http://foo.bar.com/", true},
            {"foo*.com", "http://barfoo.com/", false},
            {"f?o.test", "http://fxo.test/", true},
            {"f?o.test", "http://fo.test/", false},
            {"example.com", "http://example.com/", true},
            {"example.com", "http://www.example.com/", false},
            {"EXAMPLE.com", "http://Example.COM/", true},
            {"*", "http://anything.test/", true},
            {"*", "http://10.0.0.1/", true},
            {"192.168.*", "http://192.168.7.7/", true},
            {"192.168.*", "http://192.169.7.7/", false},
            {"a.test", "http://a_b.test/", false},
            {"a_b.test", "http://a_b.test:81/", true},
        });
    }

    @Test
    public void portAndSchemeRestrictions() {
        assertTable(new Object[][] {
            {"example.com:8080", "http://example.com:8080/", true},
            {"example.com:8080", "http://example.com/", false},
            {"example.com:80", "http://example.com/", true},
            {"example.com:443", "https://example.com/", true},
            {"example.com:443", "http://example.com/", false},
            {"*.example.com:443", "https://www.example.com:443/", true},
            {"https://example.com", "https://example.com:443/", true},
            {"https://example.com", "http://example.com/", false},
            {"http://*.example.com", "http://a.example.com/x", true},
            {"http://*.example.com", "https://a.example.com/", false},
            {"https://*.example.com:8443", "https://a.example.com:8443/", true},
            {"https://*.example.com:8443", "https://a.example.com/", false},
            {"HTTP://example.com", "http://example.com/", true},
        });
    }

    @Test
    public void ipLiteralsCompareAddressesNotText() {
        assertTable(new Object[][] {
            {"10.1.2.3", "http://10.1.2.3/", true},
            {"10.1.2.3", "http://10.1.2.30/", false},
            {"10.1.2.3:8080", "http://10.1.2.3:8080/", true},
            {"10.1.2.3:8080", "http://10.1.2.3/", false},
            {"https://10.1.2.3", "http://10.1.2.3/", false},
            {"[2001:db8::1]", "http://[2001:DB8:0:0::1]/", true},
            {"2001:db8::1", "http://[2001:db8::1]:8080/", true},
            {"[2001:db8::1]:8080", "http://[2001:db8::1]:8080/", true},
            {"[2001:db8::1]:8080", "http://[2001:db8::1]/", false},
            {"10.1.2.3", "http://[::ffff:10.1.2.3]/", true},
            {"10.1.2.3", "http://host-10.1.2.3/", false},
        });
    }

    @Test
    public void cidrBlocksV4AndV6() {
        assertTable(new Object[][] {
            {"192.168.0.0/16", "http://192.168.200.1/", true},
            {"192.168.0.0/16", "http://192.169.0.1/", false},
            {"192.168.0.0/16", "http://[::ffff:192.168.1.1]/", true},
            {"192.168.0.0/16", "http://192.168.example.test/", false},
            {"10.0.0.0/8", "https://10.255.255.255:443/", true},
            {"10.0.0.0/8", "https://11.0.0.0:443/", false},
            {"10.1.2.3/32", "http://10.1.2.3/", true},
            {"10.1.2.3/32", "http://10.1.2.4/", false},
            {"0.0.0.0/0", "http://203.0.113.9/", true},
            {"0.0.0.0/0", "http://[2001:db8::1]/", false},
            {"172.16.0.0/12", "http://172.31.255.1/", true},
            {"172.16.0.0/12", "http://172.32.0.1/", false},
            {"2001:db8::/32", "http://[2001:db8:ffff::1]/", true},
            {"2001:db8::/32", "http://[2001:db9::1]/", false},
            {"[2001:db8::]/32", "http://[2001:db8::2]/", true},
            {"fc00::/7", "http://[fd12:3456::1]/", true},
            {"fc00::/7", "http://[fe00::1]/", false},
            {"https://10.0.0.0/8", "http://10.0.0.1/", false},
            {"https://10.0.0.0/8", "https://10.0.0.1/", true},
        });
    }

    @Test
    public void localMeansNamesWithoutADotButNoIpLiterals() {
        assertTable(new Object[][] {
            {"<local>", "http://intranet/", true},
            {"<local>", "https://printer:443/", true},
            {"<LOCAL>", "http://intranet/", true},
            {"<local>", "http://intranet.corp/", false},
            {"<local>", "http://[2001:db8::1]/", false},
            {"<local>", "http://10.0.0.1/", false},
        });
    }

    @Test
    public void localhostLoopbackAndLinkLocalBypassImplicitly() {
        String[] implicit = {
            "http://localhost/", "http://LOCALHOST:8080/", "http://localhost./", "http://app.localhost/",
            "http://127.0.0.1/", "http://127.255.0.1:3128/", "http://[::1]/", "http://[0:0:0:0:0:0:0:1]:80/",
            "http://[::ffff:127.0.0.1]/", "http://169.254.1.2/", "http://[fe80::1]/", "https://[FEBF::1]:443/",
            "http://[::ffff:169.254.9.9]/",
        };
        String[] notImplicit = {
            "http://localhost.example.com/", "http://mylocalhost/x", "http://128.0.0.1/", "http://[::2]/",
            "http://169.255.0.1/", "http://[fec0::1]/", "http://10.0.0.1/", "http://example.com/",
        };
        for (String url : implicit) {
            assertTrue(url, BypassRules.parse("").matches(URI.create(url)));
            assertEquals(url, false, BypassRules.parse("<-loopback>").matches(URI.create(url)));
        }
        for (String url : notImplicit) {
            assertEquals(url, false, BypassRules.parse("").matches(URI.create(url)));
        }
    }

    @Test
    public void theLastRuleWithAVerdictWins() {
        assertTable(new Object[][] {
            // A rule after <-loopback> bypasses again; one before it is overruled.
            {"<-loopback>, localhost", "http://localhost/", true},
            {"localhost, <-loopback>", "http://localhost/", false},
            {"<-loopback>, 127.0.0.0/8", "http://127.0.0.1/", true},
            {"<-loopback>, 127.0.0.0/8", "http://[::1]/", false},
            // <-loopback> says nothing about other URLs, so earlier rules still apply to them.
            {"*.corp, <-loopback>", "http://a.corp/", true},
            {"<-loopback>", "http://a.corp/", false},
        });
    }

    @Test
    public void rulesAreSeparatedByCommasSemicolonsAndWhitespace() {
        BypassRules rules = BypassRules.parse(" a.test,b.test; c.test \n d.test\t;; ,e.test ");
        for (String host : new String[] {"a", "b", "c", "d", "e"}) {
            assertTrue(host, rules.matches(URI.create("http://" + host + ".test/")));
        }
        assertEquals(false, rules.matches(URI.create("http://f.test/")));
        assertEquals("[a.test, b.test, c.test, d.test, e.test] + implicit localhost/loopback/link-local",
                rules.toString());
        assertEquals("[*.x.test, 10.0.0.0/8, [::1]:81, https://h.test:8443, <local>, <-loopback>]",
                BypassRules.parse(".X.test 10.0.0.0/8 [::1]:81 HTTPS://h.test:8443 <local> <-LOOPBACK>")
                        .toString());
    }

    @Test
    public void registryBasedHostsAreStillMatched() {
        // java.net.URI has no host for names with an underscore; the authority is read instead.
        assertTrue(BypassRules.parse("*.under_score.test:8080")
                .matches(URI.create("http://a.under_score.test:8080/")));
        assertEquals(false, BypassRules.parse("*.under_score.test:8080")
                .matches(URI.create("http://a.under_score.test/")));
    }

    @Test
    public void badRulesAreRejectedQuotingTheRule() {
        String[][] table = {
            {"<intranet>", "'<intranet>'"},
            {"://a.test", "'://a.test'"},
            {"1ttp://a.test", "'1ttp://a.test'"},
            {"http://", "'http://'"},
            {"10.0.0.0/33", "'10.0.0.0/33'"},
            {"fe80::/129", "'fe80::/129'"},
            {"10.0.0.0/", "'10.0.0.0/'"},
            {"example.com/8", "'example.com/8'"},
            {"a.test:0", "'a.test:0'"},
            {"a.test:65536", "'a.test:65536'"},
            {"a.test:http", "'a.test:http'"},
            {"[::1", "'[::1'"},
            {"[::1]x", "'[::1]x'"},
            {"[::g]", "'[::g]'"},
            {"1:2:3", "'1:2:3'"},
            {"exa$mple.com", "'exa$mple.com'"},
            {":80", "':80'"},
            {"ok.test, bad!.test", "'bad!.test'"},
        };
        for (String[] row : table) {
            IllegalArgumentException e = assertThrows(row[0], IllegalArgumentException.class,
                    () -> BypassRules.parse(row[0]));
            assertTrue(row[0] + " -> " + e.getMessage(), e.getMessage().contains(row[1]));
        }
    }
}
