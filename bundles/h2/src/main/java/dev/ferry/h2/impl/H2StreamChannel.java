package dev.ferry.h2.impl;

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
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.util.ArrayDeque;

/**
 * One HTTP/2 stream as a channel of its own, so that the proxy's exchange handler and tunnel relay serve it exactly
 * as they serve an HTTP/1.1 connection or a SPDY stream. It reads {@code HttpRequest}/{@code HttpContent} (raw
 * {@code ByteBuf}s once the stream carries a tunnel) and writes the response or tunnel bytes as HEADERS and DATA.
 *
 * <p>Flow control: Netty's codec sends DATA within the client's windows; this channel hands it a frame only while the
 * stream is writable there, so what does not fit stays in this channel's outbound buffer, which makes the channel
 * unwritable and holds back whoever writes to it. Received DATA waits here while the pipeline is not reading and is
 * given back to the client (WINDOW_UPDATE) only once it has been passed on. Everything runs on the connection's event
 * loop.
 */
final class H2StreamChannel extends AbstractChannel implements DuplexChannel {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    /** Queued behind the last received bytes of a tunnel: the client ended its side of the stream. */
    private static final Object INPUT_FIN = new Object();
    /** Written by {@link #shutdownOutput()}: END_STREAM once everything written before it is sent. */
    private static final Object OUTPUT_FIN = new Object();

    private final H2ServerSession session;
    private final Http2FrameStream stream;
    private final boolean connect;
    private final DefaultChannelConfig config = new DefaultChannelConfig(this);
    private final ArrayDeque<Object> inbound = new ArrayDeque<>();

    private StreamState state = StreamState.OPEN;
    private boolean readPending;
    /** After the CONNECT was read: DATA is passed on as raw bytes. */
    private boolean tunnel;
    /** The client's END_STREAM was passed on to the pipeline. */
    private boolean inputShutdown;
    /** The final (non-1xx) response head went out. */
    private boolean headSent;
    /** An interim response's empty last content, which HTTP/2 has no frame for. */
    private boolean dropLastOfInterim;

    H2StreamChannel(Channel parent, H2ServerSession session, Http2FrameStream stream, boolean connect) {
        super(parent);
        this.session = session;
        this.stream = stream;
        this.connect = connect;
    }

    int streamId() {
        return stream.id();
    }

    // ---- receiving (called by the session) ----

    /** The client ended its side (or the stream ended): more DATA for it is the codec's error to answer. */
    boolean remoteFinReceived() {
        return state.remoteFinished();
    }

    void receive(Object msg) {
        if (!state.live()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        inbound.add(msg);
        deliver();
    }

    /**
     * DATA for this stream; {@code data} is owned here. {@code flowControlled} counts the padding too, which is given
     * back at once: only the data waits for the pipeline.
     */
    void receiveData(ByteBuf data, int flowControlled, boolean last) {
        int padding = flowControlled - data.readableBytes();
        if (padding > 0) {
            session.consumed(stream, padding);
        }
        if (tunnel) {
            if (data.isReadable()) {
                receive(data);
            } else {
                data.release();
            }
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

    /** Trailers end the request body (they end the stream, which the session checked). */
    void receiveTrailers(Http2Headers trailers) {
        if (state.remoteFinished()) {
            return;
        }
        if (tunnel) {
            receiveFin();
            return;
        }
        state = state.remoteFin();
        LastHttpContent last = new DefaultLastHttpContent();
        H2Messages.copyTrailers(trailers, last.trailingHeaders());
        receive(last);
    }

    /** END_STREAM without data (on HEADERS, or an empty DATA frame). */
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

    /** The client reset the stream, or the connection ended. */
    void remoteReset() {
        if (state.live()) {
            state = StreamState.RESET;
        }
        close();
    }

    /** The proxy resets the stream (a stream error). */
    void reset(Http2Error error) {
        if (state.live()) {
            state = StreamState.RESET;
            session.sendReset(stream, error);
        }
        close();
    }

    /** Netty's codec closed the stream (both sides ended, or it reset it): the channel follows. */
    void codecClosed() {
        if (state == StreamState.FINISHED) {
            closeIfDone();
        } else {
            remoteReset();
        }
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
                // Passed on: the client gets the window back (Netty's codec ignores it once the stream closed).
                session.consumed(stream, bytes);
            }
        }
        if (delivered) {
            pipeline().fireChannelReadComplete();
            session.flush();
            closeIfDone();
        }
    }

    private static int bytesOf(Object msg) {
        return msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes()
                : msg instanceof ByteBufHolder ? ((ByteBufHolder) msg).content().readableBytes() : 0;
    }

    // ---- sending ----

    /** The stream became writable or the connection drained: send what waits. */
    void resumeWrites() {
        ChannelOutboundBuffer pending = unsafe().outboundBuffer();
        if (state != StreamState.CLOSED && pending != null && !pending.isEmpty()) {
            unsafe().flush();
        }
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        Object msg;
        while ((msg = in.current()) != null) {
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
                state = state.localFin();
            }
        }
        if (opensTunnel || bodyless || !(response instanceof HttpContent)) {
            in.remove();
            return false;
        }
        return true;
    }

    /** Hands one message's bytes to the codec, which frames them to the client's windows. */
    private void writeData(ByteBuf data, boolean last, LastHttpContent trailers) {
        if (state.localFinished()) {
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
            state = state.localFin();
        }
    }

    private void sendFin() {
        if (!state.localFinished()) {
            state = state.localFin();
            session.write(stream, Unpooled.EMPTY_BUFFER, true);
        }
    }

    /** Both sides ended the stream and everything was passed on: the stream is complete. */
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
            session.sendReset(stream, abortCode());
        }
        state = StreamState.CLOSED;
        for (Object msg; (msg = inbound.poll()) != null;) {
            // Netty's codec gives the connection window back for what a closed stream never consumed.
            ReferenceCountUtil.release(msg);
        }
        session.streamClosed(this);
    }

    /**
     * Why a stream closes before both sides ended it: a tunnel whose other connection failed is CONNECT_ERROR (RFC
     * 9113 section 8.5); a response complete while the client still sends is NO_ERROR, telling it to stop (section
     * 8.1); a response cut short (the origin failed mid-response) is CANCEL, never a clean end.
     */
    private Http2Error abortCode() {
        if (tunnel && headSent) {
            return Http2Error.CONNECT_ERROR;
        }
        return state.localFinished() ? Http2Error.NO_ERROR : Http2Error.CANCEL;
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
        throw new UnsupportedOperationException("an HTTP/2 stream is not bound");
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
                promise.setFailure(new UnsupportedOperationException("an HTTP/2 stream does not connect"));
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
        return promise.setFailure(new UnsupportedOperationException("HTTP/2 cannot stop a client from sending; "
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
