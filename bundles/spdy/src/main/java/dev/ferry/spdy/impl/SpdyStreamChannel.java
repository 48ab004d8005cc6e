package dev.ferry.spdy.impl;

import dev.ferry.api.codec.StreamChannel;
import dev.ferry.api.codec.StreamState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;

/**
 * One SPDY stream as a {@link StreamChannel}: it reads the request (raw bytes once it carries a tunnel) and writes the
 * response or tunnel bytes as SYN_REPLY and DATA frames.
 *
 * <p>Flow control: DATA is sent only within the stream's and the session's send windows; what does not fit stays in
 * this channel's outbound buffer, which makes the channel unwritable and so holds back whoever writes to it.
 * Received data waits here while the pipeline is not reading and is credited back to the client (WINDOW_UPDATE)
 * only once it has been passed on, or dropped when the stream ends first ({@link ReceiveWindows} keeps that account).
 * Where the stream is in its life is one {@link StreamState}. Everything runs on the parent connection's event loop.
 */
final class SpdyStreamChannel extends StreamChannel {

    private final SpdyServerSession session;
    private final ReceiveWindows windows;
    private final ReceiveWindows.Stream receiveWindow;
    private final int streamId;
    private final boolean connect;
    private final int maxFrameBytes;
    private boolean replySent;
    /** A 1xx response was dropped (SPDY has none); its empty last content goes too. */
    private boolean dropLastOfInformational;
    private int sendWindow;

    SpdyStreamChannel(Channel parent, SpdyServerSession session, ReceiveWindows windows, int streamId,
            boolean connect, int sendWindow, int maxFrameBytes) {
        super(parent);
        this.session = session;
        this.windows = windows;
        this.receiveWindow = windows.newStream(streamId);
        this.streamId = streamId;
        this.connect = connect;
        this.sendWindow = sendWindow;
        this.maxFrameBytes = maxFrameBytes;
    }

