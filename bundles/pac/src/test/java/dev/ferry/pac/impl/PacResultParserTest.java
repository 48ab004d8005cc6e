package dev.ferry.pac.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.proxy.ProxyServer.Scheme;
import dev.ferry.testing.LeakCheck;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class PacResultParserTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static List<ProxyServer> parse(String result) {
        ProxyList list = PacResultParser.parse(result, "test.pac");
        return list == null ? null : list.servers();
    }

    private static ProxyServer server(Scheme scheme, String host, int port) {
        return ProxyServer.of(scheme, host, port);
    }

    @Test
    public void everyKeywordWithItsSchemeAndDefaultPort() {
        assertEquals(List.of(
                server(Scheme.HTTP, "a", 80), server(Scheme.HTTPS, "b", 443), server(Scheme.SOCKS4, "c", 1080),
                server(Scheme.SOCKS4, "d", 1080), server(Scheme.SOCKS5, "e", 1080), ProxyServer.DIRECT),
                parse("PROXY a; HTTPS b; SOCKS c; SOCKS4 d; SOCKS5 e; DIRECT"));
        assertEquals(List.of(
                server(Scheme.HTTP, "a", 3128), server(Scheme.HTTPS, "b", 8443), server(Scheme.SOCKS4, "c", 9050),
                server(Scheme.SOCKS4, "d", 1081), server(Scheme.SOCKS5, "e", 1082)),
                parse("PROXY a:3128;HTTPS b:8443;SOCKS c:9050;SOCKS4 d:1081;SOCKS5 e:1082"));
    }

    @Test
    public void keywordsIgnoreCaseAndWhitespaceIsTolerated() {
        assertEquals(List.of(server(Scheme.HTTP, "proxy.example", 8080), server(Scheme.SOCKS5, "s", 1080),
                ProxyServer.DIRECT),
                parse("  proxy   Proxy.Example:8080 ;\t socks5  s ;;  direct  ; "));
    }

    @Test
    public void ipv6ProxiesInBrackets() {
        assertEquals(List.of(server(Scheme.HTTP, "::1", 3128), server(Scheme.HTTPS, "2001:db8::7", 443)),
                parse("PROXY [::1]:3128; HTTPS [2001:db8::7]"));
    }

    @Test
    public void badEntriesAreSkippedAndTheRestKept() {
        assertEquals(List.of(server(Scheme.HTTP, "good", 81), ProxyServer.DIRECT),
                parse("QUIC q:443; PROXY; PROXY a b; PROXY bad:99999; PROXY x:port; PROXY <html>; "
                        + "PROXY good:81; DIRECT now"
                        + "; DIRECT"));
    }

    @Test
    public void repeatedEntriesAreKeptOnce() {
        assertEquals(List.of(server(Scheme.HTTP, "a", 80), ProxyServer.DIRECT),
                parse("PROXY a:80; PROXY A; DIRECT; DIRECT"));
    }

    @Test
    public void nothingUsableIsNull() {
        assertNull(parse(""));
        assertNull(parse(" ; ;"));
        assertNull(parse("hello world"));
        assertNull(parse("PROXY"));
    }
}
