package dev.ferry.h2.impl;

import dev.ferry.api.codec.StreamChannel;
import dev.ferry.api.codec.StreamState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * One HTTP/2 stream as a {@link StreamChannel}: it reads the request (raw bytes once it carries a tunnel) and writes
 * the response or tunnel bytes as HEADERS and DATA.
 *
 * <p>Flow control: Netty's codec sends DATA within the client's windows; this channel hands it a frame only while the
 * stream is writable there, so what does not fit stays in this channel's outbound buffer, which makes the channel
 * unwritable and holds back whoever writes to it. Received DATA is given back to the client (WINDOW_UPDATE) only once
 * it has been passed on; what a stream never passed on, Netty's codec gives back to the connection when the stream
 * closes.
 */
final class H2StreamChannel extends StreamChannel {

    private final H2ServerSession session;
    private final Http2FrameStream stream;
    private final boolean connect;
    /** The final (non-1xx) response head went out. */
    private boolean headSent;
    /** An interim response's empty last content, which HTTP/2 has no frame for. */
    private boolean dropLastOfInterim;
    /** An extended CONNECT (RFC 8441): the origin's 101 opens the tunnel, as a 2xx does for a CONNECT. */
    private boolean extendedConnect;
    /** The Sec-WebSocket-Key the proxy sent the origin for an extended CONNECT, to check its accept against. */
    private String webSocketKey;
    /** The origin did not switch as asked: the rest of its response is dropped, the stream reset. */
    private boolean switchFailed;

    H2StreamChannel(Channel parent, H2ServerSession session, Http2FrameStream stream, boolean connect) {
        super(parent);
        this.session = session;
        this.stream = stream;
        this.connect = connect;
    }

    int streamId() {
        return stream.id();
    }

    /**
     * Whether the stream still counts against maxConcurrentStreams: until both FINs (or a reset), as the client
     * counts it. A finished stream's channel closes in a later task, and its last bytes may reach the client (who
     * then opens the next stream) before that task runs; counting the channel instead would refuse that stream.
     */
    boolean occupiesSlot() {
        StreamState state = state();
        return state == StreamState.OPEN || state == StreamState.HALF_CLOSED_REMOTE
                || state == StreamState.HALF_CLOSED_LOCAL;
    }

    // ---- receiving (called by the session) ----

    /**
     * DATA for this stream; {@code data} is owned here. {@code flowControlled} counts the padding too, which is given
     * back at once: only the data waits for the pipeline.
     */
    void receiveData(ByteBuf data, int flowControlled, boolean last) {
        int padding = flowControlled - data.readableBytes();
        if (padding > 0) {
            session.consumed(stream, padding);
        }
        receiveData(data, last);
    }

