package dev.ferry.itests;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** One TLS connection to Ferry with Netty's HTTP/2 client stack, plus a recorder of the frames around it. */
final class H2Peer implements AutoCloseable {

    /** The client's receive window per stream and for the connection (as browsers give: wide). */
    static final int STREAM_WINDOW = 1 << 20;
    static final int CONNECTION_WINDOW = 16 << 20;

    final NioEventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("netty-h2-peer", true));
    final Channel channel;
    final String protocol;
    final CompletableFuture<Http2Settings> settings = new CompletableFuture<>();
    final List<String> errorsSent = Collections.synchronizedList(new ArrayList<>());
    final List<String> errorsReceived = Collections.synchronizedList(new ArrayList<>());
    private final Map<Integer, AtomicLong> dataReceived = new ConcurrentHashMap<>();
    private volatile boolean closing;

    H2Peer(int port) throws Exception {
        SslContext tls = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2))
                .build();
        CompletableFuture<String> negotiated = new CompletableFuture<>();
        channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc(), "127.0.0.1", port));
                        ch.pipeline().addLast(new ApplicationProtocolNegotiationHandler("(none)") {
                            @Override
                            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                                    startHttp2(ctx.pipeline().channel());
                                }
                                negotiated.complete(protocol);
                            }

                            @Override
                            protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                                negotiated.completeExceptionally(cause);
                                ctx.close();
                            }
                        });
                    }
                })
                .connect("127.0.0.1", port).sync().channel();
        try {
            negotiated.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw new IOException("TLS handshake with the proxy failed", e);
        }
        protocol = channel.pipeline().get(SslHandler.class).applicationProtocol();
        if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            close();
            throw new AssertionError("ALPN selected " + protocol + ", not h2");
        }
    }

    private void startHttp2(Channel ch) {
        Http2Settings initial = Http2Settings.defaultSettings().initialWindowSize(STREAM_WINDOW).pushEnabled(false);
        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                .initialSettings(initial)
                .frameLogger(new Recorder())
                .build());
        ch.pipeline().addLast(new Http2MultiplexHandler(new NoPushes()));
        // Connection-level frames (SETTINGS, its ack, PING, GOAWAY) end here; the recorder has seen them.
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
            }
        });
        // Without a stream, a WINDOW_UPDATE is for the connection: 64 KiB - 1 is raised to CONNECTION_WINDOW.
        ch.writeAndFlush(new DefaultHttp2WindowUpdateFrame(
                CONNECTION_WINDOW - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
    }

    Request get(String absoluteUrl) throws Exception {
        return send("GET", absoluteUrl, null, false, true);
    }

    /**
     * Opens a stream with the request as HTTP/2 has it: {@code :method}, {@code :scheme}, {@code :authority},
     * {@code :path} of the absolute URL; a body as one DATA frame with END_STREAM (Netty's encoder splits it to
     * the frame size and the proxy's windows), with or without content-length. With {@code autoRead} false the
     * stream's channel reads nothing (so its window is not replenished) until its auto-read is switched on.
     */
    Request send(String method, String absoluteUrl, byte[] body, boolean contentLength, boolean autoRead)
            throws Exception {
        URI uri = URI.create(absoluteUrl);
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        Http2Headers headers = new DefaultHttp2Headers()
                .method(method)
                .scheme(uri.getScheme())
                .authority(uri.getRawAuthority())
                .path(path);
        if (body != null && contentLength) {
            headers.setInt("content-length", body.length);
        }
        Collector collector = new Collector();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel)
                .option(ChannelOption.AUTO_READ, autoRead)
                .handler(collector)
                .open().get(10, TimeUnit.SECONDS);
        CompletableFuture<Integer> id = new CompletableFuture<>();
        stream.write(new DefaultHttp2HeadersFrame(headers, body == null)).addListener(f -> {
            if (f.isSuccess()) {
                id.complete(stream.stream().id());
            } else {
                id.completeExceptionally(f.cause());
                collector.answer.completeExceptionally(f.cause());
            }
        });
        if (body != null) {
            stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true)).addListener(f -> {
                if (!f.isSuccess()) {
                    collector.answer.completeExceptionally(f.cause());
                }
            });
        }
        stream.flush();
        return new Request(stream, id, collector.answer);
    }

    /** Opens a stream with {@code :method CONNECT} and {@code :authority} (nothing else) and its HEADERS only. */
    H2Tunnel connect(String authority) throws Exception {
        H2Tunnel tunnel = new H2Tunnel(this);
        return open(tunnel, new DefaultHttp2Headers().method("CONNECT").authority(authority), tunnel.digest);
    }

    /**
     * Opens a stream with {@code headers} (no END_STREAM) whose DATA the {@link H2Tunnel} turns into bytes for
     * {@code above}, the handlers behind it.
     */
    H2Tunnel open(H2Tunnel tunnel, Http2Headers headers, ChannelHandler... above) throws Exception {
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline().addLast(tunnel);
                        ch.pipeline().addLast(above);
                    }
                })
                .open().get(10, TimeUnit.SECONDS);
        tunnel.channel = stream;
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false)).addListener(f -> {
            if (!f.isSuccess()) {
                tunnel.fail(f.cause());
            }
        });
        return tunnel;
    }

    /** DATA payload bytes (with padding) received on {@code streamId}, counted as they come off the wire. */
    long dataBytesReceived(int streamId) {
        AtomicLong n = dataReceived.get(streamId);
        return n == null ? 0 : n.get();
    }

    List<String> errorsSent() {
        synchronized (errorsSent) {
            return new ArrayList<>(errorsSent);
        }
    }

    List<String> errorsReceived() {
        synchronized (errorsReceived) {
            return new ArrayList<>(errorsReceived);
        }
    }

    @Override
    public void close() {
        closing = true;
        channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    static Map<String, String> toMap(Http2Headers headers) {
        Map<String, String> map = new HashMap<>();
        headers.forEach(e -> map.merge(e.getKey().toString().toLowerCase(), e.getValue().toString(),
                (a, b) -> a + ", " + b));
        return map;
    }

    /** Sees every frame at the codec, both ways, as it is read or written. */
    private final class Recorder extends Http2FrameLogger {

        Recorder() {
            super(LogLevel.TRACE, "netty-h2-peer");
        }

        @Override
        public void logSettings(Direction direction, ChannelHandlerContext ctx, Http2Settings s) {
            if (direction == Direction.INBOUND) {
                settings.complete(new Http2Settings().copyFrom(s));
            }
        }

        @Override
        public void logData(Direction direction, ChannelHandlerContext ctx, int streamId, ByteBuf data,
                int padding, boolean endStream) {
            if (direction == Direction.INBOUND) {
                dataReceived.computeIfAbsent(streamId, k -> new AtomicLong())
                        .addAndGet(data.readableBytes() + padding);
            }
        }

        @Override
        public void logRstStream(Direction direction, ChannelHandlerContext ctx, int streamId, long errorCode) {
            String rst = "RST_STREAM stream " + streamId + " " + name(errorCode);
            (direction == Direction.INBOUND ? errorsReceived : errorsSent).add(rst);
        }

        @Override
        public void logGoAway(Direction direction, ChannelHandlerContext ctx, int lastStreamId, long errorCode,
                ByteBuf debugData) {
            String goAway = "GOAWAY last stream " + lastStreamId + " " + name(errorCode) + " "
                    + debugData.toString(StandardCharsets.UTF_8);
            if (direction == Direction.INBOUND) {
                if (!closing) {
                    errorsReceived.add(goAway);
                }
            } else if (errorCode != Http2Error.NO_ERROR.code()) {
                errorsSent.add(goAway);
            }
        }

        private String name(long errorCode) {
            Http2Error error = Http2Error.valueOf(errorCode);
            return error == null ? "error " + errorCode : error.name();
        }
    }

    /** Push is off (SETTINGS_ENABLE_PUSH 0): a stream the proxy opens is an error. */
    @ChannelHandler.Sharable
    private final class NoPushes extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            errorsReceived.add("the proxy opened stream " + ((Http2StreamChannel) ctx.channel()).stream().id());
        }
    }

    /** A request stream's response: head, body digest, trailers, complete at END_STREAM. */
    private final class Collector extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Answer> answer = new CompletableFuture<>();
        private final MessageDigest sha = Patterns.sha();
        private final ByteArrayOutputStream start = new ByteArrayOutputStream();
        private Map<String, String> head;
        private int status = -1;
        private long length;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            try {
                if (msg instanceof Http2HeadersFrame) {
                    Http2HeadersFrame frame = (Http2HeadersFrame) msg;
                    if (head == null) {
                        int code = Integer.parseInt(frame.headers().status().toString());
                        if (code >= 200) {
                            status = code;
                            head = toMap(frame.headers());
                        }
                    }
                    if (frame.isEndStream()) {
                        finish(ctx);
                    }
                } else if (msg instanceof Http2DataFrame) {
                    Http2DataFrame frame = (Http2DataFrame) msg;
                    ByteBuf content = frame.content();
                    if (head == null) {
                        answer.completeExceptionally(new IOException("DATA before a final response head"));
                    }
                    length += content.readableBytes();
                    for (ByteBuffer b : content.nioBuffers()) {
                        sha.update(b);
                    }
                    int keep = Math.min(content.readableBytes(), 4096 - start.size());
                    if (keep > 0) {
                        content.getBytes(content.readerIndex(), start, keep);
                    }
                    if (frame.isEndStream()) {
                        finish(ctx);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void finish(ChannelHandlerContext ctx) {
            if (head == null) {
                answer.completeExceptionally(new IOException("END_STREAM without a final response head"));
                return;
            }
            answer.complete(new Answer(((Http2StreamChannel) ctx.channel()).stream().id(), status, head, length,
                    HexFormat.of().formatHex(sha.digest()),
                    length <= 4096 ? start.toString(StandardCharsets.UTF_8) : null));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame) {
                answer.completeExceptionally(new IOException("the proxy reset stream "
                        + ((Http2StreamChannel) ctx.channel()).stream().id() + ": "
                        + Http2Error.valueOf(((Http2ResetFrame) evt).errorCode())));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            answer.completeExceptionally(new IOException("stream channel closed before the response ended"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errorsSent.add("exception on stream " + ((Http2StreamChannel) ctx.channel()).stream().id() + ": "
                    + cause);
            answer.completeExceptionally(cause);
        }
    }

    /** A response as the test keeps it: no buffers, so nothing to release. */
    static final class Answer {
        final int streamId;
        final int status;
        final Map<String, String> headers;
        final long length;
        final String sha256;
        /** The body as text when it is at most 4096 bytes. */
        final String text;

        Answer(int streamId, int status, Map<String, String> headers, long length, String sha256, String text) {
            this.streamId = streamId;
            this.status = status;
            this.headers = headers;
            this.length = length;
            this.sha256 = sha256;
            this.text = text;
        }

        String header(String name) {
            return headers.get(name);
        }
    }


    /** A request stream: its child channel, its id once its HEADERS went out, and its answer. */
    static final class Request {
        final Http2StreamChannel channel;
        final CompletableFuture<Integer> streamId;
        final CompletableFuture<Answer> answer;

        Request(Http2StreamChannel channel, CompletableFuture<Integer> streamId, CompletableFuture<Answer> answer) {
            this.channel = channel;
            this.streamId = streamId;
            this.answer = answer;
        }
    }

}
