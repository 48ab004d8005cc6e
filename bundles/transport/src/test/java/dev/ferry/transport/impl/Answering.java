package dev.ferry.transport.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import java.nio.charset.StandardCharsets;

/** A listener for the listening-socket tests: it tells each client which listener (or transport) served it. */
final class Answering {

    private Answering() {
    }

    /** Answers every byte a client sends with {@code tag}. */
    static ChannelInitializer<Channel> with(String tag) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ((ByteBuf) msg).release();
                        ctx.writeAndFlush(ctx.alloc().buffer().writeBytes(tag.getBytes(StandardCharsets.US_ASCII)));
                    }
                });
            }
        };
    }
}
