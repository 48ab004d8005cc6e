package dev.ferry.pool.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/**
 * Watches a pooled connection while it is idle: it leaves the pool when it times out, when the peer closes it, or
 * when the peer sends anything (an idle HTTP/1.1 connection has nothing to say).
 */
final class IdleConnectionHandler extends IdleStateHandler {

    private final Deque<Channel> pool;

    IdleConnectionHandler(int idleSeconds, Deque<Channel> pool) {
        super(0, 0, idleSeconds, TimeUnit.SECONDS);
        this.pool = pool;
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        evict(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        evict(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        pool.remove(ctx.channel());
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        evict(ctx);
    }

    private void evict(ChannelHandlerContext ctx) {
        pool.remove(ctx.channel());
        ctx.close();
    }
}
