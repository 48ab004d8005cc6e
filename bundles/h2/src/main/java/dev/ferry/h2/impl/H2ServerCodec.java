package dev.ferry.h2.impl;

import dev.ferry.api.codec.ServerCodec;
import dev.ferry.api.spi.RevisionClasses;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Settings;
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
 * HTTP/2 to the proxy (what Chrome negotiates with an HTTPS proxy): each stream is an exchange channel of its own, a
 * request forwarded or a CONNECT tunnel on the stream's DATA frames. When this codec goes away (its bundle stops) every
 * connection it serves gets GOAWAY and finishes its streams; new connections negotiate the protocols that remain.
 *
 * <p>A changed configuration applies in place: connections opened after the change advertise and enforce the new
 * limits, connections already open keep the ones they announced to their client.
 */
@Component(service = ServerCodec.class, configurationPid = H2ServerCodec.PID,
        property = ServerCodec.PROTOCOL + "=" + H2ServerCodec.PROTOCOL)
@Designate(ocd = H2Limits.class)
public class H2ServerCodec implements ServerCodec {

    static final String PID = "dev.ferry.h2";
    static final String PROTOCOL = "h2";

    private static final Logger LOG = LoggerFactory.getLogger(H2ServerCodec.class);

    /** Read once per new connection, which keeps that snapshot for its life. */
    private volatile H2Limits limits;
    private final Set<H2ServerSession> sessions = ConcurrentHashMap.newKeySet();

    @Activate
    public H2ServerCodec(H2Limits limits) {
        this.limits = check(limits);
    }

    /** Connections outlive this revision: every class they may need is loaded now, see {@link RevisionClasses}. */
    @Activate
    void loadRevisionClasses(BundleContext context) {
        RevisionClasses.loadAll(context.getBundle());
    }

    @Modified
    void modified(H2Limits changed) {
        try {
            limits = check(changed);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; keeping {}", PID, e.getMessage(), describe(limits));
            return;
        }
        LOG.info("New HTTP/2 connections get {}; the connections already open ({}) keep theirs", describe(changed),
                sessions.size());
    }

    /** @throws IllegalArgumentException naming the first setting out of range */
    static H2Limits check(H2Limits limits) {
        inRange("maxConcurrentStreams", limits.maxConcurrentStreams(), 1, Integer.MAX_VALUE);
        inRange("streamWindowBytes", limits.streamWindowBytes(), 1024, Integer.MAX_VALUE);
        inRange("connectionWindowBytes", limits.connectionWindowBytes(), 65535, Integer.MAX_VALUE);
        inRange("maxHeaderListBytes", limits.maxHeaderListBytes(), 1024, Integer.MAX_VALUE);
        inRange("maxFrameBytes", limits.maxFrameBytes(), 16384, 16777215);
        inRange("maxResetsPerWindow", limits.maxResetsPerWindow(), 1, Integer.MAX_VALUE);
        inRange("maxResetsSentPerWindow", limits.maxResetsSentPerWindow(), 1, Integer.MAX_VALUE);
        inRange("resetWindowSeconds", limits.resetWindowSeconds(), 1, Integer.MAX_VALUE);
        inRange("maxQueuedControlFrames", limits.maxQueuedControlFrames(), 1, Integer.MAX_VALUE);
        inRange("maxConsecutiveEmptyDataFrames", limits.maxConsecutiveEmptyDataFrames(), 1, Integer.MAX_VALUE);
        inRange("maxSmallContinuationFrames", limits.maxSmallContinuationFrames(), 1, Integer.MAX_VALUE);
        return limits;
    }

    private static void inRange(String setting, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("HTTP/2 limit " + setting + "=" + value + " is out of range ("
                    + (max == Integer.MAX_VALUE ? ">= " + min : min + " to " + max) + ")");
        }
    }

    private static String describe(H2Limits limits) {
        return "maxConcurrentStreams=" + limits.maxConcurrentStreams() + ", streamWindowBytes="
                + limits.streamWindowBytes() + ", connectionWindowBytes=" + limits.connectionWindowBytes()
                + ", maxHeaderListBytes=" + limits.maxHeaderListBytes() + ", maxFrameBytes=" + limits.maxFrameBytes()
                + ", maxResetsPerWindow=" + limits.maxResetsPerWindow() + ", maxResetsSentPerWindow="
                + limits.maxResetsSentPerWindow() + " per " + limits.resetWindowSeconds() + "s"
                + ", maxQueuedControlFrames=" + limits.maxQueuedControlFrames() + ", maxConsecutiveEmptyDataFrames="
                + limits.maxConsecutiveEmptyDataFrames() + ", maxSmallContinuationFrames="
                + limits.maxSmallContinuationFrames() + ", extendedConnect=" + limits.extendedConnect();
    }

    @Deactivate
    void deactivate() {
        for (H2ServerSession session : sessions) {
            session.goAway("HTTP/2 codec stopping");
        }
    }

    @Override
    public String protocol() {
        return PROTOCOL;
    }

    @Override
    public void configure(ChannelPipeline pipeline, Supplier<ChannelHandler> exchangeHandlers) {
        H2Limits connection = limits;
        pipeline.addLast("h2-frames", frameCodec(connection));
        pipeline.addLast("h2-session", new H2ServerSession(connection, exchangeHandlers, this,
                pipeline.get(Http2FrameCodec.class)));
    }

    /** Netty's frame codec with the limits: the settings advertised, and the flood guards it enforces. */
    static Http2FrameCodec frameCodec(H2Limits limits) {
        Http2Settings settings = new Http2Settings()
                .maxConcurrentStreams(limits.maxConcurrentStreams())
                .initialWindowSize(limits.streamWindowBytes())
                .maxHeaderListSize(limits.maxHeaderListBytes())
                .maxFrameSize(limits.maxFrameBytes())
                .connectProtocolEnabled(limits.extendedConnect());
        return new ExplainingFrameCodec.Builder()
                .initialSettings(settings)
                .validateHeaders(true)
                .decoderEnforceMaxRstFramesPerWindow(limits.maxResetsPerWindow(), limits.resetWindowSeconds())
                .encoderEnforceMaxRstFramesPerWindow(limits.maxResetsSentPerWindow(), limits.resetWindowSeconds())
                .encoderEnforceMaxQueuedControlFrames(limits.maxQueuedControlFrames())
                .decoderEnforceMaxConsecutiveEmptyDataFrames(limits.maxConsecutiveEmptyDataFrames())
                .decoderEnforceMaxSmallContinuationFrames(limits.maxSmallContinuationFrames())
                .build();
    }

    @Override
    public void tunnelRequested(ChannelPipeline pipeline) {
        ((H2StreamChannel) pipeline.channel()).enterTunnel();
    }

    @Override
    public void tunnelEstablished(ChannelPipeline pipeline) {
        // The stream already speaks raw bytes; nothing of the codec sits in its pipeline.
    }

    /** An extended CONNECT (RFC 8441) comes to the engine as an HTTP/1.1 Upgrade; its 101 becomes the 200. */
    @Override
    public boolean relaysUpgrades() {
        return true;
    }

    void sessionOpened(H2ServerSession session) {
        sessions.add(session);
    }

    void sessionClosed(H2ServerSession session) {
        sessions.remove(session);
    }
}
