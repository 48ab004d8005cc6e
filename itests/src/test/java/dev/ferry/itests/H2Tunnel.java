package dev.ferry.itests;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A CONNECT stream: the first handler of its child channel turns DATA frames into the tunnel's bytes (passed on
 * as ByteBufs) and ByteBufs written into DATA frames; END_STREAM from the proxy completes {@link #remoteEnded}
 * (with the count of tunnel bytes) and is passed on as the user event {@link #END_STREAM}.
 */
final class H2Tunnel extends ChannelDuplexHandler {
    static final Object END_STREAM = "END_STREAM";

    final CompletableFuture<Integer> status = new CompletableFuture<>();
    final CompletableFuture<Long> remoteEnded = new CompletableFuture<>();
    final AtomicLong rawBytesReceived = new AtomicLong();
    final Digest digest = new Digest();
    volatile Map<String, String> headers;
    private final H2Peer peer;
    volatile Http2StreamChannel channel;
    private volatile ChannelHandlerContext ctx;

    H2Tunnel(H2Peer peer) {
        this.peer = peer;
    }

    /** Sends {@code bytes} as one DATA frame, with END_STREAM if {@code end}. */
    void send(byte[] bytes, boolean end) {
        channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), end))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        fail(f.cause());
                    }
                });
    }

    /** END_STREAM (an empty DATA frame) behind whatever the handlers above wrote so far. */
    void end() {
        ctx.writeAndFlush(new DefaultHttp2DataFrame(true)).addListener(f -> {
            if (!f.isSuccess()) {
                fail(f.cause());
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame) {
            Http2HeadersFrame frame = (Http2HeadersFrame) msg;
            if (!status.isDone()) {
                headers = H2Peer.toMap(frame.headers());
                status.complete(Integer.parseInt(frame.headers().status().toString()));
            } else {
                peer.errorsReceived.add("HEADERS on tunnel stream " + channel.stream().id() + " after its 200: "
                        + frame.headers());
            }
            if (frame.isEndStream()) {
                ended(ctx);
            }
        } else if (msg instanceof Http2DataFrame) {
            Http2DataFrame frame = (Http2DataFrame) msg;
            boolean end = frame.isEndStream();
            ByteBuf content = frame.content().retain();
            frame.release();
            if (content.isReadable()) {
                rawBytesReceived.addAndGet(content.readableBytes());
                ctx.fireChannelRead(content);
            } else {
                content.release();
            }
            if (end) {
                ended(ctx);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void ended(ChannelHandlerContext ctx) {
        ctx.fireUserEventTriggered(END_STREAM);
        remoteEnded.complete(rawBytesReceived.get());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg instanceof ByteBuf ? new DefaultHttp2DataFrame((ByteBuf) msg, false) : msg, promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame) {
            fail(new IOException("the proxy reset the tunnel stream: "
                    + Http2Error.valueOf(((Http2ResetFrame) evt).errorCode())));
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(new IOException("the tunnel stream's channel closed"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        peer.errorsSent.add("exception on a tunnel stream: " + cause);
        fail(cause);
    }

    void fail(Throwable cause) {
        status.completeExceptionally(cause);
        remoteEnded.completeExceptionally(cause);
    }

    /** SHA-256 and count of the bytes that reach it (inbound ByteBufs, released). */
    static final class Digest extends ChannelInboundHandlerAdapter {
        private final MessageDigest sha = Patterns.sha();
        private long count;
        private volatile String hex;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                ByteBuf buf = (ByteBuf) msg;
                count += buf.readableBytes();
                for (ByteBuffer b : buf.nioBuffers()) {
                    sha.update(b);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == H2Tunnel.END_STREAM) {
                hex = HexFormat.of().formatHex(sha.digest());
            }
            ctx.fireUserEventTriggered(evt);
        }

        /** Valid once the tunnel's END_STREAM arrived. */
        String hex() {
            return hex;
        }
    }


    /**
     * An HTTP/1.1 GET over TLS inside a tunnel stream: Netty's {@link SslHandler} and {@link HttpClientCodec} on the
     * child channel behind the {@link H2Tunnel} handler. The connection stays open after the response; the client then
     * ends its TLS session (close_notify) and the stream (END_STREAM), and the origin does the same in return.
     * {@link #result} is status, length and SHA-256 of the body, complete when the proxy ended the stream too.
     */
    static final class TlsGet extends ChannelInboundHandlerAdapter {
        final CompletableFuture<String[]> result = new CompletableFuture<>();
        volatile boolean closeNotifyReceived;
        private final String authority;
        private final String path;
        private final MessageDigest sha = Patterns.sha();
        private H2Tunnel tunnel;
        private SslHandler ssl;
        private int status = -1;
        private long length;
        private boolean bodyComplete;

        TlsGet(String authority, String path) {
            this.authority = authority;
            this.path = path;
        }

        /** Adds TLS, the HTTP codec and this handler behind the tunnel's; TLS starts its handshake at once. */
        void startOn(H2Tunnel tunnel) throws Exception {
            this.tunnel = tunnel;
            SslContext tls = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .build();
            Http2StreamChannel ch = tunnel.channel;
            String host = authority.substring(0, authority.lastIndexOf(':'));
            int port = Integer.parseInt(authority.substring(authority.lastIndexOf(':') + 1));
            ch.eventLoop().submit(() -> {
                ssl = tls.newHandler(ch.alloc(), host, port);
                // TLS takes the tunnel's bytes instead of the digest.
                ch.pipeline().remove(tunnel.digest);
                ch.pipeline().addLast(ssl, new HttpClientCodec(), this);
            }).get(10, TimeUnit.SECONDS);
            tunnel.remoteEnded.whenComplete((n, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else if (!bodyComplete) {
                    result.completeExceptionally(new IOException("the tunnel ended after " + length
                            + " body bytes, before the response was complete"));
                } else {
                    result.complete(new String[] {Integer.toString(status), Long.toString(length),
                        HexFormat.of().formatHex(sha.digest())});
                }
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent) {
                SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent) evt;
                if (done.isSuccess()) {
                    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
                    request.headers().set(HttpHeaderNames.HOST, authority);
                    ctx.writeAndFlush(request);
                } else {
                    result.completeExceptionally(done.cause());
                }
            } else if (evt instanceof SslCloseCompletionEvent) {
                closeNotifyReceived = ((SslCloseCompletionEvent) evt).isSuccess();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse) {
                    status = ((HttpResponse) msg).status().code();
                }
                if (msg instanceof HttpContent) {
                    ByteBuf content = ((HttpContent) msg).content();
                    length += content.readableBytes();
                    for (ByteBuffer b : content.nioBuffers()) {
                        sha.update(b);
                    }
                }
                if (msg instanceof LastHttpContent) {
                    bodyComplete = true;
                    ssl.closeOutbound().addListener(f -> tunnel.end());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            tunnel.peer.errorsSent.add("exception in the TLS session inside a tunnel: " + cause);
            result.completeExceptionally(cause);
        }
    }

}
