package dev.ferry.pool.impl;

/**
 * The pool's limits, validated once. A limit counts every pooled HTTP connection from the start of its connect job
 * until it closes (connecting + active + idle), as Chromium's socket pools do.
 */
final class PoolLimits {

    final int perGroup;
    final int perProxy;
    final int total;
    final long waitTimeoutMillis;
    final int idleTimeoutSeconds;

    PoolLimits(PooledConnections.Config config) {
        this.perGroup = atLeast("maxConnectionsPerGroup", config.maxConnectionsPerGroup(), 1);
        this.perProxy = atLeast("maxConnectionsPerProxy", config.maxConnectionsPerProxy(), 1);
        this.total = atLeast("maxConnections", config.maxConnections(), 1);
        this.waitTimeoutMillis = atLeast("waitTimeoutMillis", config.waitTimeoutMillis(), 1);
        this.idleTimeoutSeconds = atLeast("idleTimeoutSeconds", config.idleTimeoutSeconds(), 1);
        if (perGroup > perProxy) {
            throw new IllegalArgumentException("dev.ferry.pool maxConnectionsPerGroup (" + perGroup
                    + ") must not exceed maxConnectionsPerProxy (" + perProxy + ")");
        }
        if (perProxy > total) {
            throw new IllegalArgumentException("dev.ferry.pool maxConnectionsPerProxy (" + perProxy
                    + ") must not exceed maxConnections (" + total + ")");
        }
    }

    static int atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException("dev.ferry.pool " + name + " must be at least " + min + ", not "
                    + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return "maxConnectionsPerGroup=" + perGroup + " maxConnectionsPerProxy=" + perProxy + " maxConnections="
                + total + " waitTimeoutMillis=" + waitTimeoutMillis + " idleTimeoutSeconds=" + idleTimeoutSeconds;
    }
}
