package dev.ferry.api.codec;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import java.util.function.Supplier;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The server side of one application protocol (an ALPN name such as {@code http/1.1}). Register it as a service
 * with the {@link #PROTOCOL} property; listeners offer exactly the protocols whose codecs are registered.
 *
 * <p>A codec turns a connection into exchanges: a channel (the connection itself, or a child channel per stream) on
 * which the exchange handler reads {@code io.netty.handler.codec.http.HttpRequest} and {@code HttpContent} and writes
 * {@code HttpResponse} and {@code HttpContent}; after a CONNECT is answered with 2xx it carries raw {@code ByteBuf}s.
 */
@ConsumerType
public interface ServerCodec {

    /** Service property naming the protocol, e.g. {@code http/1.1}. */
    String PROTOCOL = "ferry.protocol";

    /** The ALPN protocol name. */
    String protocol();

    /**
     * Installs this codec on a new connection. {@code exchangeHandlers} makes the handler that serves the exchanges
     * of one exchange channel; a codec with one exchange channel per connection calls it once.
     */
    void configure(ChannelPipeline pipeline, Supplier<ChannelHandler> exchangeHandlers);

    /**
     * Called as soon as the exchange handler reads a CONNECT request: the codec stops decoding requests on this
     * exchange channel and passes every later byte on raw (bytes it had already read first), but still encodes the
     * response to the CONNECT. The raw bytes may arrive before the CONNECT's {@code LastHttpContent}.
     */
    void tunnelRequested(ChannelPipeline pipeline);

    /** Called once the response to a CONNECT is written: the codec leaves the exchange channel entirely. */
    void tunnelEstablished(ChannelPipeline pipeline);

    /**
     * Whether a request read from this codec may switch protocols: an HTTP/1.1 {@code Upgrade}, or an HTTP/2
     * extended CONNECT (RFC 8441) the codec gives the engine as one. The engine then forwards an upgrade the listener
     * allows and, when the origin answers {@code 101}, writes that 101 through the codec ({@link #tunnelRequested}
     * first) and makes the exchange channel a tunnel; the codec answers its client as its protocol says.
     */
    default boolean relaysUpgrades() {
        return false;
    }
}
