package dev.ferry.spdy.impl;

import dev.ferry.api.codec.ServerCodec;
import dev.ferry.api.spi.RevisionClasses;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdySessionStatus;
import io.netty.handler.codec.spdy.SpdyVersion;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SPDY/3.1 to the proxy (Chrome's "SPDY proxy"): each stream is an exchange channel of its own. When this codec goes
 * away (its bundle stops, its configuration changes) every session it serves gets GOAWAY and finishes its streams;
 * new connections then negotiate the protocols that remain.
 *
 * <p>A changed configuration applies in place: sessions opened after the change advertise and enforce the new
 * limits, sessions already open keep the ones they announced to their client (SPDY settings are per session, and a
 * window already granted cannot be taken back). The codec stays registered, so no session gets GOAWAY for it.
 */
@Component(service = ServerCodec.class, configurationPid = SpdyServerCodec.PID,
        property = ServerCodec.PROTOCOL + "=" + SpdyServerCodec.PROTOCOL)
@Designate(ocd = SpdyLimits.class)
public class SpdyServerCodec implements ServerCodec {

    static final String PID = "dev.ferry.spdy";
    static final String PROTOCOL = "spdy/3.1";

    private static final Logger LOG = LoggerFactory.getLogger(SpdyServerCodec.class);

    /** Read once per new session, which keeps that snapshot for its life. */
    private volatile SpdyLimits limits;
    private final Set<SpdyServerSession> sessions = ConcurrentHashMap.newKeySet();

    @Activate
    public SpdyServerCodec(SpdyLimits limits) {
        this.limits = check(limits);
    }

    /** Connections outlive this revision: every class they may need is loaded now, see {@link RevisionClasses}. */
    @Activate
    void loadRevisionClasses(BundleContext context) {
        RevisionClasses.loadAll(context.getBundle());
    }

    @Modified
    void modified(SpdyLimits changed) {
        try {
            limits = check(changed);
        } catch (IllegalArgumentException e) {
            LOG.error("dev.ferry.spdy: {}; keeping {}", e.getMessage(), describe(limits));
            return;
        }
        LOG.info("New SPDY sessions get {}; the sessions already open ({}) keep theirs", describe(changed),
                sessions.size());
    }

    /** @throws IllegalArgumentException naming the first setting out of range */
    private static SpdyLimits check(SpdyLimits limits) {
        inRange("maxConcurrentStreams", limits.maxConcurrentStreams(), 1, Integer.MAX_VALUE);
        inRange("streamWindowBytes", limits.streamWindowBytes(), 1024, Integer.MAX_VALUE);
        inRange("sessionWindowBytes", limits.sessionWindowBytes(), 65536, Integer.MAX_VALUE);
        inRange("maxHeaderBlockBytes", limits.maxHeaderBlockBytes(), 1024, Integer.MAX_VALUE);
        inRange("maxDataFrameBytes", limits.maxDataFrameBytes(), 1024, 0xFFFFFF);
        return limits;
    }

    private static void inRange(String setting, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("SPDY limit " + setting + "=" + value + " is out of range ("
                    + (max == Integer.MAX_VALUE ? ">= " + min : min + " to " + max) + ")");
        }
    }

    private static String describe(SpdyLimits limits) {
        return "maxConcurrentStreams=" + limits.maxConcurrentStreams() + ", streamWindowBytes="
                + limits.streamWindowBytes() + ", sessionWindowBytes=" + limits.sessionWindowBytes()
                + ", maxHeaderBlockBytes=" + limits.maxHeaderBlockBytes() + ", maxDataFrameBytes="
                + limits.maxDataFrameBytes();
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
        SpdyLimits session = limits;
        pipeline.addLast("spdy-frames", new SpdyFrameCodec(SpdyVersion.SPDY_3_1, 8192,
                session.maxHeaderBlockBytes(), 6, 15, 8));
        pipeline.addLast("spdy-session", new SpdyServerSession(session, exchangeHandlers, this));
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
