package dev.ferry.http1.impl;

import dev.ferry.api.spi.LingeringClose;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a client may take over a request. The head: once its first byte has arrived, the whole head within
 * {@code requestHeadTimeoutSeconds}, else {@code 408} and the connection closes (without it a client that trickles a
 * header byte a second keeps its connection, and the proxy's memory, as long as it likes, since every byte resets an
 * idle timer). The body: no more than {@code requestBodyTimeoutSeconds} between two pieces while the proxy reads,
 * else the connection closes (an answer could collide with a response already on its way). Two handlers share the
 * deadlines: {@link #bytes()} before the decoder sees bytes arrive, {@link #heads()} after it sees the head complete
 * and the request end. A connection waiting between requests is the idle timeout's business; while the proxy itself
 * does not read (the origin is slow, the plugins decide), the client is not held to anything.
 */
final class RequestDeadlines {

    static final String BYTES = "http1-deadline-bytes";
    static final String HEADS = "http1-deadline-messages";

    private static final Logger LOG = LoggerFactory.getLogger(RequestDeadlines.class);

    private enum State {
        /** No request is being read; the next byte starts a head. */
        BETWEEN_REQUESTS,
        /** A head has begun and its deadline runs. */
        HEAD_STARTED,
        /** The head is complete; its body (if any) is being read, each piece within the body deadline. */
        IN_REQUEST,
        /** A deadline passed: the connection is closing (after a 408, for a head). */
        EXPIRED
    }

    private static final int LINGER_SECONDS = 2;

    private final int timeoutSeconds;
    private final int bodyTimeoutSeconds;
    private State state = State.BETWEEN_REQUESTS;
    private ScheduledFuture<?> deadline;

    /**
     * @param timeoutSeconds the setting {@code requestHeadTimeoutSeconds}
     * @param bodyTimeoutSeconds the setting {@code requestBodyTimeoutSeconds}
     */
    RequestDeadlines(int timeoutSeconds, int bodyTimeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
        this.bodyTimeoutSeconds = bodyTimeoutSeconds;
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
                    if (expectsBody((HttpRequest) msg)) {
                        armBodyDeadline(ctx);
                    }
                }
                if (msg instanceof LastHttpContent) {
                    cancel();
                    state = State.BETWEEN_REQUESTS;
                } else if (msg instanceof HttpContent && state == State.IN_REQUEST) {
                    armBodyDeadline(ctx);
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    /** Whether a body follows the head (a head the decoder could not read is answered, and ends, at once). */
    private static boolean expectsBody(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            return false;
        }
        if (HttpUtil.isTransferEncodingChunked(request)) {
            return true;
        }
        try {
            return HttpUtil.getContentLength(request, 0L) > 0;
        } catch (NumberFormatException malformed) {
            return false;
        }
    }

    /** (Again) the time until the next piece of the body; {@code ctx} is the handler after the decoder. */
    private void armBodyDeadline(ChannelHandlerContext ctx) {
        cancel();
        deadline = ctx.executor().schedule(() -> bodyStalled(ctx), bodyTimeoutSeconds, TimeUnit.SECONDS);
    }

    private void bodyStalled(ChannelHandlerContext ctx) {
        deadline = null;
        if (state != State.IN_REQUEST || !ctx.channel().isActive()) {
            return;
        }
        if (!ctx.channel().config().isAutoRead()) {
            // The proxy is not reading (the origin cannot take more yet): the client is not the one stalling.
            armBodyDeadline(ctx);
            return;
        }
        state = State.EXPIRED;
        LOG.info("{}: request body stalled for {} s (requestBodyTimeoutSeconds); closing",
                ctx.channel().remoteAddress(), bodyTimeoutSeconds);
        ctx.channel().close();
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
        LingeringClose.afterAnswer(ch, LINGER_SECONDS);
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
