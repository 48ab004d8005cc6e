package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.SessionOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Sends the streams' pending data as DATA frames, never more than the proxy's windows allow (the stream's and the
 * session's) and only while the channel is writable; streams take turns, one frame each. Event loop only.
 * <p>
 * A stream whose own window is shut leaves the queue until a WINDOW_UPDATE or SETTINGS puts it back; when the session
 * window is shut the queue waits as it is.
 */
final class DataScheduler {

    private final ArrayDeque<ClientStream> ready = new ArrayDeque<>();
    private final int maxDataFrame;
    private int sessionWindow = SessionOptions.DEFAULT_WINDOW;

    DataScheduler(int maxDataFrame) {
        this.maxDataFrame = maxDataFrame;
    }

    /** Queues the stream if it has something to send and is not queued yet. */
    void add(ClientStream stream) {
        if (!stream.inSendQueue && stream.wantsToSend()) {
            stream.inSendQueue = true;
            ready.add(stream);
        }
    }

    /** Adds a WINDOW_UPDATE for stream 0; false when the window would pass 2^31-1. */
    boolean growSessionWindow(int delta) {
        long grown = (long) sessionWindow + delta;
        if (grown > Integer.MAX_VALUE) {
            return false;
        }
        sessionWindow = (int) grown;
        return true;
    }

    int sessionWindow() {
        return sessionWindow;
    }

    /** Writes what may be written now and flushes; {@code finSent} hears of each stream whose FIN went out. */
    void run(ChannelHandlerContext ctx, Consumer<ClientStream> finSent) {
        boolean wrote = false;
        while (!ready.isEmpty() && ctx.channel().isWritable()) {
            ClientStream stream = ready.poll();
            stream.inSendQueue = false;
            if (!stream.wantsToSend()) {
                continue;
            }
            int allowed = Math.min(Math.min(stream.sendWindow, sessionWindow), maxDataFrame);
            if (stream.pendingBytes() > 0 && allowed <= 0) {
                if (sessionWindow <= 0) {
                    stream.inSendQueue = true;
                    ready.addFirst(stream);
                    break;
                }
                continue;
            }
            ByteBuf data = stream.pendingBytes() > 0 ? stream.takeData(allowed) : Unpooled.EMPTY_BUFFER;
            int length = data.readableBytes();
            boolean fin = stream.finRequested && stream.pendingBytes() == 0;
            DefaultSpdyDataFrame frame = new DefaultSpdyDataFrame(stream.id(), data);
            frame.setLast(fin);
            ctx.write(frame);
            wrote = true;
            stream.sendWindow -= length;
            sessionWindow -= length;
            if (length > 0) {
                stream.outbound.sent(length);
            }
            if (fin) {
                finSent.accept(stream);
            } else {
                add(stream);
            }
        }
        if (wrote) {
            ctx.flush();
        }
    }
}
