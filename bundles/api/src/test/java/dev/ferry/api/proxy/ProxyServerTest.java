package dev.ferry.api.proxy;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

public class ProxyServerTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Test
    public void parsesSchemesWithTheirDefaultPorts() {
        assertEquals(ProxyServer.of(ProxyServer.Scheme.HTTP, "proxy.test", 80), ProxyServer.parse("proxy.test"));
        assertEquals(ProxyServer.of(ProxyServer.Scheme.HTTPS, "proxy.test", 443),
                ProxyServer.parse("https://proxy.test"));
        assertEquals(ProxyServer.of(ProxyServer.Scheme.SOCKS5, "proxy.test", 1080),
                ProxyServer.parse("socks://proxy.test"));
        assertEquals(ProxyServer.of(ProxyServer.Scheme.SOCKS4, "proxy.test", 9),
                ProxyServer.parse("SOCKS4://Proxy.Test:9/"));
        assertSame(ProxyServer.DIRECT, ProxyServer.parse("direct://"));
        assertEquals("http://[::1]:3128", ProxyServer.parse("http://[::1]:3128").toString());
    }

    @Test
    public void rejectsBadInputNamingIt() {
        IllegalArgumentException scheme = assertThrows(IllegalArgumentException.class,
                () -> ProxyServer.parse("ftp://proxy.test"));
        assertTrue(scheme.getMessage(), scheme.getMessage().contains("ftp"));
        for (String bad : new String[] {"proxy.test:99999", "proxy.test:0", "proxy.test:12ab", "proxy.test:",
            "::1:80", "[::1", "http://", ":80"}) {
            assertThrows(bad, IllegalArgumentException.class, () -> ProxyServer.parse(bad));
        }
    }

    @Test
    public void equalityFitsPoolKeys() {
        assertEquals(ProxyServer.parse("http://A.test:1"), ProxyServer.parse("a.test:1"));
        assertEquals(ProxyServer.parse("a.test:1").hashCode(), ProxyServer.parse("http://a.test:1").hashCode());
        assertEquals(HostAndPort.of("X", 1), HostAndPort.parse("x:1", -1));
    }

    @Test
    public void proxyListIsNeverEmpty() {
        assertThrows(IllegalArgumentException.class, () -> ProxyList.of(java.util.List.of()));
        assertSame(ProxyServer.DIRECT, ProxyList.DIRECT.first());
    }
}
