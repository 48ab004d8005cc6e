package dev.ferry.spdy.impl;

import dev.ferry.api.codec.StreamState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.util.ArrayDeque;

/**
 * One SPDY stream as a channel of its own, so that the proxy's exchange handler and tunnel relay serve it exactly as
 * they serve an HTTP/1.1 connection. It reads {@code HttpRequest}/{@code HttpContent} (raw {@code ByteBuf}s once the
 * stream carries a tunnel) and writes the response or tunnel bytes as SYN_REPLY and DATA frames.
 *
 * <p>Flow control: DATA is sent only within the stream's and the session's send windows; what does not fit stays in
 * this channel's outbound buffer, which makes the channel unwritable and so holds back whoever writes to it.
 * Received data waits here while the pipeline is not reading and is credited back to the client (WINDOW_UPDATE)
 * only once it has been passed on, or dropped when the stream ends first ({@link ReceiveWindows} keeps that account).
 * Where the stream is in its life is one {@link StreamState}. Everything runs on the parent connection's event loop.
 */
final class SpdyStreamChannel extends AbstractChannel implements DuplexChannel {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    /** Queued behind the last received bytes of a tunnel: the client half-closed the stream. */
    private static final Object INPUT_FIN = new Object();
    /** Written by {@link #shutdownOutput()}: a FIN once everything written before it is sent. */
    private static final Object OUTPUT_FIN = new Object();

    private final SpdyServerSession session;
    private final ReceiveWindows windows;
    private final ReceiveWindows.Stream receiveWindow;
    private final int streamId;
    private final boolean connect;
    private final int maxFrameBytes;
    private final DefaultChannelConfig config = new DefaultChannelConfig(this);
    private final ArrayDeque<Object> inbound = new ArrayDeque<>();

    private StreamState state = StreamState.OPEN;
    private boolean readPending;
    /** After the CONNECT was read: DATA is passed on as raw bytes. */
    private boolean tunnel;
    /** The client's FIN was passed on to the pipeline (it may still wait in {@code inbound} after the state says so). */
    private boolean inputShutdown;
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

    // ---- receiving (called by the session) ----

    /** This stream's receive window, for the session to count DATA against. */
    ReceiveWindows.Stream receiveWindow() {
        return receiveWindow;
    }

    /** The client finished the stream (or it ended): more DATA for it is a protocol error. */
    boolean remoteFinReceived() {
        return state.remoteFinished();
    }

    void receive(Object msg) {
        if (!state.live()) {
            drop(msg);
            return;
        }
        inbound.add(msg);
        deliver();
    }

    /** DATA for this stream; {@code data} is owned here. */
    void receiveData(ByteBuf data, boolean last) {
        if (tunnel) {
            receive(data);
            if (last) {
                receiveFin();
            }
        } else {
            if (last) {
                state = state.remoteFin();
            }
            receive(last ? new DefaultLastHttpContent(data) : new DefaultHttpContent(data));
        }
    }

