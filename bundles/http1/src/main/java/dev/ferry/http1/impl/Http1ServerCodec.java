package dev.ferry.http1.impl;

import dev.ferry.api.codec.ServerCodec;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;

/**
 * HTTP/1.1 to the proxy: the connection is the exchange channel, one request after another (keep-alive); after a
 * CONNECT the parser leaves the pipeline and the connection carries the tunnel.
 */
@Component(service = ServerCodec.class, configurationPid = Http1Limits.PID,
        property = ServerCodec.PROTOCOL + "=" + Http1ServerCodec.PROTOCOL)
@Designate(ocd = Http1Limits.class)
public class Http1ServerCodec implements ServerCodec {

    static final String PROTOCOL = "http/1.1";
    static final String HANDLER = "http1-server";

    private final HttpDecoderConfig decoderConfig;

    @Activate
    public Http1ServerCodec(Http1Limits limits) {
        this.decoderConfig = decoderConfig(limits);
    }

    @Override
    public String protocol() {
        return PROTOCOL;
    }

    @Override
    public void configure(ChannelPipeline pipeline, Supplier<ChannelHandler> exchangeHandlers) {
        pipeline.addLast(HANDLER, new HttpServerCodec(decoderConfig.clone()));
        pipeline.addLast("exchange", exchangeHandlers.get());
    }

    @Override
    public void tunnelRequested(ChannelPipeline pipeline) {
        // Removing the decoder hands the bytes it had buffered beyond the CONNECT to the next handler, raw.
        HttpServerCodec codec = pipeline.get(HttpServerCodec.class);
        if (codec != null) {
            codec.removeInboundHandler();
        }
    }

    @Override
    public void tunnelEstablished(ChannelPipeline pipeline) {
        if (pipeline.get(HANDLER) != null) {
            pipeline.remove(HANDLER);
        }
    }

    /** The parser settings for these limits, checked once. */
    static HttpDecoderConfig decoderConfig(Http1Limits limits) {
        if (limits.maxInitialLineLength() < 64 || limits.maxHeaderSize() < 64 || limits.maxChunkSize() < 64) {
            throw new IllegalArgumentException("HTTP/1 limits must each be at least 64 bytes: maxInitialLineLength="
                    + limits.maxInitialLineLength() + ", maxHeaderSize=" + limits.maxHeaderSize()
                    + ", maxChunkSize=" + limits.maxChunkSize());
        }
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLineLength())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(limits.maxChunkSize())
                .setValidateHeaders(true);
    }
}
