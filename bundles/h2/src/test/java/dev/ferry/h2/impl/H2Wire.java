package dev.ferry.h2.impl;

import dev.ferry.api.codec.ServerCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP/2 connection in memory: the codec's server pipeline on one embedded channel, Netty's own HTTP/2 client
 * (frame codec and multiplex handler, an independent peer) on another, and the bytes between them moved by
 * {@link #pump()}. Each server stream is served by a {@link Exchange} that answers what it read.
 */
final class H2Wire implements AutoCloseable {

    final EmbeddedChannel server = new EmbeddedChannel();
    final EmbeddedChannel client;
    final List<Exchange> exchanges = new ArrayList<>();
    /** What Netty's client found wrong with the proxy's side. */
    final List<String> clientErrors = new ArrayList<>();
    /** The GOAWAYs the client received: error code and last stream id. */
    final List<long[]> goAways = new ArrayList<>();
    /** The size of the answer to a request for {@code /big}. */
    static final int BIG = 1_000_000;
    /** Makes the next exchanges stop reading after the request head. */
    boolean stallAfterHead;

    H2Wire(ServerCodec codec) {
        codec.configure(server.pipeline(), () -> new Exchange(codec, stallAfterHead));

        client = new EmbeddedChannel(Http2FrameCodecBuilder.forClient().build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof Http2GoAwayFrame) {
                            Http2GoAwayFrame goAway = (Http2GoAwayFrame) msg;
                            goAways.add(new long[] {goAway.errorCode(), goAway.lastStreamId()});
                        }
                        ReferenceCountUtil.release(msg);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        clientErrors.add(cause.toString());
                    }
                });
        // As browsers do: a connection window wider than one stream's, so that one stream not reading leaves room
        // for the others (a client's connection window is its own to give; the proxy cannot help a client that
        // stalls its whole connection).
        client.writeAndFlush(new DefaultHttp2WindowUpdateFrame(1 << 20));
        pump();
    }

    /** Moves bytes both ways until neither side has more to say. */
    void pump() {
        for (int round = 0; round < 10_000; round++) {
            client.runPendingTasks();
            server.runPendingTasks();
            boolean moved = false;
            for (Object msg; (msg = client.readOutbound()) != null;) {
                server.writeInbound(msg);
                moved = true;
            }
            for (Object msg; (msg = server.readOutbound()) != null;) {
                client.writeInbound(msg);
                moved = true;
            }
            if (!moved && !client.hasPendingTasks() && !server.hasPendingTasks()) {
                return;
            }
        }
        throw new AssertionError("the two sides never went quiet");
    }

    /** A client stream whose frames are recorded by {@code recorder}. */
    Http2StreamChannel open(ClientStream recorder) {
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(client).handler(recorder).open()
                .syncUninterruptibly().getNow();
        recorder.channel = stream;
        return stream;
    }

    @Override
    public void close() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    /** What the client saw on one stream. */
    static final class ClientStream extends ChannelInboundHandlerAdapter {
        final List<Http2Headers> headers = new ArrayList<>();
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        Http2StreamChannel channel;
        boolean ended;
        long resetCode = -1;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame) {
                headers.add(((Http2HeadersFrame) msg).headers());
                ended |= ((Http2HeadersFrame) msg).isEndStream();
            } else if (msg instanceof Http2DataFrame) {
                ByteBuf content = ((Http2DataFrame) msg).content();
                data.writeBytes(ByteBufUtil.getBytes(content));
                ended |= ((Http2DataFrame) msg).isEndStream();
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            // Netty's multiplex handler passes RST_STREAM as an event: it is not flow-controlled.
            if (evt instanceof Http2ResetFrame) {
                resetCode = ((Http2ResetFrame) evt).errorCode();
            }
            ReferenceCountUtil.release(evt);
        }

        String text() {
            return data.toString(StandardCharsets.UTF_8);
        }

        String status() {
            return headers.isEmpty() ? null : headers.get(0).status().toString();
        }
    }

    /**
     * Stands in for the engine's exchange handler: answers a request with what it saw of it, echoes a tunnel (and
     * ends its side when the client ends its own).
     */
    final class Exchange extends ChannelInboundHandlerAdapter {
        final ServerCodec codec;
        final boolean stall;
        ChannelHandlerContext ctx;
        HttpRequest request;
        long bodyBytes;
        String trailer;
        /** Bytes of the answer to {@code /big} handed to the channel (one more once its end is). */
        int bigSent;

        Exchange(ServerCodec codec, boolean stall) {
            this.codec = codec;
            this.stall = stall;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            exchanges.add(this);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                request = (HttpRequest) msg;
                if (request.headers().contains(HttpHeaderNames.UPGRADE)) {
                    // As the engine does when the origin switches: the 101 through the codec, then a tunnel.
                    codec.tunnelRequested(ctx.pipeline());
                    ctx.writeAndFlush(switchAnswer(request));
                    codec.tunnelEstablished(ctx.pipeline());
                } else if (HttpMethod.CONNECT.equals(request.method())) {
                    codec.tunnelRequested(ctx.pipeline());
                    FullHttpResponse established = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                            HttpResponseStatus.OK);
                    established.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                    ctx.writeAndFlush(established);
                    codec.tunnelEstablished(ctx.pipeline());
                } else if (stall) {
                    ctx.channel().config().setAutoRead(false);
                }
            } else if (msg instanceof ByteBuf) {
                if (((ByteBuf) msg).toString(StandardCharsets.UTF_8).equals("fail")) {
                    // As the relay does when the tunnel's other connection is reset.
                    ((ByteBuf) msg).release();
                    ctx.close();
                    return;
                }
                ctx.writeAndFlush(msg);
                return;
            }
            if (msg instanceof HttpContent) {
                bodyBytes += ((HttpContent) msg).content().readableBytes();
            }
            if (msg instanceof LastHttpContent && request.headers().contains(HttpHeaderNames.UPGRADE)) {
                // The end of an extended CONNECT's request: the origin has answered already.
            } else if (msg instanceof LastHttpContent) {
                trailer = ((LastHttpContent) msg).trailingHeaders().get("x-checksum");
                answer();
            }
            ReferenceCountUtil.release(msg);
        }

        private void answer() {
            if (request.uri().endsWith("/big")) {
                ctx.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
                sendBig();
                return;
            }
            String text = request.method() + " " + request.uri() + " host=" + request.headers().get("host")
                    + " chunked=" + HttpUtil.isTransferEncodingChunked(request) + " cookie="
                    + request.headers().get("cookie") + " body=" + bodyBytes + " trailer=" + trailer;
            respond(text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * What an origin answers a WebSocket upgrade: {@code /ws} switches with the right accept, {@code /ws-bad}
         * with a wrong one, {@code /ws-no} does not switch (200).
         */
        private FullHttpResponse switchAnswer(HttpRequest request) {
            if (request.uri().endsWith("/ws-no")) {
                return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            }
            FullHttpResponse switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.SWITCHING_PROTOCOLS);
            String key = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
            String accept;
            try {
                accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1").digest(
                        (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
            switching.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "upgrade")
                    .set(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, request.uri().endsWith("/ws-bad") ? "x" + accept
                            : accept)
                    .set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "chat");
            return switching;
        }

        /** As a relay from an origin does: a chunk at a time, while the channel is writable. */
        private void sendBig() {
            while (bigSent < BIG && ctx.channel().isWritable()) {
                int n = Math.min(16_384, BIG - bigSent);
                bigSent += n;
                ctx.write(new DefaultHttpContent(ctx.alloc().buffer(n).writeZero(n)));
            }
            if (bigSent == BIG) {
                bigSent++;
                ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && bigSent > 0 && bigSent < BIG) {
                sendBig();
            }
        }

        void respond(byte[] body) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    ctx.alloc().buffer(body.length).writeBytes(body));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, "keep-alive");
            ctx.writeAndFlush(response);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ((DuplexChannel) ctx.channel()).shutdownOutput();
            }
        }
    }
}
