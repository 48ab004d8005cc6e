package dev.ferry.pool.impl;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits behind a stage's handler (SslHandler, SOCKS ProxyHandler) while the stage runs: their failures also travel the
 * pipeline as exceptions, which the stage has already reported through its future; without this sink each failed job
 * would log Netty's "reached the tail of the pipeline" warning. Removed when the stage succeeds.
 */
@ChannelHandler.Sharable
final class StageErrorSink extends ChannelInboundHandlerAdapter {

    static final String NAME = "ferry-stage-errors";
    static final StageErrorSink INSTANCE = new StageErrorSink();

    private StageErrorSink() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Reported by the stage's future; the stage closes the channel.
    }

    static void remove(io.netty.channel.Channel ch) {
        if (ch.pipeline().get(NAME) != null) {
            ch.pipeline().remove(NAME);
        }
    }
}
