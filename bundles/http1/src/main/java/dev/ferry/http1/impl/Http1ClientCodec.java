package dev.ferry.http1.impl;

import dev.ferry.api.codec.ClientCodec;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;

/**
 * HTTP/1.1 to origins and upstream proxies, with the same parser limits as the server side. Changed limits apply
 * in place to the connections configured after the change.
 */
@Component(service = ClientCodec.class, configurationPid = Http1Limits.PID,
        property = "ferry.protocol=" + Http1ServerCodec.PROTOCOL)
public class Http1ClientCodec implements ClientCodec {

    static final String HANDLER = "http1-client";

    private final ParserLimits limits;

    @Activate
    public Http1ClientCodec(Http1Limits limits) {
        this.limits = new ParserLimits("client", limits);
    }

    @Modified
    void modified(Http1Limits changed) {
        limits.update(changed);
    }

    @Override
    public String protocol() {
        return Http1ServerCodec.PROTOCOL;
    }

    @Override
    public void configure(ChannelPipeline pipeline) {
        // failOnMissingResponse: a connection that closes before its response is complete is an error, never a
        // silently short message.
        pipeline.addLast(HANDLER, new HttpClientCodec(limits.forNewConnection(), false, true));
    }
}
