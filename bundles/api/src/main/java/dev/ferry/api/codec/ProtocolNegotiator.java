package dev.ferry.api.codec;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** Terminates TLS on accepted connections and picks the application protocol (ALPN, NPN). */
@ProviderType
public interface ProtocolNegotiator {

    /** Receives the outcome of one connection's negotiation. */
    @FunctionalInterface
    interface Listener {
        /**
         * Called on the channel's event loop after the handshake, with the protocol chosen from those offered
         * (the first offered one when the client named none).
         */
        void negotiated(Channel channel, String protocol);
    }

    /**
     * Adds TLS to a freshly accepted connection. {@code protocols} is the preference-ordered list to offer; it must
     * not be empty.
     */
    void configure(ChannelPipeline pipeline, List<String> protocols, Listener listener);
}
