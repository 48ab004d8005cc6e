package dev.ferry.engine.impl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** One listener configuration, validated: what a new connection gets, and where the socket is. */
final class ListenerSettings {

    final String name;
    final String host;
    final int port;
    final boolean tls;
    final List<String> preference;
    final int idleTimeoutSeconds;
    final int drainTimeoutSeconds;
    final boolean partitionByClient;
    final long serviceWaitMillis;
    final long handoverMillis;
    final boolean openProxy;
    final long pluginTimeoutMillis;
    final int responseTimeoutSeconds;
    /** Lower case protocol names an HTTP/1.1 Upgrade may switch to. */
    final Set<String> upgradeProtocols;

    private ListenerSettings(ProxyListener.Config config) {
        name = config.name();
        host = config.host();
        port = config.port();
        tls = config.tls();
        preference = List.of(config.protocols());
        idleTimeoutSeconds = config.idleTimeoutSeconds();
        drainTimeoutSeconds = config.drainTimeoutSeconds();
        partitionByClient = config.poolPartition().equals("client");
        serviceWaitMillis = config.serviceWaitMillis();
        handoverMillis = config.handoverMillis();
        openProxy = config.openProxy();
        pluginTimeoutMillis = config.pluginTimeoutMillis();
        responseTimeoutSeconds = config.responseTimeoutSeconds();
        upgradeProtocols = Arrays.stream(config.upgradeProtocols()).map(p -> p.trim().toLowerCase(Locale.ROOT))
                .filter(p -> !p.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /** @throws IllegalArgumentException naming the listener and the setting that is out of range */
    static ListenerSettings of(ProxyListener.Config config) {
        String prefix = "listener " + config.name() + ": ";
        if (config.port() < 0 || config.port() > 65535) {
            throw new IllegalArgumentException(prefix + "port must be 0-65535, not " + config.port());
        }
        if (config.idleTimeoutSeconds() <= 0) {
            throw new IllegalArgumentException(prefix + "idleTimeoutSeconds must be positive, not "
                    + config.idleTimeoutSeconds());
        }
        if (config.drainTimeoutSeconds() < 0) {
            throw new IllegalArgumentException(prefix + "drainTimeoutSeconds must be >= 0, not "
                    + config.drainTimeoutSeconds());
        }
        if (config.handoverMillis() < 0) {
            throw new IllegalArgumentException(prefix + "handoverMillis must be >= 0, not " + config.handoverMillis());
        }
        if (config.serviceWaitMillis() < 0) {
            throw new IllegalArgumentException(prefix + "serviceWaitMillis must be >= 0, not "
                    + config.serviceWaitMillis());
        }
        if (config.responseTimeoutSeconds() <= 0) {
            throw new IllegalArgumentException(prefix + "responseTimeoutSeconds must be positive, not "
                    + config.responseTimeoutSeconds());
        }
        if (config.pluginTimeoutMillis() <= 0) {
            throw new IllegalArgumentException(prefix + "pluginTimeoutMillis must be positive, not "
                    + config.pluginTimeoutMillis());
        }
        if (!config.poolPartition().equals("client") && !config.poolPartition().equals("none")) {
            throw new IllegalArgumentException(prefix + "poolPartition must be client or none, not '"
                    + config.poolPartition() + "'");
        }
        return new ListenerSettings(config);
    }

    /**
     * Why this listener must not serve, or null. A listener reachable from other machines, with nothing that
     * restricts who may use it, would relay anyone to anything (its own Web Console included): it serves only on
     * loopback, or where a plugin restricts clients (authentication, client address rules), or where the operator
     * says, in so many words, that an open proxy is meant.
     *
     * @param clientsRestricted whether a registered exchange hook refuses clients it does not know
     */
    String openProxyRefusal(boolean clientsRestricted) {
        if (openProxy || clientsRestricted) {
            return null;
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return null;
        }
        if (address.isLoopbackAddress()) {
            return null;
        }
        return "listener " + name + ": host " + host + " is not a loopback address, and nothing restricts who may "
                + "use this proxy: anyone who reaches it could relay through it to anything. It does not serve. Bind "
                + "host = 127.0.0.1, restrict clients (dev.ferry.auth.cfg, or a client= rule in dev.ferry.acl.cfg), "
                + "or set openProxy = true in its configuration (dev.ferry.listener-" + name
                + ".cfg) to serve everyone who can reach it";
    }

    /** Whether the socket can stay as it is: same address, same TLS. */
    boolean sameSocket(ListenerSettings other) {
        return sameAddress(other) && tls == other.tls;
    }

    boolean sameAddress(ListenerSettings other) {
        return host.equals(other.host) && port == other.port;
    }

    @Override
    public String toString() {
        return "openProxy=" + openProxy + " pluginTimeoutMillis=" + pluginTimeoutMillis + " responseTimeoutSeconds="
                + responseTimeoutSeconds + " protocols=" + preference
                + " idleTimeoutSeconds=" + idleTimeoutSeconds + " drainTimeoutSeconds="
                + drainTimeoutSeconds + " poolPartition=" + (partitionByClient ? "client" : "none")
                + " serviceWaitMillis=" + serviceWaitMillis + " handoverMillis=" + handoverMillis
                + " upgradeProtocols=" + upgradeProtocols;
    }
}
