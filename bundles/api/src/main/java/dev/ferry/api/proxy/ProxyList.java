package dev.ferry.api.proxy;

import java.util.List;
import java.util.Objects;

/** The proxies to try for one URL, in fallback order. Never empty. */
public final class ProxyList {

    public static final ProxyList DIRECT = new ProxyList(List.of(ProxyServer.DIRECT));

    private final List<ProxyServer> servers;

    private ProxyList(List<ProxyServer> servers) {
        this.servers = servers;
    }

    public static ProxyList of(List<ProxyServer> servers) {
        Objects.requireNonNull(servers, "servers");
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("a proxy list needs at least one entry (DIRECT counts)");
        }
        return new ProxyList(List.copyOf(servers));
    }

    public static ProxyList of(ProxyServer server) {
        return of(List.of(server));
    }

    public List<ProxyServer> servers() {
        return servers;
    }

    public ProxyServer first() {
        return servers.get(0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProxyList && ((ProxyList) o).servers.equals(servers);
    }

    @Override
    public int hashCode() {
        return servers.hashCode();
    }

    @Override
    public String toString() {
        return servers.toString();
    }
}
