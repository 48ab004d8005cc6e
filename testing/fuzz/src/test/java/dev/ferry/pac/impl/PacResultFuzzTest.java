package dev.ferry.pac.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyServer;
import java.nio.charset.StandardCharsets;

/**
 * What a PAC script's {@code FindProxyForURL} returns ({@code PROXY a:1; HTTPS b:443; SOCKS5 c:1080; DIRECT}): the
 * usable entries, or null when there is none (the resolver treats that as a script failure). Never an exception: the
 * script is the user's.
 */
class PacResultFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void parse(byte[] input) {
        String result = new String(input, StandardCharsets.UTF_8);
        ProxyList proxies = PacResultParser.parse(result, "fuzz.pac");
        if (proxies == null) {
            return;
        }
        assertFalse(proxies.servers().isEmpty(), "an empty list instead of null for '" + result + "'");
        for (ProxyServer server : proxies.servers()) {
            if (!server.isDirect()) {
                assertFalse(server.host().isEmpty(), "empty host from '" + result + "'");
                if (server.port() < 1 || server.port() > 65535) {
                    throw new AssertionError("port " + server.port() + " from '" + result + "'");
                }
            }
        }
    }
}
