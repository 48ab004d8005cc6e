package dev.ferry.resolver.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.proxy.ProxyServer.Scheme;
import dev.ferry.testing.LeakCheck;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

public class RulesProxyResolverTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static RulesProxyResolver.Config config(String rules, String bypass) {
        Map<String, Object> properties = new HashMap<>();
        if (rules != null) {
            properties.put("rules", rules);
        }
        if (bypass != null) {
            properties.put("bypass", bypass);
        }
        return Converters.standardConverter().convert(properties).to(RulesProxyResolver.Config.class);
    }

    private static RulesProxyResolver resolver(String rules, String bypass) {
        return new RulesProxyResolver(config(rules, bypass));
    }

    private static ProxyList resolve(RulesProxyResolver resolver, String url) {
        return resolver.resolve(URI.create(url));
    }

    @Test
    public void withoutConfigurationEveryUrlGoesDirect() {
        RulesProxyResolver resolver = resolver(null, null);
        assertEquals(ProxyList.DIRECT, resolve(resolver, "http://example.com/x"));
        assertEquals(ProxyList.DIRECT, resolve(resolver, "https://example.com:443/"));
        assertFalse(resolver.mayBlock());
    }

    @Test
    public void forwardedRequestsAndTunnelsFollowTheirSchemesList() {
        RulesProxyResolver resolver = resolver("http=h1:3128,direct://;https=https://h2;socks=s", "");
        assertEquals(ProxyList.of(List.of(ProxyServer.of(Scheme.HTTP, "h1", 3128), ProxyServer.DIRECT)),
                resolve(resolver, "http://example.com/index.html"));
        assertEquals(ProxyList.of(ProxyServer.of(Scheme.HTTPS, "h2", 443)),
                resolve(resolver, "https://example.com:443/"));
        assertEquals(ProxyList.of(ProxyServer.of(Scheme.SOCKS4, "s", 1080)),
                resolve(resolver, "ftp://example.com/"));
    }

    @Test
    public void bypassedUrlsGoDirectAndOthersThroughTheProxy() {
        RulesProxyResolver resolver = resolver("proxy.corp:8080", "*.corp; 10.0.0.0/8, <local> https://bank.test");
        ProxyList viaProxy = ProxyList.of(ProxyServer.of(Scheme.HTTP, "proxy.corp", 8080));
        Object[][] table = {
            {"http://wiki.corp/page", ProxyList.DIRECT},
            {"https://10.20.30.40:443/", ProxyList.DIRECT},
            {"http://intranet/", ProxyList.DIRECT},
            {"https://bank.test:443/", ProxyList.DIRECT},
            {"http://bank.test/", viaProxy},
            {"http://example.com/", viaProxy},
            {"https://11.0.0.1:443/", viaProxy},
            {"http://localhost:8080/", ProxyList.DIRECT},
            {"http://127.0.0.1:8080/", ProxyList.DIRECT},
            {"https://[::1]:8443/", ProxyList.DIRECT},
        };
        for (Object[] row : table) {
            assertEquals((String) row[0], row[1], resolve(resolver, (String) row[0]));
        }
    }

    @Test
    public void minusLoopbackSendsLocalDestinationsThroughTheProxy() {
        RulesProxyResolver resolver = resolver("http://127.0.0.1:3128", "<-loopback>");
        ProxyList viaProxy = ProxyList.of(ProxyServer.of(Scheme.HTTP, "127.0.0.1", 3128));
        assertEquals(viaProxy, resolve(resolver, "http://127.0.0.1:8080/"));
        assertEquals(viaProxy, resolve(resolver, "https://localhost:8443/"));
    }

    @Test
    public void invalidSettingsFailActivationNamingTheSettingAndValue() {
        IllegalArgumentException rules = assertThrows(IllegalArgumentException.class,
                () -> resolver("http=proxy:99999", ""));
        assertTrue(rules.getMessage(), rules.getMessage().contains("rules = 'http=proxy:99999'"));
        assertTrue(rules.getMessage(), rules.getMessage().contains("'proxy:99999'"));

        IllegalArgumentException bypass = assertThrows(IllegalArgumentException.class,
                () -> resolver("proxy:3128", "*.ok.test, 10.0.0.0/40"));
        assertTrue(bypass.getMessage(), bypass.getMessage().contains("bypass = '*.ok.test, 10.0.0.0/40'"));
        assertTrue(bypass.getMessage(), bypass.getMessage().contains("'10.0.0.0/40'"));
    }

    @Test
    public void aChangedConfigurationAppliesInPlaceToTheNextUrl() {
        RulesProxyResolver resolver = resolver("http://old.corp:3128", "*.intranet");
        ProxyList viaOld = ProxyList.of(ProxyServer.of(Scheme.HTTP, "old.corp", 3128));
        assertEquals(viaOld, resolve(resolver, "http://example.com/"));
        assertEquals(ProxyList.DIRECT, resolve(resolver, "http://wiki.intranet/"));

        resolver.modified(config("socks5://new.corp:1080,direct://", "*.example.com"));

        assertEquals(ProxyList.of(List.of(ProxyServer.of(Scheme.SOCKS5, "new.corp", 1080), ProxyServer.DIRECT)),
                resolve(resolver, "http://wiki.intranet/"));
        assertEquals("the new bypass list came with the new rules", ProxyList.DIRECT,
                resolve(resolver, "http://www.example.com/"));

        resolver.modified(config(null, null));
        assertEquals("a configuration emptied back to the defaults goes DIRECT", ProxyList.DIRECT,
                resolve(resolver, "http://www.other.test/"));
    }

    @Test
    public void aChangeThatDoesNotParseKeepsBothRulesAndBypassInForce() {
        RulesProxyResolver resolver = resolver("http://kept.corp:3128", "*.intranet");
        ProxyList viaKept = ProxyList.of(ProxyServer.of(Scheme.HTTP, "kept.corp", 3128));

        resolver.modified(config("http://new.corp:3128", "10.0.0.0/40"));
        assertEquals("the valid half of a bad change is not applied either", viaKept,
                resolve(resolver, "http://example.com/"));
        assertEquals(ProxyList.DIRECT, resolve(resolver, "http://wiki.intranet/"));

        resolver.modified(config("http=proxy:99999", ""));
        assertEquals(viaKept, resolve(resolver, "http://example.com/"));
        assertEquals(ProxyList.DIRECT, resolve(resolver, "http://wiki.intranet/"));
    }
}
