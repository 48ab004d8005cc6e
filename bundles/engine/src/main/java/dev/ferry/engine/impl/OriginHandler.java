package dev.ferry.engine.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * The origin side of one forwarded exchange, on the origin connection's pipeline while the exchange lasts: it hands
 * the response to the {@link ExchangeHandler} and reports the connection's writability and failures.
 */
final class OriginHandler extends ChannelInboundHandlerAdapter {

    static final String NAME = "origin-exchange";

    private final ExchangeHandler exchange;
    private final Channel channel;

    OriginHandler(ExchangeHandler exchange, Channel channel) {
        this.exchange = exchange;
        this.channel = channel;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse) {
            exchange.onResponseHead(channel, (HttpResponse) msg);
        }
        if (msg instanceof HttpContent) {
            exchange.onResponseBody(channel, (HttpContent) msg);
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        exchange.flushToClient();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            exchange.originWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        exchange.originFailed(channel, null);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        exchange.originFailed(channel, cause);
    }
}
