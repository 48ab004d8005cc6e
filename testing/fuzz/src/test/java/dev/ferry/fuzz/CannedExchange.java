package dev.ferry.fuzz;

import dev.ferry.api.codec.ServerCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.ToIntFunction;

/**
 * What the proxy's exchange handler does with a stream, in a few canned ways: answer as soon as the request head is
 * there, answer when the request is complete, never read (the stream's data waits within its window), or close the
 * stream mid-request (a cancel). A CONNECT answered 200 becomes a tunnel that echoes what it receives. For the stream
 * channels of every multiplexing codec (SPDY, HTTP/2).
 */
public final class CannedExchange extends ChannelInboundHandlerAdapter {

    public enum Behaviour { ANSWER_AT_ONCE, ANSWER_AT_END, STALL, CLOSE }

    private final Behaviour behaviour;
    private final ServerCodec codec;
    private final ToIntFunction<Channel> streamIdOf;
    private boolean tunnel;
    private boolean answered;
    /** The stream this handler serves, and whether it answered or closed it (then the client must hear of it). */
    public int streamId;
    public boolean owesClientNews;

    public CannedExchange(Behaviour behaviour, ServerCodec codec, ToIntFunction<Channel> streamIdOf) {
        this.behaviour = behaviour;
        this.codec = codec;
        this.streamIdOf = streamIdOf;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        streamId = streamIdOf.applyAsInt(ctx.channel());
        ctx.channel().config().setAutoRead(behaviour != Behaviour.STALL);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (tunnel && msg instanceof ByteBuf) {
            ctx.writeAndFlush(msg);
            return;
        }
        boolean request = msg instanceof HttpRequest;
        boolean connect = request && HttpMethod.CONNECT.equals(((HttpRequest) msg).method());
        boolean last = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        if (behaviour == Behaviour.CLOSE) {
            owesClientNews = true;
            ctx.close();
        } else if (connect && behaviour == Behaviour.ANSWER_AT_ONCE) {
            tunnel = true;
            codec.tunnelRequested(ctx.pipeline());
            answered = true;
            owesClientNews = true;
            ctx.writeAndFlush(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        } else if (!answered && ((request && behaviour == Behaviour.ANSWER_AT_ONCE) || last)) {
            answered = true;
            owesClientNews = true;
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.OK, Unpooled.wrappedBuffer(new byte[3000]));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 3000);
            ctx.writeAndFlush(response);
        }
    }
}
