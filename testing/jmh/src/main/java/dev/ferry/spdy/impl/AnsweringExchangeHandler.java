package dev.ferry.spdy.impl;

import dev.ferry.jmh.SmallGet;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Stands in for the engine's exchange handler on each stream of {@link SpdyFramePath}: releases what the stream
 * delivers and, once the request is complete, answers it as the engine relays an origin's answer: {@code 200} with
 * nginx's headers and the engine's {@code Via}, and the 100-byte body in a buffer of the connection's allocator (as
 * the origin connection's read would give it), in one message. Counts the streams whose channel closed. Not a
 * benchmark itself.
 */
final class AnsweringExchangeHandler extends ChannelInboundHandlerAdapter {

    /** What every stream's handler shares: the body and the count of closed streams. */
    static final class Answers {
        private final byte[] body = SmallGet.body();
        int streamsClosed;
    }

    private final Answers answers;

    AnsweringExchangeHandler(Answers answers) {
        this.answers = answers;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        boolean last = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        if (!last) {
            return;
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                ctx.alloc().buffer(answers.body.length).writeBytes(answers.body));
        HttpHeaders headers = response.headers();
        for (String[] header : SmallGet.RESPONSE_HEADERS) {
            headers.add(header[0], header[1]);
        }
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, answers.body.length);
        headers.set(HttpHeaderNames.VIA, "1.1 ferry");
        ctx.writeAndFlush(response, ctx.voidPromise());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        answers.streamsClosed++;
        ctx.fireChannelInactive();
    }
}