    int streamId() {
        return streamId;
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

    /** This stream's receive window, for the session to count DATA against. */
    ReceiveWindows.Stream receiveWindow() {
        return receiveWindow;
    }

    /** The proxy resets the stream (e.g. a flow-control error). */
    void reset(SpdyStreamStatus status) {
        if (state().live()) {
            state(StreamState.RESET);
            session.sendReset(streamId, status);
        }
        close();
    }

    /** Data passed on: the client gets its window back (the stream's only while it may send more). */
    @Override
    protected void passedOn(int bytes) {
        windows.passedOn(receiveWindow, bytes, !state().remoteFinished());
    }

    /**
     * Data that will never be passed on (the stream closed first): the client counted it against the session's
     * window, so the session gives it back, or a few streams cancelled mid-upload would stall every later upload.
     * The stream's own window goes with the stream.
     */
    @Override
    protected void dropped(int bytes) {
        windows.dropped(bytes);
    }

    // ---- sending ----

    /** The client changed SETTINGS_INITIAL_WINDOW_SIZE, or granted more with WINDOW_UPDATE. */
    boolean addSendWindow(int delta) {
        long updated = (long) sendWindow + delta;
        if (updated > Integer.MAX_VALUE) {
            return false;
        }
        sendWindow = (int) updated;
        return true;
    }

    /** Windows grew or the connection drained: send what waits. */
    void resumeWrites() {
        ChannelOutboundBuffer pending = unsafe().outboundBuffer();
        if (isOpen() && pending != null && !pending.isEmpty()) {
            unsafe().flush();
        }
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        boolean connectionWasFull;
        do {
            connectionWasFull = writeQueued(in);
            session.flush();
            // A flush that drains the connection fires its writability event within this write, while this stream
            // is still flushing: the session's resumeWrites() then finds it busy and does nothing. So it goes on here.
        } while (connectionWasFull && in.current() != null && parent().isWritable());
        closeIfDone();
    }

    /**
     * Writes what the windows and the connection take; returns true when it stopped because the connection was full.
     */
    private boolean writeQueued(ChannelOutboundBuffer in) {
        Object msg;
        while ((msg = in.current()) != null) {
            if (!parent().isWritable()) {
                return true;
            }
            if (msg instanceof HttpResponse && !writeHead(in, (HttpResponse) msg)) {
                continue;
            }
            if (msg instanceof HttpContent) {
                if (dropLastOfInformational) {
                    dropLastOfInformational = !(msg instanceof LastHttpContent);
                    in.remove();
                } else if (!writeData(in, ((HttpContent) msg).content(), msg instanceof LastHttpContent)) {
                    return !parent().isWritable();
                }
            } else if (msg instanceof ByteBuf) {
                if (!writeData(in, (ByteBuf) msg, false)) {
                    return !parent().isWritable();
                }
            } else if (msg == OUTPUT_FIN) {
                sendFin();
                in.remove();
            } else {
                in.remove(new UnsupportedOperationException("a SPDY stream cannot write " + msg.getClass()));
            }
        }
        return false;
    }

    /**
     * Sends the SYN_REPLY for a response head (once). Returns true when the message still has body bytes to send,
     * false when it is done with (and removed).
     */
    private boolean writeHead(ChannelOutboundBuffer in, HttpResponse response) {
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            // SPDY has no interim responses; the final one follows.
            dropLastOfInformational = !(response instanceof LastHttpContent);
            in.remove();
            return false;
        }
        // A 2xx to a CONNECT opens the tunnel: the stream stays open whatever the message type says.
        boolean opensTunnel = connect && response.status().codeClass() == HttpStatusClass.SUCCESS;
        boolean bodyless = response instanceof LastHttpContent
                && !((LastHttpContent) response).content().isReadable();
        if (!replySent) {
            replySent = true;
            SpdySynReplyFrame reply = SpdyMessages.toSynReply(streamId, response);
            if (bodyless && !opensTunnel) {
                reply.setLast(true);
                state(state().localFin());
            }
            session.write(reply);
        }
        if (opensTunnel || bodyless || !(response instanceof HttpContent)) {
            in.remove();
            return false;
        }
        return true;
    }

    /** Sends what the windows allow; removes the message once all of it is out. False while blocked. */
    private boolean writeData(ChannelOutboundBuffer in, ByteBuf data, boolean last) {
        while (data.isReadable()) {
            int n = Math.min(Math.min(data.readableBytes(), maxFrameBytes), Math.min(sendWindow,
                    session.sessionSendWindow()));
            if (n <= 0 || !parent().isWritable()) {
                return false;
            }
            boolean fin = last && n == data.readableBytes();
            SpdyDataFrame frame = new DefaultSpdyDataFrame(streamId, data.readRetainedSlice(n));
            frame.setLast(fin);
            sendWindow -= n;
            session.takeSessionSendWindow(n);
            session.write(frame);
            if (fin) {
                state(state().localFin());
            }
        }
        if (last && !state().localFinished()) {
            sendFin();
        }
        in.remove();
        return true;
    }

    private void sendFin() {
        if (!state().localFinished()) {
            state(state().localFin());
            SpdyDataFrame fin = new DefaultSpdyDataFrame(streamId, Unpooled.EMPTY_BUFFER);
            fin.setLast(true);
            session.write(fin);
        }
    }

    @Override
    protected void closeEarly() {
        if (tunnel() && state() == StreamState.HALF_CLOSED_REMOTE) {
            // A tunnel both ends of which have finished: closing ends the byte stream, as closing a socket would.
            sendFin();
        } else {
            // Closed before the exchange was complete (e.g. the origin failed mid-response): never a clean end.
            session.sendReset(streamId, SpdyStreamStatus.CANCEL);
        }
    }

    @Override
    protected void closed() {
        session.streamClosed(this);
    }
}
