package dev.ferry.plugin.connectheaders.impl;

import dev.ferry.api.proxy.ProxyServer;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The {@code proxies} setting: the upstream proxies the headers go to, or every upstream proxy when none is listed.
 * Entries use the syntax of the rest of Ferry ({@link ProxyServer#parse}): {@code [scheme://]host[:port]}, scheme
 * http by default, port the scheme's default. Only http and https proxies are accepted, because only they receive a
 * CONNECT request.
 */
final class TargetProxies {

    private final Set<ProxyServer> proxies;

    private TargetProxies(Set<ProxyServer> proxies) {
        this.proxies = proxies;
    }

    /**
     * @param entries the {@code proxies} setting; null, empty or only blank entries mean every upstream proxy
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    static TargetProxies parse(String[] entries) {
        Set<ProxyServer> parsed = new LinkedHashSet<>();
        if (entries != null) {
            for (int i = 0; i < entries.length; i++) {
                String entry = entries[i];
                if (entry == null || entry.isBlank()) {
                    continue;
                }
                ProxyServer proxy;
                try {
                    proxy = ProxyServer.parse(entry);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("proxies[" + i + "] '" + entry.strip()
                            + "' is not a proxy: " + e.getMessage(), e);
                }
                if (proxy.scheme() != ProxyServer.Scheme.HTTP && proxy.scheme() != ProxyServer.Scheme.HTTPS) {
                    throw new IllegalArgumentException("proxies[" + i + "] '" + entry.strip() + "': " + proxy.scheme()
                            + " never receives a CONNECT request; list http:// or https:// proxies");
                }
                parsed.add(proxy);
            }
        }
        return new TargetProxies(Set.copyOf(parsed));
    }

    boolean matches(ProxyServer proxy) {
        return proxies.isEmpty() || proxies.contains(proxy);
    }

    @Override
    public String toString() {
        return proxies.isEmpty() ? "every upstream proxy" : proxies.toString();
    }
}