    /**
     * An extended CONNECT, translated to an HTTP/1.1 Upgrade request: that request ends here (a GET has no body), and
     * whatever DATA the client sends is the new protocol's, raw, held by the exchange until the origin switches.
     */
    void receiveUpgrade(HttpRequest request) {
        extendedConnect = true;
        webSocketKey = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        enterTunnel();
        receive(request);
        receive(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** Trailers end the request body (they end the stream, which the session checked). */
    void receiveTrailers(Http2Headers trailers) {
        if (state().remoteFinished()) {
            return;
        }
        if (tunnel()) {
            receiveFin();
            return;
        }
        state(state().remoteFin());
        LastHttpContent last = new DefaultLastHttpContent();
        H2Messages.copyTrailers(trailers, last.trailingHeaders());
        receive(last);
    }

    /** The proxy resets the stream (a stream error). */
    void reset(Http2Error error) {
        if (state().live()) {
            state(StreamState.RESET);
            session.sendReset(stream, error);
        }
        close();
    }

    /** Netty's codec closed the stream (both sides ended, or it reset it): the channel follows. */
    void codecClosed() {
        if (state() == StreamState.FINISHED) {
            closeIfDone();
        } else {
            remoteReset();
        }
    }

    @Override
    protected void passedOn(int bytes) {
        session.consumed(stream, bytes);
    }

    @Override
    protected void dropped(int bytes) {
        // Netty's codec gives the connection window back for what a closed stream never consumed.
    }

    @Override
    protected void afterDelivery() {
        session.flush();
    }

    // ---- sending ----

    /** The stream became writable or the connection drained: send what waits. */
    void resumeWrites() {
        ChannelOutboundBuffer pending = unsafe().outboundBuffer();
        if (isOpen() && pending != null && !pending.isEmpty()) {
            unsafe().flush();
        }
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        Object msg;
        while ((msg = in.current()) != null) {
            if (switchFailed) {
                in.remove();
                continue;
            }
            if (msg instanceof HttpResponse && !writeHead(in, (HttpResponse) msg)) {
                continue;
            }
            if (msg == OUTPUT_FIN) {
                sendFin();
                in.remove();
            } else if (!(msg instanceof HttpContent) && !(msg instanceof ByteBuf)) {
                in.remove(new UnsupportedOperationException("an HTTP/2 stream cannot write " + msg.getClass()));
            } else if (!session.isWritable(stream)) {
                break;
            } else if (msg instanceof ByteBuf) {
                writeData((ByteBuf) msg, false, null);
                in.remove();
            } else if (dropLastOfInterim) {
                dropLastOfInterim = !(msg instanceof LastHttpContent);
                in.remove();
            } else {
                boolean last = msg instanceof LastHttpContent;
                writeData(((HttpContent) msg).content(), last, last ? (LastHttpContent) msg : null);
                in.remove();
            }
        }
        session.flush();
        closeIfDone();
    }

    /**
     * Sends the HEADERS of a response head. Returns true when the message still has body bytes to send, false when
     * it is done with (and removed).
     */
    private boolean writeHead(ChannelOutboundBuffer in, HttpResponse response) {
        if (extendedConnect && !headSent && response.status().code() != 101
                && response.status().codeClass() == HttpStatusClass.SUCCESS) {
            return failSwitch(in, "the origin answered " + response.status() + " without switching protocols");
        }
        if (extendedConnect && !headSent && response.status().code() == 101) {
            if (webSocketKey != null && !H2Messages.acceptsKey(webSocketKey,
                    response.headers().get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT))) {
                return failSwitch(in, "the origin's Sec-WebSocket-Accept does not match the key the proxy sent");
            }
            headSent = true;
            session.write(stream, H2Messages.toSwitched(response), false);
            in.remove();
            return false;
        }
        boolean bodyless = response instanceof LastHttpContent
                && !((LastHttpContent) response).content().isReadable();
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            // 100 and 103 are interim HEADERS in HTTP/2; 101 does not exist there.
            if (!response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS) && !headSent) {
                session.write(stream, H2Messages.toHeaders(response, false), false);
            }
            dropLastOfInterim = !(response instanceof LastHttpContent);
            in.remove();
            return false;
        }
        // A 2xx to a CONNECT opens the tunnel: the stream stays open whatever the message type says.
        boolean opensTunnel = connect && response.status().codeClass() == HttpStatusClass.SUCCESS;
        if (!headSent) {
            headSent = true;
            boolean end = bodyless && !opensTunnel;
            session.write(stream, H2Messages.toHeaders(response, opensTunnel), end);
            if (end) {
                state(state().localFin());
            }
        }
        if (opensTunnel || bodyless || !(response instanceof HttpContent)) {
            in.remove();
            return false;
        }
        return true;
    }

    /**
     * An extended CONNECT the origin did not switch for: its client must not take the stream for a tunnel, so no 2xx
     * goes out; the stream is reset with CONNECT_ERROR (RFC 9113 section 8.5) once this write is done with.
     */
    private boolean failSwitch(ChannelOutboundBuffer in, String why) {
        H2ServerSession.LOG.info("{}: stream {} reset CONNECT_ERROR: {}", parent().remoteAddress(), streamId(), why);
        switchFailed = true;
        in.remove();
        eventLoop().execute(() -> reset(Http2Error.CONNECT_ERROR));
        return false;
    }

    /** Hands one message's bytes to the codec, which frames them to the client's windows. */
    private void writeData(ByteBuf data, boolean last, LastHttpContent trailers) {
        if (state().localFinished()) {
            return;
        }
        boolean withTrailers = trailers != null && !trailers.trailingHeaders().isEmpty();
        if (data.isReadable() || last && !withTrailers) {
            session.write(stream, data.retainedSlice(), last && !withTrailers);
        }
        if (withTrailers) {
            session.write(stream, H2Messages.toTrailers(trailers.trailingHeaders()), true);
        }
        if (last) {
            state(state().localFin());
        }
    }

    private void sendFin() {
        if (!state().localFinished()) {
            state(state().localFin());
            session.write(stream, Unpooled.EMPTY_BUFFER, true);
        }
    }

    @Override
    protected void closeEarly() {
        if (tunnel() && state() == StreamState.HALF_CLOSED_REMOTE) {
            // A tunnel both ends of which have finished: closing ends the byte stream, as closing a socket would.
            sendFin();
        } else {
            session.sendReset(stream, abortCode());
        }
    }

    /**
     * Why a stream closes before both sides ended it: a tunnel whose other connection failed is CONNECT_ERROR (RFC
     * 9113 section 8.5); a response complete while the client still sends is NO_ERROR, telling it to stop (section
     * 8.1); a response cut short (the origin failed mid-response) is CANCEL, never a clean end.
     */
    private Http2Error abortCode() {
        if (tunnel() && headSent) {
            return Http2Error.CONNECT_ERROR;
        }
        return state().localFinished() ? Http2Error.NO_ERROR : Http2Error.CANCEL;
    }

    @Override
    protected void closed() {
        session.streamClosed(this);
    }
}
