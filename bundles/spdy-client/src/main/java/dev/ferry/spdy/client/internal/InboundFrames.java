package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.GoAway;
import dev.ferry.spdy.client.SessionOptions;
import dev.ferry.spdy.client.SpdyStreamException;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeadersFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyWindowUpdateFrame;

/**
 * What each of the proxy's frames does to the session: checks it against the stream it names and SPDY/3.1, then
 * hands it to the collaborator whose state it changes (streams' lives, windows, pings, what the proxy announced), or
 * to {@link ProtocolErrors} when the proxy got it wrong. Reads frames, never releases them. Event loop only.
 */
final class InboundFrames {

    private final ChannelHandlerContext ctx;
    private final SessionOptions options;
    private final Completions completions;
    private final Streams streams;
    private final StreamLifecycle lifecycle;
    private final FlowControl flowControl;
    private final ProtocolErrors errors;
    private final Pings pings;
    private final PeerObservations observations;

    InboundFrames(ChannelHandlerContext ctx, SessionOptions options, Completions completions, Streams streams,
            StreamLifecycle lifecycle, FlowControl flowControl, ProtocolErrors errors, Pings pings,
            PeerObservations observations) {
        this.ctx = ctx;
        this.options = options;
        this.completions = completions;
        this.streams = streams;
        this.lifecycle = lifecycle;
        this.flowControl = flowControl;
        this.errors = errors;
        this.pings = pings;
        this.observations = observations;
    }

    /** Hands one frame to its handler; the caller releases it afterwards. */
    void dispatch(Object msg) {
        if (msg instanceof SpdyDataFrame) {
            onData((SpdyDataFrame) msg);
        } else if (msg instanceof SpdySynReplyFrame) {
            onSynReply((SpdySynReplyFrame) msg);
        } else if (msg instanceof SpdySynStreamFrame) {
            onSynStream((SpdySynStreamFrame) msg);
        } else if (msg instanceof SpdyHeadersFrame) {
            onHeaders((SpdyHeadersFrame) msg);
        } else if (msg instanceof SpdyWindowUpdateFrame) {
            onWindowUpdate((SpdyWindowUpdateFrame) msg);
        } else if (msg instanceof SpdyRstStreamFrame) {
            onRstStream((SpdyRstStreamFrame) msg);
        } else if (msg instanceof SpdySettingsFrame) {
            onSettings((SpdySettingsFrame) msg);
        } else if (msg instanceof SpdyPingFrame) {
            pings.received(((SpdyPingFrame) msg).id());
        } else if (msg instanceof SpdyGoAwayFrame) {
            onGoAway((SpdyGoAwayFrame) msg);
        }
        // Anything else (there is nothing else: the codec drops unknown frame types) is left unread.
    }

    private void onData(SpdyDataFrame frame) {
        int id = frame.streamId();
        int length = frame.content().readableBytes();
        if (!flowControl.takeSession(length)) {
            errors.sessionError("DATA of " + length + " bytes on stream " + id + " overran the session window");
            return;
        }
        // From here on, DATA that is not delivered gives its session credit straight back.
        ClientStream stream = streams.get(id);
        if (stream == null) {
            flowControl.giveBackSession(length);
            errors.unknownStream(id, "DATA");
            return;
        }
        if (!stream.replied) {
            flowControl.giveBackSession(length);
            errors.streamError(stream, SpdyStreamStatus.PROTOCOL_ERROR, "DATA before SYN_REPLY");
            return;
        }
        if (!stream.state.remoteOpen()) {
            flowControl.giveBackSession(length);
            errors.streamError(stream, SpdyStreamStatus.STREAM_ALREADY_CLOSED, "DATA after the proxy's FIN");
            return;
        }
        int window = stream.receiveWindow.remaining();
        if (!stream.receiveWindow.take(length)) {
            flowControl.giveBackSession(length);
            errors.streamError(stream, SpdyStreamStatus.FLOW_CONTROL_ERROR,
                    "DATA of " + length + " bytes with " + window + " left in the stream window");
            return;
        }
        if (length > 0 && !stream.inbound.offer(ByteBufUtil.getBytes(frame.content()))) {
            flowControl.consumed(stream, length); // the application closed the body: the bytes count as read
        }
        if (frame.isLast()) {
            lifecycle.remoteFin(stream);
        }
    }