    /** The client's FIN without data (on SYN_STREAM, an empty DATA frame, or HEADERS). */
    void receiveFin() {
        if (state.remoteFinished()) {
            return;
        }
        state = state.remoteFin();
        receive(tunnel ? INPUT_FIN : LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** The stream now carries a tunnel: later DATA is passed on raw. */
    void enterTunnel() {
        tunnel = true;
    }

    /** The client reset the stream. */
    void remoteReset() {
        if (state.live()) {
            state = StreamState.RESET;
        }
        close();
    }

    /** The proxy resets the stream (e.g. a flow-control error). */
    void reset(SpdyStreamStatus status) {
        if (state.live()) {
            state = StreamState.RESET;
            session.sendReset(streamId, status);
        }
        close();
    }

    private void deliver() {
        boolean delivered = false;
        while (state != StreamState.CLOSED && !inbound.isEmpty() && (readPending || config.isAutoRead())) {
            readPending = false;
            Object msg = inbound.poll();
            delivered = true;
            if (msg == INPUT_FIN) {
                inputShutdown = true;
                pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
                continue;
            }
            int bytes = bytesOf(msg);
            if (msg instanceof LastHttpContent) {
                inputShutdown = true;
            }
            pipeline().fireChannelRead(msg);
            if (bytes > 0) {
                creditConsumed(bytes);
            }
        }
        if (delivered) {
            pipeline().fireChannelReadComplete();
            closeIfDone();
        }
    }

    /**
     * Data that will never be passed on (the stream closed first): the client counted it against the session's
     * window, so the session gives it back, or a few streams cancelled mid-upload would stall every later upload.
     * The stream's own window goes with the stream.
     */
    private void drop(Object msg) {
        int bytes = bytesOf(msg);
        ReferenceCountUtil.release(msg);
        if (bytes > 0) {
            windows.dropped(bytes);
        }
    }

    private static int bytesOf(Object msg) {
        return msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes()
                : msg instanceof ByteBufHolder ? ((ByteBufHolder) msg).content().readableBytes() : 0;
    }

    /** Data passed on: the client gets its window back (the stream's only while it may send more). */
    private void creditConsumed(int bytes) {
        windows.passedOn(receiveWindow, bytes, !state.remoteFinished());
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
        if (state != StreamState.CLOSED && pending != null && !pending.isEmpty()) {
            unsafe().flush();
        }
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        Object msg;
        while ((msg = in.current()) != null && parent().isWritable()) {
            if (msg instanceof HttpResponse && !writeHead(in, (HttpResponse) msg)) {
                continue;
            }
            if (msg instanceof HttpContent) {
                if (dropLastOfInformational) {
                    dropLastOfInformational = !(msg instanceof LastHttpContent);
                    in.remove();
                } else if (!writeData(in, ((HttpContent) msg).content(), msg instanceof LastHttpContent)) {
                    break;
                }
            } else if (msg instanceof ByteBuf) {
                if (!writeData(in, (ByteBuf) msg, false)) {
                    break;
                }
            } else if (msg == OUTPUT_FIN) {
                sendFin();
                in.remove();
            } else {
                in.remove(new UnsupportedOperationException("a SPDY stream cannot write " + msg.getClass()));
            }
        }
        session.flush();
        closeIfDone();
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
                state = state.localFin();
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
                state = state.localFin();
            }
        }
        if (last && !state.localFinished()) {
            sendFin();
        }
        in.remove();
        return true;
    }

    private void sendFin() {
        if (!state.localFinished()) {
            state = state.localFin();
            SpdyDataFrame fin = new DefaultSpdyDataFrame(streamId, Unpooled.EMPTY_BUFFER);
            fin.setLast(true);
            session.write(fin);
        }
    }

    /** Both sides sent their FIN and everything was passed on: the stream is complete. */
    private void closeIfDone() {
        if (state == StreamState.FINISHED && inbound.isEmpty()) {
            eventLoop().execute(() -> close());
        }
    }

    // ---- Channel ----

    @Override
    protected void doClose() {
        if (state == StreamState.CLOSED) {
            return;
        }
        if (tunnel && state == StreamState.HALF_CLOSED_REMOTE) {
            // A tunnel both ends of which have finished: closing ends the byte stream, as closing a socket would.
            sendFin();
        } else if (state.live() && state != StreamState.FINISHED) {
            // Closed before the exchange was complete (e.g. the origin failed mid-response): never a clean end.
            session.sendReset(streamId, SpdyStreamStatus.CANCEL);
        }
        state = StreamState.CLOSED;
        for (Object msg; (msg = inbound.poll()) != null;) {
            drop(msg);
        }
        session.streamClosed(this);
    }

    @Override
    protected void doBeginRead() {
        readPending = true;
        deliver();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true;
    }

    @Override
    protected SocketAddress localAddress0() {
        return parent().localAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return parent().remoteAddress();
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a SPDY stream is not bound");
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new AbstractUnsafe() {
            @Override
            public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
                promise.setFailure(new UnsupportedOperationException("a SPDY stream does not connect"));
            }
        };
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return state != StreamState.CLOSED;
    }

    @Override
    public boolean isActive() {
        return isOpen();
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    // ---- DuplexChannel: half-close for tunnels ----

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        return promise.setFailure(new UnsupportedOperationException("SPDY cannot stop a client from sending; "
                + "reset the stream instead"));
    }

    @Override
    public boolean isOutputShutdown() {
        return state.localFinished();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        return writeAndFlush(OUTPUT_FIN, promise);
    }

    @Override
    public boolean isShutdown() {
        return inputShutdown && isOutputShutdown();
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdownOutput();
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        return shutdownOutput(promise);
    }
}
