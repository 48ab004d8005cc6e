package dev.ferry.api.spi;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyServer;
import java.util.Objects;

/** Which connections are interchangeable: the same proxy and the same destination. */
public final class PoolKey {

    private final ProxyServer proxy;
    private final HostAndPort destination;

    public PoolKey(ProxyServer proxy, HostAndPort destination) {
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.destination = Objects.requireNonNull(destination, "destination");
    }

    public ProxyServer proxy() {
        return proxy;
    }

    public HostAndPort destination() {
        return destination;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolKey && ((PoolKey) o).proxy.equals(proxy)
                && ((PoolKey) o).destination.equals(destination);
    }

    @Override
    public int hashCode() {
        return proxy.hashCode() * 31 + destination.hashCode();
    }

    @Override
    public String toString() {
        return proxy + " => " + destination;
    }
}
