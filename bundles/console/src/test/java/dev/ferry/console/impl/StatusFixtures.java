package dev.ferry.console.impl;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.GroupId;
import dev.ferry.api.upstream.PoolCounters;
import dev.ferry.api.upstream.PoolKey;
import java.time.Instant;
import java.util.List;

/** Console status values for the rendering tests, some with hostile text. */
final class StatusFixtures {

    static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    static final String HOSTILE = "</td><script>alert(1)</script> \"\\ ${brand.name} 'x' & \\${";

    private StatusFixtures() {
    }

    static ProxyRetryInfo refused() {
        return new ProxyRetryInfo(ProxyServer.parse("http://127.0.0.1:1234"), ProxyErrorType.CONNECTION_REFUSED,
                "connection refused: 127.0.0.1/127.0.0.1:1234", NOW.minusSeconds(1), NOW.plusMillis(299_500));
    }

    static ProxyRetryInfo hostile() {
        return new ProxyRetryInfo(ProxyServer.parse("https://bad.example:8443"), ProxyErrorType.CONNECTION_TIMEOUT,
                HOSTILE + "\n\u0001", NOW.minusSeconds(400), NOW.minusSeconds(100));
    }

    static PoolCounters directPool() {
        return new PoolCounters(new PoolKey(ProxyServer.DIRECT,
                new GroupId("http", HostAndPort.of("127.0.0.1", 8080), "127.0.0.1")), 0, 1, 0, 1, 3, 0, 4);
    }

    static PoolCounters hostilePool() {
        return new PoolCounters(new PoolKey(ProxyServer.parse("http://proxy.corp:3128"),
                new GroupId("https", HostAndPort.of("::1", 443), HOSTILE)), 2, 0, 1, 7, 0, 5, 9);
    }

    static ConsoleStatus full() {
        return new ConsoleStatus(NOW, List.of(refused(), hostile()), List.of(hostilePool(), directPool()),
                List.of(new ServiceEntry("dev.ferry.resolver", "dev.ferry.resolver.impl.FixedProxyResolver", 0, 12,
                                "dev.ferry.resolver"),
                        new ServiceEntry(HOSTILE, "", 10, 40, "evil")),
                List.of(new ServiceEntry("dev.ferry.plugin.connectheaders~corp",
                        "dev.ferry.plugin.connectheaders.impl.ConnectHeadersDelegate", 5, 50,
                        "dev.ferry.plugin-connect-headers")));
    }

    static ConsoleStatus nothingInstalled() {
        return new ConsoleStatus(NOW, null, null, List.of(), List.of());
    }
}
