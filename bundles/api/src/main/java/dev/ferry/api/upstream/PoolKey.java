package dev.ferry.api.upstream;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyServer;
import java.util.Objects;

/** Which connections are interchangeable: the same proxy and the same group (destination and partition). */
public final class PoolKey {

    private final ProxyServer proxy;
    private final GroupId group;

    public PoolKey(ProxyServer proxy, GroupId group) {
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.group = Objects.requireNonNull(group, "group");
    }

    /** A key in the shared partition for plain {@code http} to {@code destination}. */
    public PoolKey(ProxyServer proxy, HostAndPort destination) {
        this(proxy, GroupId.http(destination));
    }

    public ProxyServer proxy() {
        return proxy;
    }

    public GroupId group() {
        return group;
    }

    public HostAndPort destination() {
        return group.destination();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolKey && ((PoolKey) o).proxy.equals(proxy) && ((PoolKey) o).group.equals(group);
    }

    @Override
    public int hashCode() {
        return proxy.hashCode() * 31 + group.hashCode();
    }

    @Override
    public String toString() {
        return proxy + " => " + group;
    }
}
