package dev.ferry.pool.impl;

import dev.ferry.api.spi.Transport;

/** What every connect job needs from the pool's configuration and services; immutable except the delegates. */
final class ConnectSettings {

    final Transport transport;
    final StageTimeouts timeouts;
    final TrustConfig trust;
    final ProxyCredentials credentials;
    final DelegateChain delegates;

    ConnectSettings(Transport transport, StageTimeouts timeouts, TrustConfig trust, ProxyCredentials credentials,
            DelegateChain delegates) {
        this.transport = transport;
        this.timeouts = timeouts;
        this.trust = trust;
        this.credentials = credentials;
        this.delegates = delegates;
    }
}
