package dev.ferry.http1.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The time a client gets to send a whole request head once it has sent its first byte: without it a client that
 * trickles a header byte a second keeps its connection (and the proxy's memory) as long as it likes, since every byte
 * resets an idle timer. Two handlers share one deadline: {@link #bytes()} before the decoder sees the first byte of a
 * head arrive, {@link #heads()} after it sees the head complete and the request end. When the time is up the client
 * gets {@code 408} and the connection closes. A connection waiting between requests is the idle timeout's business;
 * while the proxy itself does not read (an exchange in flight), no byte arrives and no deadline starts.
 */
final class RequestHeadDeadline {

    static final String BYTES = "http1-head-deadline-bytes";
    static final String HEADS = "http1-head-deadline-heads";

    private static final Logger LOG = LoggerFactory.getLogger(RequestHeadDeadline.class);

    private enum State {
        /** No request is being read; the next byte starts a head. */
        BETWEEN_REQUESTS,
        /** A head has begun and its deadline runs. */
        HEAD_STARTED,
        /** The head is complete; its body (if any) is being read. */
        IN_REQUEST,
        /** The deadline passed: 408 answered, the connection closing. */
        EXPIRED
    }

    private static final int LINGER_SECONDS = 2;

    private final int timeoutSeconds;
    private State state = State.BETWEEN_REQUESTS;
    private ScheduledFuture<?> deadline;

    /** @param timeoutSeconds the setting {@code requestHeadTimeoutSeconds} */
    RequestHeadDeadline(int timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
    }

    /** Goes before the decoder. */
    ChannelInboundHandlerAdapter bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (state == State.EXPIRED) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                if (state == State.BETWEEN_REQUESTS && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
                    state = State.HEAD_STARTED;
                    deadline = ctx.executor().schedule(() -> expire(ctx), timeoutSeconds, TimeUnit.SECONDS);
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                cancel();
                ctx.fireChannelInactive();
            }

            @Override
            public void handlerRemoved(ChannelHandlerContext ctx) {
                cancel();
            }
        };
    }

    /** Goes after the decoder. */
    ChannelInboundHandlerAdapter heads() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (state == State.EXPIRED) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                if (msg instanceof HttpRequest) {
                    cancel();
                    state = State.IN_REQUEST;
                }
                if (msg instanceof LastHttpContent) {
                    state = State.BETWEEN_REQUESTS;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /** Runs on the connection's loop; {@code bytesCtx} is the handler before the decoder. */
    private void expire(ChannelHandlerContext bytesCtx) {
        if (state != State.HEAD_STARTED) {
            return;
        }
        state = State.EXPIRED;
        deadline = null;
        String details = "request head not complete within " + timeoutSeconds + " s (requestHeadTimeoutSeconds)";
        LOG.info("{}: {}; answered 408, closing", bytesCtx.channel().remoteAddress(), details);
        ChannelHandlerContext heads = bytesCtx.pipeline().context(HEADS);
        ChannelHandlerContext writer = heads != null ? heads : bytesCtx;
        writer.writeAndFlush(timeout(details)).addListener(f -> closeAfterAnswer(bytesCtx.channel()));
    }

    /**
     * Closing at once, with the client still sending, would reset the connection and could take the 408 with it. So
     * the proxy stops sending (FIN), drops what still comes (state EXPIRED), and closes when the client does or
     * {@value #LINGER_SECONDS} s later.
     */
    private static void closeAfterAnswer(Channel ch) {
        if (!(ch instanceof SocketChannel) || !ch.isActive()) {
            ch.close();
            return;
        }
        ((SocketChannel) ch).shutdownOutput();
        ch.config().setAutoRead(true);
        ch.eventLoop().schedule(() -> ch.close(), LINGER_SECONDS, TimeUnit.SECONDS);
    }

    private static FullHttpResponse timeout(String details) {
        byte[] body = ("408 Request Timeout: " + details + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set("Proxy-Status", "ferry; error=http_request_error; details=\"" + details + "\"");
        return response;
    }
}
