package dev.ferry.api.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One stream of a multiplexing protocol (SPDY, HTTP/2) as a channel of its own, so that the proxy's exchange handler
 * and tunnel relay serve it exactly as they serve an HTTP/1.1 connection: it reads {@code HttpRequest} and
 * {@code HttpContent} (raw {@code ByteBuf}s once it carries a tunnel), and is a {@link DuplexChannel} whose
 * {@link #shutdownOutput()} ends the proxy's side of the stream. Runs on its connection's event loop.
 *
 * <p>This class keeps what every such stream does alike: the messages received wait here while the pipeline is not
 * reading (the protocol's flow control bounds them), their bytes are reported as passed on ({@link #passedOn}) or
 * dropped ({@link #dropped}) exactly once, the client's end of the stream is passed on as the last content or, in a
 * tunnel, as an input shutdown, and the stream's life is a {@link StreamState}. A protocol adds how it writes
 * ({@link #doWrite}, which sees {@link #OUTPUT_FIN} for a half-close) and how it ends a stream early
 * ({@link #closeEarly}).
 */
@ConsumerType
public abstract class StreamChannel extends AbstractChannel implements DuplexChannel {

    /** Written by {@link #shutdownOutput()}: the protocol's end of stream once everything written before is sent. */
    protected static final Object OUTPUT_FIN = new Object();
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    /** Queued behind the last received bytes of a tunnel: the client ended its side of the stream. */
    private static final Object INPUT_FIN = new Object();

    private final DefaultChannelConfig config = new DefaultChannelConfig(this);
    private final ArrayDeque<Object> inbound = new ArrayDeque<>();
    private StreamState state = StreamState.OPEN;
    private boolean readPending;
    /** After the CONNECT was read: data is passed on as raw bytes. */
    private boolean tunnel;
    /** The client's end of the stream was passed on to the pipeline. */
    private boolean inputShutdown;

    protected StreamChannel(Channel connection) {
        super(connection);
    }

    /** Where the stream is in its life. */
    protected final StreamState state() {
        return state;
    }

    protected final void state(StreamState state) {
        this.state = state;
    }

    /** Whether the stream carries a tunnel (its CONNECT was read). */
    protected final boolean tunnel() {
        return tunnel;
    }

    /** The stream now carries a tunnel: later data is passed on raw (the codec's {@code tunnelRequested}). */
    public final void enterTunnel() {
        tunnel = true;
    }

    /** The client ended its side (or the stream ended): it sends no more data on it. */
    public final boolean remoteFinReceived() {
        return state.remoteFinished();
    }

    // ---- receiving ----

    /** A message from the client, owned here from now on: passed on when the pipeline reads, dropped if it ended. */
    public final void receive(Object msg) {
        if (!state.live()) {
            drop(msg);
            return;
        }
        inbound.add(msg);
        deliver();
    }

    /**
     * Data for this stream, owned here from now on: raw bytes in a tunnel, else request body content ({@code last}
     * ends the request).
     */
    public final void receiveData(ByteBuf data, boolean last) {
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

    /** The client's end of the stream without data. */
    public final void receiveFin() {
        if (state.remoteFinished()) {
            return;
        }
        state = state.remoteFin();
        receive(tunnel ? INPUT_FIN : LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** The client reset the stream, or its connection ended. */
    public final void remoteReset() {
        if (state.live()) {
            state = StreamState.RESET;
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
            if (msg instanceof LastHttpContent && !tunnel) {
                // (In a tunnel a last content only ends the request that opened it, as an extended CONNECT's does.)
                inputShutdown = true;
            }
            pipeline().fireChannelRead(msg);
            if (bytes > 0) {
                passedOn(bytes);
            }
        }
        if (delivered) {
            pipeline().fireChannelReadComplete();
            afterDelivery();
            closeIfDone();
        }
    }

    private void drop(Object msg) {
        int bytes = bytesOf(msg);
        ReferenceCountUtil.release(msg);
        if (bytes > 0) {
            dropped(bytes);
        }
    }

    private static int bytesOf(Object msg) {
        return msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes()
                : msg instanceof ByteBufHolder ? ((ByteBufHolder) msg).content().readableBytes() : 0;
    }

    /** Received bytes went to the pipeline: give the client its window back. */
    protected abstract void passedOn(int bytes);

    /** Received bytes will never be passed on (the stream ended first). */
    protected abstract void dropped(int bytes);

    /** After a batch of messages went to the pipeline. */
    protected void afterDelivery() {
    }

    /** Both sides ended the stream and everything received was passed on: the stream is complete. */
    protected final void closeIfDone() {
        if (state == StreamState.FINISHED && inbound.isEmpty()) {
            eventLoop().execute(() -> close());
        }
    }

    // ---- Channel ----

    @Override
    protected final void doClose() {
        if (state == StreamState.CLOSED) {
            return;
        }
        try {
            if (state.live() && state != StreamState.FINISHED) {
                closeEarly();
            }
        } finally {
            // Whatever the protocol's last word did, the stream is gone and what it held goes back.
            state = StreamState.CLOSED;
            for (Object msg; (msg = inbound.poll()) != null;) {
                drop(msg);
            }
            closed();
        }
    }

    /**
     * The channel closes before both sides ended the stream (and nobody reset it yet): end it as the protocol says,
     * with a FIN for a tunnel whose client already ended its side, a reset otherwise.
     */
    protected abstract void closeEarly();

    /** The channel closed: the session forgets the stream. */
    protected abstract void closed();

    @Override
    protected final void doBeginRead() {
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
        throw new UnsupportedOperationException("a stream is not bound");
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
                promise.setFailure(new UnsupportedOperationException("a stream does not connect"));
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
        return promise.setFailure(new UnsupportedOperationException("a stream cannot stop a client from sending; "
                + "reset it instead"));
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
