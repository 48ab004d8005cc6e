package dev.ferry.transport.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of a listening socket moved in from another transport (a bundle update): each connection it accepts is
 * set up by {@code childInitializer} and registered on this transport's event loops, as a socket bound here would do.
 */
final class SocketAcceptor extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(SocketAcceptor.class);
    /** After an accept error (typically out of file descriptors), the socket pauses so as not to spin on it. */
    private static final long ACCEPT_PAUSE_MILLIS = 1000;

    private final EventLoopGroup loops;
    private final ChannelHandler childInitializer;

    SocketAcceptor(EventLoopGroup loops, ChannelHandler childInitializer) {
        this.loops = loops;
        this.childInitializer = childInitializer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        try {
            child.config().setOption(ChannelOption.TCP_NODELAY, true);
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
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead()) {
            LOG.warn("Listening socket {} cannot accept ({}); pausing {} ms", ctx.channel().localAddress(),
                    String.valueOf(cause), ACCEPT_PAUSE_MILLIS);
            config.setAutoRead(false);
            ctx.channel().eventLoop().schedule(() -> config.setAutoRead(true), ACCEPT_PAUSE_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
    }
}
