package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.SessionOptions;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.spdy.DefaultSpdySettingsFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdySettingsFrame;
import java.util.function.BooleanSupplier;

/**
 * The session's flow-control books, both directions. Receiving: our session window (each stream keeps its own
 * {@link ReceiveWindow}) and the credit that goes back, in WINDOW_UPDATEs, only as the application reads. Sending: the
 * proxy's initial stream window and the growth of the send windows that the {@link DataScheduler} spends.
 * <p>
 * It only keeps the books: a window the proxy overruns or grows past 2^31-1 is reported to the caller, which answers
 * it (the answer ends a stream or the session, which is not this class's business). Event loop only.
 */
final class FlowControl {

    private static final int DEFAULT_WINDOW = SessionOptions.DEFAULT_WINDOW;

    private final ChannelHandlerContext ctx;
    private final SessionOptions options;
    private final Streams streams;
    private final DataScheduler scheduler;
    private final ReceiveWindow sessionReceive;
    /** True once the session has ended: credit for it is no longer announced then. */
    private final BooleanSupplier sessionEnded;
    /** The proxy's SETTINGS_INITIAL_WINDOW_SIZE: each new stream's send window. */
    private int peerInitialWindow = DEFAULT_WINDOW;

    FlowControl(ChannelHandlerContext ctx, SessionOptions options, Streams streams, DataScheduler scheduler,
            BooleanSupplier sessionEnded) {
        this.ctx = ctx;
        this.options = options;
        this.streams = streams;
        this.scheduler = scheduler;
        this.sessionReceive = new ReceiveWindow(options.sessionWindow());
        this.sessionEnded = sessionEnded;
    }

    /** Tells the proxy our windows where they differ from the SPDY/3.1 default of 64 KiB. */
    void announceReceiveWindows() {
        if (options.streamWindow() != DEFAULT_WINDOW) {
            SpdySettingsFrame frame = new DefaultSpdySettingsFrame();
            frame.setValue(SpdySettingsFrame.SETTINGS_INITIAL_WINDOW_SIZE, options.streamWindow());
            ctx.write(frame);
        }
        int growth = options.sessionWindow() - DEFAULT_WINDOW;
        if (growth > 0) {
            ctx.write(new DefaultSpdyWindowUpdateFrame(0, growth));
        }
        ctx.flush();
    }

    // ---- receiving

    /** Takes DATA from the session window; false when the proxy overran it. */
    boolean takeSession(int bytes) {
        return sessionReceive.take(bytes);
    }

    /** Gives session credit back for DATA that will never be read (it was dropped on arrival). */
    void giveBackSession(int bytes) {
        int delta = sessionReceive.release(bytes);
        if (delta > 0 && !sessionEnded.getAsBoolean()) {
            ctx.writeAndFlush(new DefaultSpdyWindowUpdateFrame(0, delta));
        }
    }

    /** The application read {@code bytes} of the stream: window credit for the session, and the stream if open. */
    void consumed(ClientStream stream, int bytes) {
        giveBackSession(bytes);
        if (stream.state.remoteOpen() && streams.get(stream.id()) == stream) {
            int delta = stream.receiveWindow.release(bytes);
            if (delta > 0) {
                ctx.writeAndFlush(new DefaultSpdyWindowUpdateFrame(stream.id(), delta));
            }
        }
    }

    // ---- sending

    int peerInitialWindow() {
        return peerInitialWindow;
    }

    /** The proxy changed SETTINGS_INITIAL_WINDOW_SIZE; returns by how much every open stream's window changes. */
    int changePeerInitialWindow(int value) {
        int delta = value - peerInitialWindow;
        peerInitialWindow = value;
        return delta;
    }

    /** A WINDOW_UPDATE for stream 0; false when the session send window would pass 2^31-1. */
    boolean growSessionSendWindow(int delta) {
        return scheduler.growSessionWindow(delta);
    }

    /**
     * Changes a stream's send window (by a WINDOW_UPDATE, or a changed initial window, which may shrink it) and lets
     * the stream back into the scheduler's queue; false, and nothing changed, when it would pass 2^31-1.
     */
    boolean growSendWindow(ClientStream stream, int delta) {
        long grown = (long) stream.sendWindow + delta;
        if (grown > Integer.MAX_VALUE) {
            return false;
        }
        stream.sendWindow = (int) grown;
        scheduler.add(stream);
        return true;
    }
}
