package dev.ferry.console.impl;

import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.upstream.PoolCounters;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the Ferry console page shows, taken at one instant: plain values, so that the HTML and JSON renderings can be
 * tested without a framework or a servlet container. A service that is not registered is an empty {@link Optional},
 * which the page tells apart from an empty list.
 */
final class ConsoleStatus {

    private static final Comparator<PoolCounters> POOL_ORDER = Comparator
            .comparing((PoolCounters c) -> c.key().proxy().toString())
            .thenComparing(c -> c.key().destination().toString())
            .thenComparing(c -> c.key().group().scheme())
            .thenComparing(c -> c.key().group().partition());

    private final Instant now;
    private final Optional<List<ProxyRetryInfo>> badProxies;
    private final Optional<List<PoolCounters>> pools;
    private final List<ServiceEntry> resolvers;
    private final List<ServiceEntry> delegates;

    /**
     * @param badProxies the bad-proxy list, soonest retry first; null when no BadProxies service is registered
     * @param pools the pool counters in any order; null when no ConnectionPool is registered
     * @param resolvers the registered resolvers in any order
     * @param delegates the registered plugins in any order
     */
    ConsoleStatus(Instant now, List<ProxyRetryInfo> badProxies, List<PoolCounters> pools,
            List<ServiceEntry> resolvers, List<ServiceEntry> delegates) {
        this.now = Objects.requireNonNull(now, "now");
        this.badProxies = Optional.ofNullable(badProxies).map(List::copyOf);
        this.pools = Optional.ofNullable(pools).map(ConsoleStatus::sortedPools);
        this.resolvers = sorted(resolvers);
        this.delegates = sorted(delegates);
    }

    private static List<PoolCounters> sortedPools(List<PoolCounters> pools) {
        List<PoolCounters> copy = new ArrayList<>(pools);
        copy.sort(POOL_ORDER);
        return List.copyOf(copy);
    }

    private static List<ServiceEntry> sorted(List<ServiceEntry> entries) {
        List<ServiceEntry> copy = new ArrayList<>(Objects.requireNonNull(entries, "entries"));
        copy.sort(ServiceEntry.OSGI_ORDER);
        return List.copyOf(copy);
    }

    Instant now() {
        return now;
    }

    Optional<List<ProxyRetryInfo>> badProxies() {
        return badProxies;
    }

    /** Sorted by proxy, then destination, scheme and partition, so the page does not reshuffle on reload. */
    Optional<List<PoolCounters>> pools() {
        return pools;
    }

    /** In the order the engine picks them: the first one is the resolver in use. */
    List<ServiceEntry> resolvers() {
        return resolvers;
    }

    /** Whether {@code resolver} is the one in use (the highest ranked; the oldest among equals). */
    boolean isActive(ServiceEntry resolver) {
        return !resolvers.isEmpty() && resolvers.get(0) == resolver;
    }

    /** In the order the engine calls them: highest ranking first. */
    List<ServiceEntry> delegates() {
        return delegates;
    }

    /** Whole seconds until a bad proxy is tried first again; 0 once its retry time has come. */
    long secondsLeft(ProxyRetryInfo info) {
        long seconds = Duration.between(now, info.retryAt()).getSeconds();
        return Math.max(0, seconds);
    }
}
