package dev.ferry.pool.impl;

import dev.ferry.api.proxy.BadProxies;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.proxy.ProxyServer;
import java.util.List;

/**
 * The bad-proxy list while the resolver bundle's is missing (being updated): nothing is bad and nothing is
 * remembered, so requests keep flowing in their resolved order rather than waiting for a list that only reorders.
 */
enum NoBadProxies implements BadProxies {
    INSTANCE;

    @Override
    public void markBad(ProxyServer proxy, ProxyErrorType error, String details) {
    }

    @Override
    public void clear(ProxyServer proxy) {
    }

    @Override
    public boolean isBad(ProxyServer proxy) {
        return false;
    }

    @Override
    public ProxyList deprioritize(ProxyList proxies) {
        return proxies;
    }

    @Override
    public List<ProxyRetryInfo> current() {
        return List.of();
    }
}
