package dev.ferry.plugin.accesslog.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeSummary;
import dev.ferry.api.exchange.Headers;
import dev.ferry.api.proxy.ProxyErrorType;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The exchanges every format is checked with, as the engine would summarize them. Each ends at {@link #END}
 * (2026-12-07T09:15:02.123Z, 1796634902.123 in Unix seconds), whatever its duration.
 */
final class Exchanges {

    static final Instant END = Instant.parse("2026-12-07T09:15:02.123Z");

    private Exchanges() {
    }

    static ClientRequest.Builder request(String clientIp, String method, String target, String host, int port) {
        return ClientRequest.builder().client(new InetSocketAddress(clientIp, 50000))
                .local(new InetSocketAddress("127.0.0.1", 3128)).listener("http").protocol("http/1.1")
                .method(method).target(target, host, port);
    }

    static Headers headers(String... namesAndValues) {
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            entries.add(new SimpleImmutableEntry<>(namesAndValues[i], namesAndValues[i + 1]));
        }
        return Headers.of(entries);
    }

    /** A summary of {@code request} that took {@code millis} and ended at {@link #END}. */
    static ExchangeSummary.Builder summary(ClientRequest request, long millis) {
        return ExchangeSummary.builder().request(request)
                .timing(END.minusMillis(millis), Duration.ofMillis(millis));
    }

    /** GET http://example.org/ by alice, 200, 411 bytes to the client, 180 ms, DIRECT; with Referer and UA. */
    static ClientRequest getRequest() {
        return request("127.0.0.1", "GET", "http://example.org/", "example.org", 80)
                .headers(headers("Referer", "http://example.org/start", "User-Agent", "curl/8.5.0"))
                .user("alice").build();
    }

    static ExchangeSummary getWithUser() {
        return summary(getRequest(), 180).status(200).bytes(0, 411).upstream("DIRECT").build();
    }

    /** CONNECT example.org:443 through an upstream proxy, tunnel established, 2.5 s. */
    static ExchangeSummary connectTunnel() {
        ClientRequest request = request("192.0.2.10", "CONNECT", "example.org:443", "example.org", 443).build();
        return summary(request, 2500).status(200).bytes(517, 4711).upstream("http://proxy.corp.example:3128")
                .build();
    }

    /** CONNECT example.org:25, refused by the proxy: 403 destination_port_prohibited, no upstream. */
    static ExchangeSummary deniedConnect() {
        ClientRequest request = request("192.0.2.10", "CONNECT", "example.org:25", "example.org", 25).build();
        return summary(request, 1).status(403)
                .error(ProxyErrorType.DESTINATION_PORT_PROHIBITED, "denied by connectPorts (25)").build();
    }

    /** A GET whose client went away after 30 s, before any response: no status. */
    static ExchangeSummary noStatus() {
        ClientRequest request = request("127.0.0.1", "GET", "http://example.org/slow", "example.org", 80).build();
        return summary(request, 30_000).status(0).upstream("DIRECT").build();
    }

    /** A SPDY stream from an IPv6 client to an IPv6 literal. */
    static ExchangeSummary ipv6Spdy() {
        ClientRequest request = request("2001:db8::1", "GET", "http://[2001:db8::2]/", "2001:db8::2", 80)
                .protocol("spdy/3.1").build();
        return summary(request, 42).status(200).bytes(0, 1234).upstream("DIRECT").build();
    }

    /** A GET with a target carrying {@code n}, to tell lines apart. */
    static ExchangeSummary numbered(int n) {
        ClientRequest request = request("127.0.0.1", "GET", "http://example.org/" + n, "example.org", 80).build();
        return summary(request, 5).status(200).bytes(0, 100).upstream("DIRECT").build();
    }
}
