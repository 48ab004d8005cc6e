package dev.ferry.resolver.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.proxy.ProxyServer.Scheme;
import dev.ferry.testing.LeakCheck;
import java.net.URI;
import java.util.List;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class ProxyRulesTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final URI HTTP_URL = URI.create("http://origin.test:8080/path?q");
    private static final URI TUNNEL_URL = URI.create("https://origin.test:443/");
    private static final URI FTP_URL = URI.create("ftp://origin.test/file");
    private static final URI WS_URL = URI.create("ws://origin.test/chat");
    private static final URI OTHER_URL = URI.create("gopher://origin.test/");

    private static ProxyServer proxy(Scheme scheme, String host, int port) {
        return ProxyServer.of(scheme, host, port);
    }

    private static ProxyList list(ProxyServer... servers) {
        return ProxyList.of(List.of(servers));
    }

    private static void assertList(String rules, URI url, ProxyList expected) {
        assertEquals(rules + " for " + url, expected, ProxyRules.parse(rules).forUrl(url));
    }

    @Test
    public void emptyOrBlankRulesSendEveryUrlDirect() {
        for (String rules : new String[] {"", "   ", ";", " ; ; "}) {
            assertTrue(rules, ProxyRules.parse(rules).isEmpty());
            for (URI url : new URI[] {HTTP_URL, TUNNEL_URL, FTP_URL, OTHER_URL}) {
                assertList(rules, url, ProxyList.DIRECT);
            }
        }
    }

    @Test
    public void aListWithoutSchemeServesEveryUrlScheme() {
        ProxyList foo = list(proxy(Scheme.HTTP, "foo", 80));
        for (URI url : new URI[] {HTTP_URL, TUNNEL_URL, FTP_URL, WS_URL, OTHER_URL}) {
            assertList("foo:80", url, foo);
        }
        assertList("https://p:443,direct://", TUNNEL_URL, list(proxy(Scheme.HTTPS, "p", 443), ProxyServer.DIRECT));
        assertList(" foopy:80 , bar , direct:// ", HTTP_URL,
                list(proxy(Scheme.HTTP, "foopy", 80), proxy(Scheme.HTTP, "bar", 80), ProxyServer.DIRECT));
        assertList("socks4://foopy", HTTP_URL, list(proxy(Scheme.SOCKS4, "foopy", 1080)));
        assertList("foo:80;", HTTP_URL, foo);
    }

    @Test
    public void entriesTakeTheirSchemesDefaultPort() {
        Object[][] table = {
            {"proxy", proxy(Scheme.HTTP, "proxy", 80)},
            {"http://proxy", proxy(Scheme.HTTP, "proxy", 80)},
            {"https://proxy", proxy(Scheme.HTTPS, "proxy", 443)},
            {"socks4://proxy", proxy(Scheme.SOCKS4, "proxy", 1080)},
            {"socks5://proxy", proxy(Scheme.SOCKS5, "proxy", 1080)},
            {"HTTPS://Proxy.Example:8443", proxy(Scheme.HTTPS, "proxy.example", 8443)},
            {"http://proxy:3128/", proxy(Scheme.HTTP, "proxy", 3128)},
            {"[::1]:3128", proxy(Scheme.HTTP, "::1", 3128)},
            {"[::1]", proxy(Scheme.HTTP, "::1", 80)},
            {"https://[2001:DB8::1]", proxy(Scheme.HTTPS, "2001:db8::1", 443)},
            {"socks5://[::ffff:10.0.0.1]:1081", proxy(Scheme.SOCKS5, "::ffff:10.0.0.1", 1081)},
            {"10.0.0.1:65535", proxy(Scheme.HTTP, "10.0.0.1", 65535)},
            {"direct://", ProxyServer.DIRECT},
        };
        for (Object[] row : table) {
            assertList((String) row[0], HTTP_URL, list((ProxyServer) row[1]));
        }
    }

    @Test
    public void socksSchemeWrittenOutIsSocks5ButBareEntriesOfTheSocksListAreSocks4() {
        // Chromium: GetSchemeFromUriScheme("socks") is SOCKS5; the socks= key defaults bare entries to SOCKS4.
        assertList("socks://s", HTTP_URL, list(proxy(Scheme.SOCKS5, "s", 1080)));
        String rules = "http=foopy;socks=s1,socks://s2,socks5://s3:1090,http://h";
        assertList(rules, TUNNEL_URL, list(proxy(Scheme.SOCKS4, "s1", 1080), proxy(Scheme.SOCKS5, "s2", 1080),
                proxy(Scheme.SOCKS5, "s3", 1090), proxy(Scheme.HTTP, "h", 80)));
    }

    @Test
    public void perSchemeListsWithSocksFallbackAndDirectForTheRest() {
        String rules = "http=foopy:80;https=socks5://s:1080,direct://;socks=socks4://x";
        assertList(rules, HTTP_URL, list(proxy(Scheme.HTTP, "foopy", 80)));
        assertList(rules, TUNNEL_URL, list(proxy(Scheme.SOCKS5, "s", 1080), ProxyServer.DIRECT));
        assertList(rules, FTP_URL, list(proxy(Scheme.SOCKS4, "x", 1080)));
        assertList(rules, OTHER_URL, list(proxy(Scheme.SOCKS4, "x", 1080)));

        assertList("http=foopy", TUNNEL_URL, ProxyList.DIRECT);
        assertList("http=foopy", FTP_URL, ProxyList.DIRECT);
        assertList("https=p:443", HTTP_URL, ProxyList.DIRECT);
        assertList("ftp=f", FTP_URL, list(proxy(Scheme.HTTP, "f", 80)));
        assertList("socks=only", HTTP_URL, list(proxy(Scheme.SOCKS4, "only", 1080)));
    }

    @Test
    public void keysAreTrimmedAndCaseInsensitiveAndRepeatedKeysAddToTheirList() {
        String rules = " HTTP = a:1 ; https=b:2;http=c:3 ";
        assertList(rules, HTTP_URL, list(proxy(Scheme.HTTP, "a", 1), proxy(Scheme.HTTP, "c", 3)));
        assertList(rules, TUNNEL_URL, list(proxy(Scheme.HTTP, "b", 2)));
    }

    @Test
    public void webSocketUrlsPreferSocksThenHttpsThenHttp() {
        assertList("http=h;https=s;socks=k", WS_URL, list(proxy(Scheme.SOCKS4, "k", 1080)));
        assertList("http=h;https=s", URI.create("wss://o.test/"), list(proxy(Scheme.HTTP, "s", 80)));
        assertList("http=h", WS_URL, list(proxy(Scheme.HTTP, "h", 80)));
        assertList("ftp=f", WS_URL, ProxyList.DIRECT);
    }

    @Test
    public void toStringShowsTheEffectiveLists() {
        assertEquals("DIRECT for every URL", ProxyRules.parse("").toString());
        assertEquals("every URL: [http://foo:80, DIRECT]", ProxyRules.parse("foo:80,direct://").toString());
        assertEquals("http: [http://a:80]; https: [https://b:443]; other schemes: [socks4://c:1080]",
                ProxyRules.parse("https=https://b;socks=c;http=a").toString());
        assertEquals("http: [http://a:80]; other schemes: DIRECT", ProxyRules.parse("http=a").toString());
    }

    @Test
    public void badRulesAreRejectedQuotingTheBadPart() {
        String[][] table = {
            // rules, text the message must contain
            {"foo:70000", "'foo:70000'"},
            {"foo:0", "'foo:0'"},
            {"foo:", "'foo:'"},
            {"foo:8o", "'foo:8o'"},
            {"quic://q:443", "unknown proxy scheme 'quic'"},
            {"ftp://f", "'ftp://f'"},
            {"direct://somewhere", "'direct://somewhere'"},
            {"http://", "'http://'"},
            {"user:pw@proxy:80", "'user:pw@proxy:80'"},
            {"http://proxy:80/path", "'http://proxy:80/path'"},
            {"::1:80", "'::1:80'"},
            {"[::1", "'[::1'"},
            {"[::g]:80", "'[::g]:80'"},
            {"pro xy:80", "'pro xy:80'"},
            {"a,,b", "'a,,b'"},
            {"a,", "'a,'"},
            {"gopher=g:70", "unknown URL scheme 'gopher'"},
            {"a:80;http=b", "'a:80'"},
            {"http=b;a:80", "'a:80'"},
            {"http=", "'http='"},
            {"http=a=b", "'http=a=b'"},
            {"socks=s:99999", "'s:99999'"},
        };
        for (String[] row : table) {
            IllegalArgumentException e = assertThrows(row[0], IllegalArgumentException.class,
                    () -> ProxyRules.parse(row[0]));
            assertTrue(row[0] + " -> " + e.getMessage(), e.getMessage().contains(row[1]));
        }
    }
}
