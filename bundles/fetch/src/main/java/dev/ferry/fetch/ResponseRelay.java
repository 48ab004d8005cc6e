package dev.ferry.fetch;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.util.Queue;

/**
 * The last handler on the connection, behind HttpClientCodec: passes what the codec decodes, in order, to the thread
 * that writes the output. The channel does not auto-read; that thread asks for the next read only after it has
 * written everything before a {@link ResponseEvent#READ_COMPLETE}, so at most one read's worth of body is ever held
 * in memory, and a slow stdout slows the origin down through TCP.
 *
 * <p>Runs on the channel's event loop only, so {@link #abandon} (also called there) needs no synchronisation: after
 * it, messages are released here and nothing more is queued.
 */
final class ResponseRelay extends ChannelInboundHandlerAdapter {

    private final Queue<ResponseEvent> events;
    private boolean abandoned;

    ResponseRelay(Queue<ResponseEvent> events) {
        this.events = events;
    }

    /** The reader is gone: from now on, release what arrives instead of queueing it. */
    void abandon() {
        abandoned = true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (abandoned || !(msg instanceof HttpResponse || msg instanceof HttpContent)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse) {
            events.add(ResponseEvent.head((HttpResponse) msg));
        }
        if (msg instanceof HttpContent) {
            // the event owns the buffer from here on
            events.add(ResponseEvent.content((HttpContent) msg));
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!abandoned) {
            events.add(ResponseEvent.READ_COMPLETE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!abandoned) {
            events.add(ResponseEvent.CLOSED);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!abandoned) {
            events.add(ResponseEvent.failure(cause));
        }
        ctx.close();
    }
}
