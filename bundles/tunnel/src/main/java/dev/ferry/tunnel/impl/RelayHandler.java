package dev.ferry.tunnel.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One direction of a tunnel: what its channel reads goes to the {@code target}. It stops reading while the target is
 * not writable, and resumes its partner's reading when its own channel drains.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(RelayHandler.class);

    private final Channel target;
    private RelayHandler partner;
    private Channel source;
    private long bytes;
    private boolean inputDone;

    RelayHandler(Channel target) {
        this.target = target;
    }

    void pair(RelayHandler partner) {
        this.partner = partner;
    }

    long bytesRelayed() {
        return bytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        source = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            LOG.warn("Tunnel {} got a {} where bytes belong; closing", ctx.channel(), msg.getClass().getName());
            closeBoth();
            return;
        }
        bytes += ((ByteBuf) msg).readableBytes();
        target.write(msg, target.voidPromise());
        if (!target.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        target.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && partner.source != null && !partner.inputDone) {
            partner.source.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputDone = true;
            halfCloseTarget();
        } else if (evt instanceof IdleStateEvent) {
            LOG.debug("Tunnel {} idle; closing", ctx.channel());
            closeBoth();
        }
        ReferenceCountUtil.release(evt);
    }

    /** The source sent its last byte: once the target has all of it, end the target's output too. */
    private void halfCloseTarget() {
        target.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (partner.inputDone) {
                closeBoth();
            } else if (target instanceof DuplexChannel && f.isSuccess()) {
                ((DuplexChannel) target).shutdownOutput();
            } else {
                target.close();
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // Deliver what the target still has queued, then close it.
        target.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("Tunnel {} failed: {}", ctx.channel(), cause.toString());
        closeBoth();
    }

    private void closeBoth() {
        source.close();
        target.close();
    }
}
