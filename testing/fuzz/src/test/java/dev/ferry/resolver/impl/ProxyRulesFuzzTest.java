package dev.ferry.resolver.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.fuzz.Rejection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** Manual proxy rules ({@code http=proxy:8080;https=socks5://s:1080}): parsed and usable, or refused with a reason. */
class ProxyRulesFuzzTest {

    private static final URI[] URLS = {URI.create("http://example.com/"), URI.create("https://example.com:443/"),
        URI.create("ftp://example.com/"), URI.create("ws://example.com/"), URI.create("gopher://example.com/")};

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        ProxyRules rules;
        try {
            rules = ProxyRules.parse(text);
        } catch (IllegalArgumentException e) {
            Rejection.assertExplained(e);
            return;
        }
        for (URI url : URLS) {
            ProxyList proxies = rules.forUrl(url);
            assertFalse(proxies.servers().isEmpty(), "no proxy, not even DIRECT, for " + url + " from '" + text + "'");
        }
        rules.toString();
    }
}
