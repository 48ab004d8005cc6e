package dev.ferry.spdy.impl;

import dev.ferry.api.codec.ServerCodec;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdySessionStatus;
import io.netty.handler.codec.spdy.SpdyVersion;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * SPDY/3.1 to the proxy (Chrome's "SPDY proxy"): each stream is an exchange channel of its own. When this codec goes
 * away (its bundle stops, its configuration changes) every session it serves gets GOAWAY and finishes its streams;
 * new connections then negotiate the protocols that remain.
 */
@Component(service = ServerCodec.class, configurationPid = SpdyServerCodec.PID,
        property = ServerCodec.PROTOCOL + "=" + SpdyServerCodec.PROTOCOL)
@Designate(ocd = SpdyLimits.class)
public class SpdyServerCodec implements ServerCodec {

    static final String PID = "dev.ferry.spdy";
    static final String PROTOCOL = "spdy/3.1";

    private final SpdyLimits limits;
    private final Set<SpdyServerSession> sessions = ConcurrentHashMap.newKeySet();

    @Activate
    public SpdyServerCodec(SpdyLimits limits) {
        if (limits.maxConcurrentStreams() < 1 || limits.streamWindowBytes() < 1024
                || limits.sessionWindowBytes() < 65536 || limits.maxHeaderBlockBytes() < 1024
                || limits.maxDataFrameBytes() < 1024 || limits.maxDataFrameBytes() > 0xFFFFFF) {
            throw new IllegalArgumentException("SPDY limits out of range: maxConcurrentStreams="
                    + limits.maxConcurrentStreams() + " (>= 1), streamWindowBytes=" + limits.streamWindowBytes()
                    + " (>= 1024), sessionWindowBytes=" + limits.sessionWindowBytes() + " (>= 65536), "
                    + "maxHeaderBlockBytes=" + limits.maxHeaderBlockBytes() + " (>= 1024), maxDataFrameBytes="
                    + limits.maxDataFrameBytes() + " (1024 to 16777215)");
        }
        this.limits = limits;
    }

    @Deactivate
    void deactivate() {
        for (SpdyServerSession session : sessions) {
            session.goAway(SpdySessionStatus.OK, "SPDY codec stopping");
        }
    }

    @Override
    public String protocol() {
        return PROTOCOL;
    }

    @Override
    public void configure(ChannelPipeline pipeline, Supplier<ChannelHandler> exchangeHandlers) {
        pipeline.addLast("spdy-frames", new SpdyFrameCodec(SpdyVersion.SPDY_3_1, 8192, limits.maxHeaderBlockBytes(),
                6, 15, 8));
        pipeline.addLast("spdy-session", new SpdyServerSession(limits, exchangeHandlers, this));
    }

    @Override
    public void tunnelRequested(ChannelPipeline pipeline) {
        ((SpdyStreamChannel) pipeline.channel()).enterTunnel();
    }

    @Override
    public void tunnelEstablished(ChannelPipeline pipeline) {
        // The stream already speaks raw bytes; nothing of the codec sits in its pipeline.
    }

    void sessionOpened(SpdyServerSession session) {
        sessions.add(session);
    }

    void sessionClosed(SpdyServerSession session) {
        sessions.remove(session);
    }
}
