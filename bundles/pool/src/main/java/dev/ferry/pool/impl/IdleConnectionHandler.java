package dev.ferry.pool.impl;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Watches a pooled connection while it is idle: it leaves the pool when it times out, when the peer sends anything
 * (an idle HTTP/1.1 connection has nothing to say, so the connection is out of step) or fails. A peer's close is
 * seen by the pool itself (the channel's close future). Removed from the pipeline when the connection is reused.
 */
final class IdleConnectionHandler extends IdleStateHandler {

    static final String NAME = "ferry-pool-idle";

    /** The pool side: takes the connection out of the idle set if it is still there. */
    interface Eviction {
        /** @return whether the connection was idle (and is now out of the pool) */
        boolean evict();
    }

    private final Eviction eviction;

    IdleConnectionHandler(int idleSeconds, Eviction eviction) {
        super(0, 0, idleSeconds, TimeUnit.SECONDS);
        this.eviction = eviction;
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        // Not idle any more means a caller on another thread took it just now: it is theirs, leave it open.
        if (eviction.evict()) {
            ctx.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        eviction.evict();
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        eviction.evict();
        ctx.close();
    }
}
