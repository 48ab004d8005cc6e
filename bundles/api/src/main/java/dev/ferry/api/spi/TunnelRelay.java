package dev.ferry.api.spi;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Joins two byte channels: what one reads the other writes, with backpressure, half-close forwarded, and an idle
 * timeout. Both channels must carry raw {@code ByteBuf}s at the tail of their pipelines.
 */
@ProviderType
public interface TunnelRelay {

    /** Byte counts of a finished tunnel. */
    final class Stats {
        private final long clientToUpstream;
        private final long upstreamToClient;

        public Stats(long clientToUpstream, long upstreamToClient) {
            this.clientToUpstream = clientToUpstream;
            this.upstreamToClient = upstreamToClient;
        }

        public long clientToUpstream() {
            return clientToUpstream;
        }

        public long upstreamToClient() {
            return upstreamToClient;
        }
    }

    /**
     * Starts relaying; both channels are closed when the tunnel ends.
     *
     * @return completes (never fails) when both directions are done or either side failed or idled out
     */
    Future<Stats> relay(Channel client, Channel upstream);
}
