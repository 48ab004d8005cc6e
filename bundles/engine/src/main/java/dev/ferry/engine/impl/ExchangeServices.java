package dev.ferry.engine.impl;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.spi.TunnelRelay;
import dev.ferry.api.upstream.ConnectionPool;
import dev.ferry.api.upstream.UpstreamConnector;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** The services and settings one listener's exchanges work with. */
final class ExchangeServices {

    static final String PSEUDONYM = "ferry";

    final UpstreamConnector connector;
    final ConnectionPool pool;
    final TunnelRelay relay;
    final ClientCodec clientCodec;
    final ForwardedHeaders headers = new ForwardedHeaders(PSEUDONYM);
    private final boolean partitionByClient;

    ExchangeServices(UpstreamConnector connector, ConnectionPool pool, TunnelRelay relay, ClientCodec clientCodec,
            boolean partitionByClient) {
        this.connector = connector;
        this.pool = pool;
        this.relay = relay;
        this.clientCodec = clientCodec;
        this.partitionByClient = partitionByClient;
    }

    /** The pool partition for a client connection: its address, or the shared partition. */
    String partition(Channel client) {
        if (!partitionByClient) {
            return "";
        }
        SocketAddress address = client.remoteAddress();
        if (address instanceof InetSocketAddress && ((InetSocketAddress) address).getAddress() != null) {
            return ((InetSocketAddress) address).getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }
}
