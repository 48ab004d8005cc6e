package dev.ferry.pool.impl;

/** How long each connect-job stage may take, validated once; each stage fails on its own timeout. */
final class StageTimeouts {

    final int tcpMillis;
    final int proxyTlsMillis;
    final int socksMillis;
    final int tunnelMillis;
    final int originTlsMillis;

    StageTimeouts(PooledConnections.Config config) {
        this.tcpMillis = PoolLimits.atLeast("tcpConnectTimeoutMillis", config.tcpConnectTimeoutMillis(), 1);
        this.proxyTlsMillis = PoolLimits.atLeast("proxyTlsTimeoutMillis", config.proxyTlsTimeoutMillis(), 1);
        this.socksMillis = PoolLimits.atLeast("socksTimeoutMillis", config.socksTimeoutMillis(), 1);
        this.tunnelMillis = PoolLimits.atLeast("tunnelTimeoutMillis", config.tunnelTimeoutMillis(), 1);
        this.originTlsMillis = PoolLimits.atLeast("originTlsTimeoutMillis", config.originTlsTimeoutMillis(), 1);
    }
}
