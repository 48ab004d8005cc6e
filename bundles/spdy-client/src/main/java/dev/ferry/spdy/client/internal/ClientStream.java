package dev.ferry.spdy.client.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.spdy.SpdyHeaders;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One stream this client opened: its state, its windows, the data waiting for window, and the two ends the
 * application holds ({@link InboundBody}, {@link OutboundBody}). Everything not final is touched on the event loop
 * only; the id is also read by application threads (for messages), hence volatile.
 */
final class ClientStream {

    /** What the session does for a stream's application-side ends; implementations hop onto the event loop. */
    interface Io {
        void consumed(ClientStream stream, int bytes);

        void data(ClientStream stream, byte[] chunk) throws IOException;

        void fin(ClientStream stream) throws IOException;
    }

    final SpdyHeaders requestHeaders;
    /** True for a stream without a request body: FIN rides on the SYN_STREAM. */
    final boolean finOnSyn;
    final InboundBody inbound;
    /** Null when {@link #finOnSyn}. */
    final OutboundBody outbound;
    /** Completed (on a client thread) with the SYN_REPLY, or failed. */
    final CompletableFuture<Reply> reply = new CompletableFuture<>();

    private volatile int id;
    StreamState state = StreamState.QUEUED;
    boolean replied;
    /** What the proxy lets us send on this stream; may go negative when it lowers SETTINGS_INITIAL_WINDOW_SIZE. */
    int sendWindow;
    ReceiveWindow receiveWindow;
    /** True while the stream sits in the scheduler's queue. */
    boolean inSendQueue;
    /** The application asked for FIN after the pending data. */
    boolean finRequested;

    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private int pendingOffset;
    private int pendingBytes;

    ClientStream(SpdyHeaders requestHeaders, boolean finOnSyn, long timeoutNanos, int maxDataFrame, Io io) {
        this.requestHeaders = requestHeaders;
        this.finOnSyn = finOnSyn;
        this.inbound = new InboundBody(this::id, timeoutNanos, bytes -> io.consumed(this, bytes));
        this.outbound = finOnSyn ? null
                : new OutboundBody(this::id, maxDataFrame, 4L * maxDataFrame, timeoutNanos, new OutboundBody.Sink() {
                    @Override
                    public void data(byte[] chunk) throws IOException {
                        io.data(ClientStream.this, chunk);
                    }

                    @Override
                    public void fin() throws IOException {
                        io.fin(ClientStream.this);
                    }
                });
    }

    /** The stream id; 0 while queued. */
    int id() {
        return id;
    }

    void activate(int streamId, int initialSendWindow, int receiveWindowSize) {
        this.id = streamId;
        this.sendWindow = initialSendWindow;
        this.receiveWindow = new ReceiveWindow(receiveWindowSize);
        this.state = finOnSyn ? StreamState.HALF_CLOSED_LOCAL : StreamState.OPEN;
    }

    // ---- data waiting for window (event loop)

    void enqueue(byte[] chunk) {
        pending.add(chunk);
        pendingBytes += chunk.length;
    }

    int pendingBytes() {
        return pendingBytes;
    }

    /** True when a DATA frame (with bytes, or an empty one carrying FIN) is due. */
    boolean wantsToSend() {
        return state.localOpen() && (pendingBytes > 0 || finRequested);
    }

    /**
     * At most {@code max} pending bytes, never more than one chunk, wrapped (not copied: the frame encoder copies them
     * into the frame and releases the wrapper).
     */
    ByteBuf takeData(int max) {
        byte[] head = pending.peek();
        int n = Math.min(max, head.length - pendingOffset);
        ByteBuf data = Unpooled.wrappedBuffer(head, pendingOffset, n);
        pendingOffset += n;
        pendingBytes -= n;
        if (pendingOffset == head.length) {
            pending.poll();
            pendingOffset = 0;
        }
        return data;
    }

    /**
     * Ends the stream for the application: the body and the output fail with {@code cause} (the body after the data
     * already received), and so does the reply future unless SYN_REPLY has come: that decision is made here, on the
     * event loop, because the two completions themselves run on client threads in no fixed order. Pending data is
     * dropped.
     */
    void fail(IOException cause, Completions completions) {
        state = StreamState.CLOSED;
        pending.clear();
        pendingBytes = 0;
        if (!replied) {
            completions.fail(reply, cause);
        }
        inbound.fail(cause);
        if (outbound != null) {
            outbound.fail(cause);
        }
    }

    @Override
    public String toString() {
        return "stream " + id + " " + state;
    }
}
