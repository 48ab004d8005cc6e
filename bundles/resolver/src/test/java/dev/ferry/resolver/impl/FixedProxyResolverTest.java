package dev.ferry.resolver.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyServer;
import java.net.URI;
import java.util.Map;
import org.junit.Test;
import org.osgi.util.converter.Converters;

public class FixedProxyResolverTest {

    private static FixedProxyResolver resolver(String upstream) {
        return new FixedProxyResolver(Converters.standardConverter().convert(Map.of("upstreamProxy", upstream))
                .to(FixedProxyResolver.Config.class));
    }

    @Test
    public void emptyMeansDirect() {
        assertEquals(ProxyList.DIRECT, resolver("").resolve(URI.create("http://a.test/")));
        assertEquals(ProxyList.DIRECT, resolver(" direct:// ").resolve(URI.create("https://a.test:443/")));
    }

    @Test
    public void everyUrlGoesThroughTheUpstream() {
        FixedProxyResolver r = resolver("http://10.1.2.3:3128");
        ProxyServer expected = ProxyServer.of(ProxyServer.Scheme.HTTP, "10.1.2.3", 3128);
        assertEquals(expected, r.resolve(URI.create("http://a.test/x")).first());
        assertEquals(expected, r.resolve(URI.create("https://b.test:443/")).first());
    }

    @Test
    public void unsupportedOrBrokenSettingsFailActivationWithTheValue() {
        IllegalArgumentException socks = assertThrows(IllegalArgumentException.class,
                () -> resolver("socks5://10.1.2.3"));
        assertTrue(socks.getMessage(), socks.getMessage().contains("socks5://10.1.2.3"));
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> resolver("http://proxy:70000"));
        assertTrue(port.getMessage(), port.getMessage().contains("upstreamProxy 'http://proxy:70000'"));
    }
}
