package dev.ferry.resolver.impl;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.fuzz.Rejection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Bypass lists ({@code *.example.com, 10.0.0.0/8, <local>, <-loopback>}): parsed and matched, or refused. */
class BypassRulesFuzzTest {

    private static final URI[] URLS = {URI.create("http://www.example.com/"), URI.create("https://10.1.2.3:8443/"),
        URI.create("http://[::1]:8080/"), URI.create("http://localhost/"), URI.create("http://intranet/"),
        URI.create("http://[fe80::1]/"), URI.create("ftp://127.0.0.1/")};

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        BypassRules rules;
        try {
            rules = BypassRules.parse(text);
        } catch (IllegalArgumentException e) {
            Rejection.assertExplained(e);
            return;
        }
        // matching never throws: it runs for every request
        for (URI url : URLS) {
            rules.matches(url);
        }
        // the normalized form is what the log shows; it must parse to the same rules
        String normalized = rules.toString();
        String list = normalized.substring(1, normalized.lastIndexOf(']'));
        BypassRules again = BypassRules.parse(list);
        for (URI url : URLS) {
            if (rules.matches(url) != again.matches(url)) {
                throw new AssertionError("'" + text + "' and its normalized form " + normalized
                        + " disagree about " + url);
            }
        }
    }
}
