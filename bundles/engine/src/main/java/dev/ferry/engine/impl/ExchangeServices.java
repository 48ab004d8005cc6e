package dev.ferry.engine.impl;

import dev.ferry.api.proxy.ProxyResolver;
import dev.ferry.api.spi.ClientCodec;
import dev.ferry.api.spi.ConnectionPool;
import dev.ferry.api.spi.TunnelRelay;
import java.util.function.Supplier;

/** The services and settings one listener's exchanges work with. */
final class ExchangeServices {

    static final String PSEUDONYM = "ferry";

    final Supplier<ProxyResolver> resolver;
    final ConnectionPool pool;
    final TunnelRelay relay;
    final ClientCodec clientCodec;
    final ForwardedHeaders headers = new ForwardedHeaders(PSEUDONYM);

    ExchangeServices(Supplier<ProxyResolver> resolver, ConnectionPool pool, TunnelRelay relay,
            ClientCodec clientCodec) {
        this.resolver = resolver;
        this.pool = pool;
        this.relay = relay;
        this.clientCodec = clientCodec;
    }
}
