package dev.ferry.transport.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of a listening socket moved in from another transport (a bundle update): each connection it accepts is
 * set up by {@code childInitializer} and registered on this transport's event loops, as a socket bound here would do.
 */
final class SocketAcceptor extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(SocketAcceptor.class);

    private final EventLoopGroup loops;
    private final ChannelHandler childInitializer;
    private final AcceptPause acceptPause;

    SocketAcceptor(EventLoopGroup loops, ChannelHandler childInitializer, AcceptPause acceptPause) {
        this.loops = loops;
        this.childInitializer = childInitializer;
        this.acceptPause = acceptPause;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        try {
            child.pipeline().addLast(childInitializer);
            loops.register(child).addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    LOG.warn("Accepted connection {} could not be registered: {}", child, String.valueOf(f.cause()));
                    child.unsafe().closeForcibly();
                }
            });
        } catch (Throwable t) {
            LOG.warn("Accepted connection {} could not be set up: {}", child, String.valueOf(t));
            child.unsafe().closeForcibly();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        acceptPause.pause(ctx.channel(), cause);
    }
}