    private void onSynReply(SpdySynReplyFrame frame) {
        ClientStream stream = streams.get(frame.streamId());
        if (stream == null) {
            errors.unknownStream(frame.streamId(), "SYN_REPLY");
            return;
        }
        if (stream.replied) {
            errors.streamError(stream, SpdyStreamStatus.STREAM_IN_USE, "a second SYN_REPLY");
            return;
        }
        if (frame.isTruncated()) {
            // Our own limit, not the proxy's error: reset, but no violation.
            lifecycle.reset(stream, SpdyStreamStatus.FRAME_TOO_LARGE,
                    "SYN_REPLY headers larger than maxHeaderSize " + options.maxHeaderSize());
            return;
        }
        Reply reply = frame.isInvalid() ? null : Reply.parse(frame);
        if (reply == null) {
            errors.streamError(stream, SpdyStreamStatus.PROTOCOL_ERROR, frame.isInvalid()
                    ? "invalid SYN_REPLY header block"
                    : "SYN_REPLY without a valid :status (" + frame.headers().getAsString(":status") + ")");
            return;
        }
        stream.replied = true;
        completions.complete(stream.reply, reply);
        if (frame.isLast()) {
            lifecycle.remoteFin(stream);
        }
    }

    private void onHeaders(SpdyHeadersFrame frame) {
        ClientStream stream = streams.get(frame.streamId());
        if (stream == null) {
            errors.unknownStream(frame.streamId(), "HEADERS");
        } else if (!stream.replied) {
            errors.streamError(stream, SpdyStreamStatus.PROTOCOL_ERROR, "HEADERS before SYN_REPLY");
        } else if (!stream.state.remoteOpen()) {
            errors.streamError(stream, SpdyStreamStatus.STREAM_ALREADY_CLOSED, "HEADERS after the proxy's FIN");
        } else if (frame.isInvalid()) {
            errors.streamError(stream, SpdyStreamStatus.PROTOCOL_ERROR, "invalid HEADERS header block");
        } else if (frame.isLast()) {
            // Trailing headers carry nothing the client uses; only their FIN matters.
            lifecycle.remoteFin(stream);
        }
    }

    private void onSynStream(SpdySynStreamFrame frame) {
        int id = frame.streamId();
        if ((id & 1) == 1) {
            errors.record("SYN_STREAM from the proxy with the client-side (odd) id " + id);
        }
        // Server push is not supported: refuse every stream the proxy opens.
        ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.REFUSED_STREAM));
    }

    private void onWindowUpdate(SpdyWindowUpdateFrame frame) {
        int id = frame.streamId();
        if (id == 0) {
            if (!flowControl.growSessionSendWindow(frame.deltaWindowSize())) {
                errors.sessionError("WINDOW_UPDATE of " + frame.deltaWindowSize() + " grew the session window past 2^31-1");
                return;
            }
        } else {
            ClientStream stream = streams.get(id);
            if (stream == null) {
                return; // a stream that has just closed: nothing left to send on it
            }
            if (!flowControl.growSendWindow(stream, frame.deltaWindowSize())) {
                errors.streamError(stream, SpdyStreamStatus.FLOW_CONTROL_ERROR,
                        "WINDOW_UPDATE grew the stream window past 2^31-1");
                return;
            }
        }
        lifecycle.sendPending();
    }

    private void onRstStream(SpdyRstStreamFrame frame) {
        int id = frame.streamId();
        int status = frame.status().code();
        observations.resetReceived(id, status);
        ClientStream stream = streams.get(id);
        if (stream != null) {
            lifecycle.resetByPeer(stream, status);
        } else if ((id & 1) == 1 && !streams.givenOut(id)) {
            errors.record("RST_STREAM " + SpdyStreamException.statusName(status) + " for stream " + id
                    + ", which the client never opened");
        }
    }

    private void onSettings(SpdySettingsFrame frame) {
        for (Integer id : frame.ids()) {
            int value = frame.getValue(id);
            observations.setting(id, value);
            if (id == SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE) {
                if (value < 0) {
                    errors.record("SETTINGS_INITIAL_WINDOW_SIZE " + value + " is negative");
                } else {
                    peerInitialWindowChanged(value);
                }
            } else if (id == SpdySettingsFrame.SETTINGS_MAX_CONCURRENT_STREAMS) {
                lifecycle.peerMaxConcurrentStreams(value);
            }
        }
        observations.settingsFrameRead();
        lifecycle.activateQueued();
        lifecycle.sendPending();
    }

    /** Every open stream's send window moves by the change (SPDY/3.1 §2.6.8); one that would overflow is reset. */
    private void peerInitialWindowChanged(int value) {
        int delta = flowControl.changePeerInitialWindow(value);
        for (ClientStream stream : streams.openStreams()) {
            if (!flowControl.growSendWindow(stream, delta)) {
                errors.streamError(stream, SpdyStreamStatus.FLOW_CONTROL_ERROR,
                        "SETTINGS_INITIAL_WINDOW_SIZE grew the stream window past 2^31-1");
            }
        }
    }

    private void onGoAway(SpdyGoAwayFrame frame) {
        GoAway received = new GoAway(frame.lastGoodStreamId(), frame.status().code());
        observations.goAwayReceived(received);
        lifecycle.goAway(received);
    }
}
