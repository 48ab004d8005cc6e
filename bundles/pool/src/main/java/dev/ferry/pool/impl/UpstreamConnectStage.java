package dev.ferry.pool.impl;

import dev.ferry.api.spi.PoolKey;
import dev.ferry.api.spi.UpstreamException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The CONNECT stage of a connect job through an HTTP upstream proxy: send {@code CONNECT host:port}, expect a 2xx with
 * nothing after it, then leave the pipeline so that the connection carries raw bytes.
 */
final class UpstreamConnectStage extends ChannelInboundHandlerAdapter {

    private static final String CODEC = "upstream-connect-codec";

    private final PoolKey key;
    private final Promise<Channel> done;
    private ScheduledFuture<?> timeout;
    private HttpResponse response;

    private UpstreamConnectStage(PoolKey key, Promise<Channel> done) {
        this.key = key;
        this.done = done;
    }

    static void start(Channel ch, PoolKey key, int timeoutMillis, Promise<Channel> done) {
        UpstreamConnectStage stage = new UpstreamConnectStage(key, done);
        ch.pipeline().addLast(CODEC, new HttpClientCodec());
        ch.pipeline().addLast(stage);
        stage.timeout = ch.eventLoop().schedule(() -> stage.fail(ch, new UpstreamException(
                "upstream " + key.proxy() + " did not answer CONNECT " + key.destination() + " within "
                        + timeoutMillis + " ms", 0, null)), timeoutMillis, TimeUnit.MILLISECONDS);
        String authority = key.destination().toString();
        FullHttpRequest connect = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, authority);
        connect.headers().set(HttpHeaderNames.HOST, authority);
        connect.headers().set("Proxy-Connection", "keep-alive");
        ch.writeAndFlush(connect).addListener(f -> {
            if (!f.isSuccess()) {
                stage.fail(ch, f.cause());
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse) {
                response = (HttpResponse) msg;
                if (response.decoderResult().isFailure()) {
                    fail(ctx.channel(), new UpstreamException("upstream " + key.proxy() + " sent a malformed CONNECT "
                            + "response: " + response.decoderResult().cause(), 0, response.decoderResult().cause()));
                    return;
                }
                if (response.status().codeClass() != io.netty.handler.codec.http.HttpStatusClass.SUCCESS) {
                    fail(ctx.channel(), new UpstreamException("upstream " + key.proxy() + " refused CONNECT "
                            + key.destination() + ": " + response.status(), response.status().code(), null));
                    return;
                }
            }
            if (msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
                // A 2xx to CONNECT has no body: bytes here came before the tunnel was ours to use.
                fail(ctx.channel(), new UpstreamException("upstream " + key.proxy() + " sent "
                        + ((ByteBuf) msg).readableBytes() + " bytes after its CONNECT response", 0, null));
                return;
            }
            if (msg instanceof LastHttpContent && response != null && !done.isDone()) {
                timeout.cancel(false);
                ctx.pipeline().remove(this);
                ctx.pipeline().remove(CODEC);
                if (!done.trySuccess(ctx.channel())) {
                    ctx.close();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx.channel(), new UpstreamException("upstream " + key.proxy() + " closed the connection during "
                + "CONNECT " + key.destination(), 0, null));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx.channel(), cause);
    }

    private void fail(Channel ch, Throwable cause) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (done.tryFailure(cause)) {
            ch.close();
        }
    }
}
