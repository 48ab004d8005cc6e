package dev.ferry.plugin.accesslog.impl;

import static org.junit.Assert.assertEquals;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeSummary;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.testing.LeakCheck;
import java.net.InetSocketAddress;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** Squid's native format, field by field as {@code logformat squid} writes them. */
public class SquidFormatTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static String line(ExchangeSummary summary) {
        return LineFormat.SQUID.line(summary, null);
    }

    @Test
    public void aGetWithAUserAndItsContentType() {
        assertEquals("1796634902.123    180 127.0.0.1 TCP_MISS/200 411 GET http://example.org/ alice"
                + " HIER_DIRECT/example.org text/html", LineFormat.SQUID.line(Exchanges.getWithUser(), "text/html"));
        assertEquals("1796634902.123    180 127.0.0.1 TCP_MISS/200 411 GET http://example.org/ alice"
                + " HIER_DIRECT/example.org -", line(Exchanges.getWithUser()));
    }

    @Test
    public void aConnectTunnelThroughAnUpstreamProxy() {
        assertEquals("1796634902.123   2500 192.0.2.10 TCP_TUNNEL/200 4711 CONNECT example.org:443 -"
                + " FIRSTUP_PARENT/proxy.corp.example -", line(Exchanges.connectTunnel()));
    }

    @Test
    public void aDeniedRequest() {
        assertEquals("1796634902.123      1 192.0.2.10 TCP_DENIED/403 0 CONNECT example.org:25 - HIER_NONE/- -",
                line(Exchanges.deniedConnect()));
    }

    @Test
    public void aClientThatGotNoStatus() {
        assertEquals("1796634902.123  30000 127.0.0.1 NONE_NONE/000 0 GET http://example.org/slow -"
                + " HIER_DIRECT/example.org -", line(Exchanges.noStatus()));
    }

    @Test
    public void anIpv6Client() {
        assertEquals("1796634902.123     42 2001:db8:0:0:0:0:0:1 TCP_MISS/200 1234 GET http://[2001:db8::2]/ -"
                + " HIER_DIRECT/2001:db8::2 -", line(Exchanges.ipv6Spdy()));
    }

    @Test
    public void anUnresolvedClientIsItsHostString() {
        ClientRequest request = Exchanges.request("127.0.0.1", "GET", "http://example.org/", "example.org", 80)
                .client(InetSocketAddress.createUnresolved("client.example", 50000)).build();
        String line = line(Exchanges.summary(request, 5).status(200).upstream("DIRECT").build());
        assertEquals("client.example", line.split(" +")[2]);
    }

    @Test
    public void resultCodes() {
        ClientRequest get = Exchanges.getRequest();
        assertEquals("TCP_DENIED", SquidLine.resultCode(Exchanges.summary(get, 1).status(407)
                .error(ProxyErrorType.HTTP_REQUEST_DENIED, "authentication required").build()));
        assertEquals("an origin's own 403 is a miss", "TCP_MISS",
                SquidLine.resultCode(Exchanges.summary(get, 1).status(403).build()));
        assertEquals("TCP_MISS", SquidLine.resultCode(Exchanges.summary(get, 1).status(502)
                .error(ProxyErrorType.CONNECTION_REFUSED, "refused").build()));
        assertEquals("a CONNECT that failed is no tunnel", "TCP_MISS", SquidLine.resultCode(
                Exchanges.summary(Exchanges.request("::1", "CONNECT", "a:443", "a", 443).build(), 1).status(502)
                        .build()));
        assertEquals("NONE_NONE", SquidLine.resultCode(Exchanges.summary(get, 1).status(0)
                .error(ProxyErrorType.HTTP_REQUEST_ERROR, "bad").build()));
    }

    @Test
    public void upstreamProxiesOfEveryScheme() {
        for (String upstream : new String[] {"https://proxy.example:8443", "socks5://proxy.example:1080",
            "http://proxy.example:3128", "socks4://proxy.example"}) {
            String line = line(Exchanges.summary(Exchanges.getRequest(), 1).status(200).upstream(upstream).build());
            assertEquals(upstream, "FIRSTUP_PARENT/proxy.example", line.split(" +")[8]);
        }
        assertEquals("[::1]", "::1", SquidLine.proxyHost("http://[::1]:3128"));
    }

    @Test
    public void spacesAndControlCharactersCannotSplitAField() {
        ClientRequest request = Exchanges.request("127.0.0.1", "GET", "http://example.org/a%20b c", "example.org",
                80).user("John Doe\n").build();
        String line = LineFormat.SQUID.line(Exchanges.summary(request, 5).status(200).upstream("DIRECT").build(),
                "text/html; charset=utf-8");
        assertEquals("1796634902.123      5 127.0.0.1 TCP_MISS/200 0 GET http://example.org/a%20b%20c"
                + " John%20Doe%0A HIER_DIRECT/example.org text/html;%20charset=utf-8", line);
        assertEquals(10, line.split(" +").length);
    }

    @Test
    public void millisecondsArePaddedAndTheTimeIsTheEnd() {
        ExchangeSummary summary = ExchangeSummary.builder().request(Exchanges.getRequest()).status(200)
                .timing(java.time.Instant.parse("2026-12-07T09:15:01.998Z"), java.time.Duration.ofMillis(7))
                .upstream("DIRECT").build();
        assertEquals("1796634902.005", line(summary).substring(0, 14));
    }
}
