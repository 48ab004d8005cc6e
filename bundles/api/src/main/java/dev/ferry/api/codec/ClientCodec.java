package dev.ferry.api.codec;

import io.netty.channel.ChannelPipeline;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The client side of one application protocol, used on connections to origins and upstream proxies. After
 * {@link #configure} the pipeline writes {@code HttpRequest}/{@code HttpContent} and reads
 * {@code HttpResponse}/{@code HttpContent}.
 */
@ConsumerType
public interface ClientCodec {

    /** The ALPN protocol name. */
    String protocol();

    /** Installs the client codec at the head of {@code pipeline}'s application handlers. */
    void configure(ChannelPipeline pipeline);
}
