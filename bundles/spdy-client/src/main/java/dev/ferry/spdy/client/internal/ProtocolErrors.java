package dev.ferry.spdy.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import java.util.function.Consumer;

/**
 * What the proxy does against SPDY/3.1: each problem is recorded for {@code SpdySession.peerViolations()} (so that
 * tests of the proxy can assert there were none) and answered as the spec says: a stream error with RST_STREAM, a
 * session error with GOAWAY PROTOCOL_ERROR, which ends the session. Event loop only.
 */
final class ProtocolErrors {

    private final ChannelHandlerContext ctx;
    private final Streams streams;
    private final StreamLifecycle lifecycle;
    private final PeerObservations observations;
    /** Ends the session (GOAWAY PROTOCOL_ERROR, then close) with the reason given, unless it has ended already. */
    private final Consumer<String> endSession;

    ProtocolErrors(ChannelHandlerContext ctx, Streams streams, StreamLifecycle lifecycle,
            PeerObservations observations, Consumer<String> endSession) {
        this.ctx = ctx;
        this.streams = streams;
        this.lifecycle = lifecycle;
        this.observations = observations;
        this.endSession = endSession;
    }

    /** Records a problem that needs no answer here (or is answered by the caller). */
    void record(String problem) {
        observations.violation(problem);
    }

    /** The proxy broke the protocol on an open stream: reset it with {@code status}. */
    void streamError(ClientStream stream, SpdyStreamStatus status, String problem) {
        record(problem + " on stream " + stream.id());
        lifecycle.reset(stream, status, problem);
    }

    /** A frame for a stream id not open here. */
    void unknownStream(int id, String frameType) {
        if (streams.finishedByPeer(id)) {
            record(frameType + " on stream " + id + " after the proxy's FIN");
            ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.STREAM_ALREADY_CLOSED));
        } else if (!streams.givenOut(id)) {
            record(frameType + " on stream " + id + ", which the client never opened");
            ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.INVALID_STREAM));
        }
        // Otherwise a stream that was reset or reserved: frames still in flight are ignored.
    }

    /** The proxy broke the protocol for the whole session. */
    void sessionError(String problem) {
        record(problem);
        endSession.accept("the proxy sent " + problem);
    }
}
