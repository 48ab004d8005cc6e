package dev.ferry.plugin.connectheaders.impl;

import dev.ferry.api.proxy.ProxyServer;
import java.util.Map;

/**
 * One configuration's headers and the proxies they go to, parsed together so that a change replaces both in one
 * step: no CONNECT ever gets the new headers on the old proxy list.
 */
final class HeaderRule {

    private final ConnectHeaders headers;
    private final TargetProxies proxies;

    private HeaderRule(ConnectHeaders headers, TargetProxies proxies) {
        this.headers = headers;
        this.proxies = proxies;
    }

    /** @throws IllegalArgumentException naming the entry and what is wrong with it */
    static HeaderRule parse(ConnectHeadersDelegate.Config config) {
        return new HeaderRule(ConnectHeaders.parse(config.headers()), TargetProxies.parse(config.proxies()));
    }

    /** The headers for a CONNECT through {@code proxy}; empty when it is not one of the listed proxies. */
    Map<String, String> forProxy(ProxyServer proxy) {
        return proxies.matches(proxy) ? headers.asMap() : Map.of();
    }

    @Override
    public String toString() {
        return headers + " for " + proxies;
    }
}
