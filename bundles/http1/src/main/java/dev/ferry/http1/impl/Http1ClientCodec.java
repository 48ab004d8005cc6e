package dev.ferry.http1.impl;

import dev.ferry.api.codec.ClientCodec;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** HTTP/1.1 to origins and upstream proxies, with the same parser limits as the server side. */
@Component(service = ClientCodec.class, configurationPid = Http1Limits.PID,
        property = "ferry.protocol=" + Http1ServerCodec.PROTOCOL)
public class Http1ClientCodec implements ClientCodec {

    static final String HANDLER = "http1-client";

    private final HttpDecoderConfig decoderConfig;

    @Activate
    public Http1ClientCodec(Http1Limits limits) {
        this.decoderConfig = Http1ServerCodec.decoderConfig(limits);
    }

    @Override
    public String protocol() {
        return Http1ServerCodec.PROTOCOL;
    }

    @Override
    public void configure(ChannelPipeline pipeline) {
        // failOnMissingResponse: a connection that closes before its response is complete is an error, never a
        // silently short message.
        pipeline.addLast(HANDLER, new HttpClientCodec(decoderConfig.clone(), false, true));
    }
}
