package dev.ferry.plugin.connectheaders.impl;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.testing.LeakCheck;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.osgi.util.converter.Converters;

public class ConnectHeadersDelegateTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static final HostAndPort DESTINATION = HostAndPort.of("example.org", 443);
    private static final ProxyServer CORPORATE = ProxyServer.parse("http://proxy.corp:3128");
    private static final ProxyServer OTHER = ProxyServer.parse("http://other.corp:3128");

    private static ConnectHeadersDelegate.Config config(Object headers, Object proxies) {
        Map<String, Object> map = new HashMap<>();
        if (headers != null) {
            map.put("headers", headers);
        }
        if (proxies != null) {
            map.put("proxies", proxies);
        }
        return Converters.standardConverter().convert(map).to(ConnectHeadersDelegate.Config.class);
    }

    private static ConnectHeadersDelegate delegate(Object headers, Object proxies) {
        return new ConnectHeadersDelegate(config(headers, proxies));
    }

    private static String activationError(Object headers, Object proxies) {
        return assertThrows(IllegalArgumentException.class, () -> delegate(headers, proxies)).getMessage();
    }

    @Test
    public void everyUpstreamProxyGetsTheHeadersInConfiguredOrderWhenNoProxiesAreListed() {
        ConnectHeadersDelegate delegate = delegate(
                new String[] {"X-Ferry-Tag: edge-1", "Proxy-Authorization: Bearer abc.def", "Via-Tag:plain"}, null);

        Map<String, String> headers = delegate.onBeforeTunnelRequest(CORPORATE, DESTINATION);

        assertEquals(List.of("X-Ferry-Tag", "Proxy-Authorization", "Via-Tag"), List.copyOf(headers.keySet()));
        assertEquals("edge-1", headers.get("X-Ferry-Tag"));
        assertEquals("Bearer abc.def", headers.get("Proxy-Authorization"));
        assertEquals("plain", headers.get("Via-Tag"));
        assertEquals(headers, delegate.onBeforeTunnelRequest(OTHER, DESTINATION));
    }

    @Test
    public void onlyListedProxiesGetTheHeaders() {
        ConnectHeadersDelegate delegate = delegate(new String[] {"X-Tag: a"},
                new String[] {"http://PROXY.corp:3128", "https://secure.corp:8443"});

        assertEquals(Map.of("X-Tag", "a"), delegate.onBeforeTunnelRequest(CORPORATE, DESTINATION));
        assertEquals(Map.of("X-Tag", "a"),
                delegate.onBeforeTunnelRequest(ProxyServer.parse("https://secure.corp:8443"), DESTINATION));
        assertTrue(delegate.onBeforeTunnelRequest(OTHER, DESTINATION).isEmpty());
        // Same host and port but another scheme is another proxy.
        assertTrue(delegate.onBeforeTunnelRequest(ProxyServer.parse("https://proxy.corp:3128"), DESTINATION)
                .isEmpty());
    }

    @Test
    public void aProxyWithoutSchemeOrPortMeansHttpOnItsDefaultPort() {
        ConnectHeadersDelegate delegate = delegate(new String[] {"X-Tag: a"}, new String[] {"proxy.corp"});

        assertEquals(Map.of("X-Tag", "a"),
                delegate.onBeforeTunnelRequest(ProxyServer.parse("http://proxy.corp:80"), DESTINATION));
        assertTrue(delegate.onBeforeTunnelRequest(CORPORATE, DESTINATION).isEmpty());
    }

    @Test
    public void aSingleStringFromAnUntypedConfigFileIsOneHeader() {
        ConnectHeadersDelegate delegate = delegate("X-Tag: one, two", "http://proxy.corp:3128");

        assertEquals(Map.of("X-Tag", "one, two"), delegate.onBeforeTunnelRequest(CORPORATE, DESTINATION));
    }

    @Test
    public void optionalWhiteSpaceAroundValuesIsRemovedAndBlankEntriesAreSkipped() {
        ConnectHeadersDelegate delegate = delegate(new String[] {"", "X-Tag: \t a b \t", "  ", "X-Empty:"},
                new String[] {" "});

        Map<String, String> headers = delegate.onBeforeTunnelRequest(OTHER, DESTINATION);
        assertEquals("a b", headers.get("X-Tag"));
        assertEquals("", headers.get("X-Empty"));
        assertEquals(2, headers.size());
    }

    @Test
    public void theReturnedHeadersCannotBeChangedByACaller() {
        Map<String, String> headers = delegate(new String[] {"X-Tag: a"}, null)
                .onBeforeTunnelRequest(CORPORATE, DESTINATION);

        assertThrows(UnsupportedOperationException.class, () -> headers.put("X-Evil", "b"));
    }

    @Test
    public void carriageReturnOrLineFeedInAValueFailsActivation() {
        String message = activationError(new String[] {"X-Ok: 1", "X-Tag: a\r\nX-Injected: b"}, null);

        assertTrue(message, message.startsWith("headers[1]: "));
        assertTrue(message, message.contains("'X-Tag'"));
        assertTrue(message, message.contains("CR or LF"));
        assertTrue(message, message.contains("a\\r\\nX-Injected: b"));
        assertTrue(activationError(new String[] {"X-Tag: a\nb"}, null).contains("CR or LF"));
    }

    @Test
    public void otherControlAndNonAsciiCharactersFailActivation() {
        assertTrue(activationError(new String[] {"X-Tag: a\u0000b"}, null).contains("control or non-ASCII"));
        assertTrue(activationError(new String[] {"X-Tag: caf\u00e9"}, null).contains("index 3"));
    }

    @Test
    public void aSecretValueIsNotRepeatedInTheError() {
        String message = activationError(new String[] {"Proxy-Authorization: Bearer s3cr3t\r\nX: y"}, null);

        assertFalse(message, message.contains("s3cr3t"));
        assertTrue(message, message.contains("secret"));
        String noColon = activationError(new String[] {"Proxy-Authorization Bearer s3cr3t"}, null);
        assertFalse(noColon, noColon.contains("s3cr3t"));
    }

    @Test
    public void namesMustBeHttpTokens() {
        assertTrue(activationError(new String[] {"X Tag: a"}, null).contains("'X Tag' is not an HTTP token"));
        assertTrue(activationError(new String[] {"X-Tag : a"}, null).contains("index 5"));
        assertTrue(activationError(new String[] {"X(Tag): a"}, null).contains("not an HTTP token"));
        assertTrue(activationError(new String[] {": a"}, null).contains("empty header name"));
        assertTrue(activationError(new String[] {"X-Tag a"}, null)
                .contains("headers[0] 'X-Tag a' is not a header: expected 'Name: value'"));
    }

    @Test
    public void headersOwnedByTheConnectRequestAreRefused() {
        assertTrue(activationError(new String[] {"Host: evil.example"}, null).contains("'Host'"));
        assertTrue(activationError(new String[] {"content-length: 5"}, null).contains("cannot be configured"));
        assertTrue(activationError(new String[] {"Transfer-Encoding: chunked"}, null).contains("cannot be configured"));
    }

    @Test
    public void aHeaderGivenTwiceIsRefused() {
        String message = activationError(new String[] {"X-Tag: a", "x-tag: b"}, null);

        assertTrue(message, message.contains("headers[1]: header 'x-tag' is already set by headers[0]"));
    }

    @Test
    public void noHeadersFailsActivation() {
        assertTrue(activationError(null, null).startsWith("headers is empty"));
        assertTrue(activationError(new String[] {" "}, null).startsWith("headers is empty"));
    }

    @Test
    public void aBadProxyEntryFailsActivationNamingIt() {
        String badPort = activationError(new String[] {"X-Tag: a"}, new String[] {"http://proxy:99999"});
        assertTrue(badPort, badPort.startsWith("proxies[0] 'http://proxy:99999' is not a proxy: "));

        String socks = activationError(new String[] {"X-Tag: a"}, new String[] {"proxy:1", "socks5://proxy:1080"});
        assertTrue(socks, socks.startsWith("proxies[1] 'socks5://proxy:1080': SOCKS5 never receives a CONNECT"));

        assertTrue(activationError(new String[] {"X-Tag: a"}, new String[] {"direct://"}).contains("DIRECT"));
    }
}
