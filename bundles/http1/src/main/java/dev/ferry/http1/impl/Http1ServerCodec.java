package dev.ferry.http1.impl;

import dev.ferry.api.codec.ServerCodec;
import dev.ferry.api.spi.RevisionClasses;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * HTTP/1.1 to the proxy: the connection is the exchange channel, one request after another (keep-alive); after a
 * CONNECT the parser leaves the pipeline and the connection carries the tunnel. Changed limits apply in place to the
 * connections accepted after the change; a connection keeps the limits it started with.
 */
@Component(service = ServerCodec.class, configurationPid = Http1Limits.PID,
        property = ServerCodec.PROTOCOL + "=" + Http1ServerCodec.PROTOCOL)
@Designate(ocd = Http1Limits.class)
public class Http1ServerCodec implements ServerCodec {

    static final String PROTOCOL = "http/1.1";
    static final String HANDLER = "http1-server";

    private final ParserLimits limits;

    @Activate
    public Http1ServerCodec(Http1Limits limits) {
        this.limits = new ParserLimits("server", limits);
    }

    /** Connections outlive this revision: every class they may need is loaded now, see {@link RevisionClasses}. */
    @Activate
    void loadRevisionClasses(BundleContext context) {
        RevisionClasses.loadAll(context.getBundle());
    }

    @Modified
    void modified(Http1Limits changed) {
        limits.update(changed);
    }

    @Override
    public String protocol() {
        return PROTOCOL;
    }

    @Override
    public void configure(ChannelPipeline pipeline, Supplier<ChannelHandler> exchangeHandlers) {
        RequestDeadlines deadline = new RequestDeadlines(limits.headTimeoutSeconds(), limits.bodyTimeoutSeconds());
        pipeline.addLast(RequestDeadlines.BYTES, deadline.bytes());
        pipeline.addLast(HANDLER, new HttpServerCodec(limits.forNewConnection()));
        pipeline.addLast(RequestDeadlines.HEADS, deadline.heads());
        pipeline.addLast("exchange", exchangeHandlers.get());
    }

    @Override
    public void tunnelRequested(ChannelPipeline pipeline) {
        // Removing the decoder hands the bytes it had buffered beyond the CONNECT to the next handler, raw.
        HttpServerCodec codec = pipeline.get(HttpServerCodec.class);
        if (codec != null) {
            codec.removeInboundHandler();
        }
        // The CONNECT's head is complete: no deadline runs, and the tunnel's bytes are no request heads.
        for (String deadline : new String[] {RequestDeadlines.BYTES, RequestDeadlines.HEADS}) {
            if (pipeline.get(deadline) != null) {
                pipeline.remove(deadline);
            }
        }
    }

    @Override
    public void tunnelEstablished(ChannelPipeline pipeline) {
        if (pipeline.get(HANDLER) != null) {
            pipeline.remove(HANDLER);
        }
    }

    @Override
    public boolean relaysUpgrades() {
        return true;
    }
}
