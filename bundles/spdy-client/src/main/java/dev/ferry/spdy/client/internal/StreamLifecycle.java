package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.GoAway;
import dev.ferry.spdy.client.SessionOptions;
import dev.ferry.spdy.client.SpdyStreamException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * Takes the client's streams through their life ({@link StreamState}): opened with SYN_STREAM, or queued while the
 * proxy's MAX_CONCURRENT_STREAMS is reached; their data and FIN sent through the {@link DataScheduler}; the proxy's
 * FIN; and their end, closed or reset by either side or failed with the session. Each end frees a slot for a queued
 * stream. Event loop only.
 */
final class StreamLifecycle {

    private static final byte PRIORITY = 0;

    private final ChannelHandlerContext ctx;
    private final SessionOptions options;
    private final Completions completions;
    private final Streams streams;
    private final DataScheduler scheduler;
    private final FlowControl flowControl;
    /** Why no new stream may open (the session ended, the proxy sent GOAWAY), or null; the session decides. */
    private final Supplier<String> refusal;
    private int peerMaxConcurrentStreams = Integer.MAX_VALUE;

    StreamLifecycle(ChannelHandlerContext ctx, SessionOptions options, Completions completions, Streams streams,
            DataScheduler scheduler, FlowControl flowControl, Supplier<String> refusal) {
        this.ctx = ctx;
        this.options = options;
        this.completions = completions;
        this.streams = streams;
        this.scheduler = scheduler;
        this.flowControl = flowControl;
        this.refusal = refusal;
    }

    // ---- the application's side

    void open(ClientStream stream) {
        String refused = refusal.get();
        if (refused != null) {
            stream.fail(new IOException(refused), completions);
        } else if (options.respectMaxConcurrentStreams() && streams.openCount() >= peerMaxConcurrentStreams) {
            streams.enqueue(stream);
        } else {
            activate(stream);
        }
    }

    void enqueueData(ClientStream stream, byte[] chunk) {
        if (stream.state == StreamState.QUEUED || (stream.state.localOpen() && !stream.finRequested)) {
            stream.enqueue(chunk);
            sendData(stream);
        }
    }

    void finishLocal(ClientStream stream) {
        if (stream.state == StreamState.QUEUED || stream.state.localOpen()) {
            stream.finRequested = true;
            sendData(stream);
        }
    }

    /**
     * The application gave the stream up. Graceful (a tunnel's close): once the proxy has sent FIN, our FIN ends it;
     * otherwise, and always when not graceful, RST_STREAM CANCEL.
     */
    void cancel(ClientStream stream, boolean graceful, String detail) {
        if (stream.state == StreamState.QUEUED) {
            streams.dequeue(stream);
            stream.fail(new IOException("stream cancelled before it was sent: " + detail), completions);
        } else if (stream.state == StreamState.CLOSED) {
            return;
        } else if (graceful && !stream.state.remoteOpen()) {
            if (stream.outbound != null) {
                stream.outbound.fail(new IOException("stream " + stream.id() + ": " + detail));
            }
            finishLocal(stream);
        } else {
            reset(stream, SpdyStreamStatus.CANCEL, detail);
        }
    }

    // ---- sending

    /** Sends what the windows allow now; after they grew, or the channel became writable again. */
    void sendPending() {
        scheduler.run(ctx, this::finSent);
    }

    private void sendData(ClientStream stream) {
        // A queued stream keeps its data until it is activated (which sends it).
        if (stream.state != StreamState.QUEUED) {
            scheduler.add(stream);
            sendPending();
        }
    }

    private void finSent(ClientStream stream) {
        stream.state = stream.state.afterLocalFin();
        if (stream.state == StreamState.CLOSED) {
            close(stream, true);
        }
    }

    // ---- opening

    /** The proxy's SETTINGS_MAX_CONCURRENT_STREAMS; negative means no limit. */
    void peerMaxConcurrentStreams(int value) {
        peerMaxConcurrentStreams = value < 0 ? Integer.MAX_VALUE : value;
    }

    /** Opens queued streams while the session takes new streams and the proxy's limit has room. */
    void activateQueued() {
        while (streams.hasQueued() && refusal.get() == null
                && (!options.respectMaxConcurrentStreams() || streams.openCount() < peerMaxConcurrentStreams)) {
            activate(streams.pollQueued());
        }
    }

    private void activate(ClientStream stream) {
        int id;
        try {
            id = streams.takeId();
        } catch (IllegalStateException e) {
            stream.fail(new IOException(e.getMessage()), completions);
            return;
        }
        stream.activate(id, flowControl.peerInitialWindow(), options.streamWindow());
        streams.add(stream);
        SpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, PRIORITY);
        syn.setLast(stream.finOnSyn);
        syn.headers().add(stream.requestHeaders);
        ctx.writeAndFlush(syn).addListener(future -> {
            if (!future.isSuccess() && stream.state != StreamState.CLOSED) {
                close(stream, false);
                stream.fail(new IOException("SYN_STREAM for stream " + id + " could not be sent: " + future.cause(),
                        future.cause()), completions);
            }
        });
        sendData(stream);
    }

    // ---- the proxy's side, and the end

    /** The proxy's FIN (on SYN_REPLY, DATA or HEADERS): the body ends after the data received. */
    void remoteFin(ClientStream stream) {
        stream.inbound.finish();
        stream.state = stream.state.afterRemoteFin();
        if (stream.state == StreamState.CLOSED) {
            close(stream, true);
        }
    }

    /** Resets a stream on the client's initiative (the application's, or an answer to the proxy's error). */
    void reset(ClientStream stream, SpdyStreamStatus status, String detail) {
        ctx.writeAndFlush(new DefaultSpdyRstStreamFrame(stream.id(), status));
        close(stream, false);
        stream.fail(new SpdyStreamException(stream.id(), status.code(), false, detail), completions);
    }

    /** The proxy reset the stream. */
    void resetByPeer(ClientStream stream, int status) {
        close(stream, false);
        stream.fail(new SpdyStreamException(stream.id(), status, true, null), completions);
    }

    /** The proxy's GOAWAY: streams above its last good id were not processed, queued ones will never be sent. */
    void goAway(GoAway received) {
        for (ClientStream stream : streams.openStreams()) {
            if (stream.id() > received.lastGoodStreamId()) {
                close(stream, false);
                stream.fail(new IOException("stream " + stream.id() + " was not processed: the proxy sent "
                        + received), completions);
            }
        }
        failQueued("the proxy sent " + received);
    }

    /** The session ended: every stream still open or queued fails. */
    void failAll(String reason) {
        IOException cause = new IOException("session ended: " + reason);
        for (ClientStream stream : streams.openStreams()) {
            close(stream, false);
            stream.fail(cause, completions);
        }
        failQueued(reason);
    }

    private void failQueued(String reason) {
        ClientStream queued;
        while ((queued = streams.pollQueued()) != null) {
            queued.fail(new IOException("stream not sent: " + reason), completions);
        }
    }

    /** Forgets a stream that has ended; a slot under MAX_CONCURRENT_STREAMS frees up. */
    private void close(ClientStream stream, boolean peerFinished) {
        stream.state = StreamState.CLOSED;
        streams.remove(stream, peerFinished);
        activateQueued();
    }
}
