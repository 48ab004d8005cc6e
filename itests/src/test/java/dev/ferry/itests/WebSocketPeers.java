package dev.ferry.itests;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.proxy.HttpProxyHandler;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Both ends of a WebSocket (RFC 6455), on Netty's WebSocket codec as independent peers: an echo origin on 127.0.0.1
 * (path {@code /ws}, every text message sent back), and a client that reaches it through a proxy, either with an
 * absolute-form {@code GET} carrying the Upgrade or inside a CONNECT tunnel.
 */
final class WebSocketPeers implements Closeable {

    static final int MAX_MESSAGE = 1 << 20;

    private final EventLoopGroup loops = new NioEventLoopGroup(1);
    private final Channel origin;

    WebSocketPeers() throws InterruptedException {
        origin = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/ws", null, false, MAX_MESSAGE),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame msg) {
                                        ctx.writeAndFlush(new TextWebSocketFrame(msg.text()));
                                    }
                                });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int originPort() {
        return ((InetSocketAddress) origin.localAddress()).getPort();
    }

    /** A connected client, its handshake done, the messages it receives queued. */
    static final class Client implements Closeable {
        final Channel channel;
        private final BlockingQueue<String> received;

        Client(Channel channel, BlockingQueue<String> received) {
            this.channel = channel;
            this.received = received;
        }

        void send(String text) {
            channel.writeAndFlush(new TextWebSocketFrame(text));
        }

        String next() throws InterruptedException {
            return received.poll(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /**
     * A client of {@code ws://127.0.0.1:<origin>/ws} through the proxy at {@code proxyPort}: with {@code connect},
     * inside a CONNECT tunnel (as browsers do); without, as an absolute-form GET with the Upgrade to the proxy.
     */
    Client connect(int proxyPort, boolean connect) throws Exception {
        URI uri = URI.create("ws://127.0.0.1:" + originPort() + "/ws");
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri,
                WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), MAX_MESSAGE, true, false, -1, !connect);
        CompletableFuture<Void> handshake = new CompletableFuture<>();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        InetSocketAddress proxy = new InetSocketAddress("127.0.0.1", proxyPort);
        Channel ch = new Bootstrap().group(loops).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connect) {
                            ch.pipeline().addLast(new HttpProxyHandler(proxy));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                                new WebSocketClientProtocolHandler(handshaker, true),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame msg) {
                                        received.add(msg.text());
                                    }

                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                        if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent
                                                .HANDSHAKE_COMPLETE) {
                                            handshake.complete(null);
                                        }
                                        ctx.fireUserEventTriggered(evt);
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        handshake.completeExceptionally(cause);
                                        ctx.close();
                                    }
                                });
                    }
                }).connect(connect ? new InetSocketAddress("127.0.0.1", originPort()) : proxy).sync().channel();
        ch.closeFuture().addListener(f -> handshake.completeExceptionally(new IllegalStateException(
                "closed before the WebSocket handshake completed")));
        handshake.get(10, TimeUnit.SECONDS);
        return new Client(ch, received);
    }

    /**
     * A client of {@code ws://127.0.0.1:<origin>/ws} on a stream of {@code peer}'s HTTP/2 connection to the proxy,
     * opened with an extended CONNECT (RFC 8441: {@code :protocol websocket}); once the proxy answers 200 the stream's
     * DATA carries the WebSocket frames (Netty's frame encoder, masking as a client must, and decoder).
     */
    Client overHttp2(H2Peer peer) throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        Http2Headers headers = new DefaultHttp2Headers().method("CONNECT").scheme("http")
                .authority("127.0.0.1:" + originPort()).path("/ws").add("sec-websocket-version", "13");
        headers.set(Http2Headers.PseudoHeaderName.PROTOCOL.value(), "websocket");
        H2Tunnel stream = peer.open(new H2Tunnel(peer), headers,
                new WebSocket13FrameEncoder(true), new WebSocket13FrameDecoder(false, false, MAX_MESSAGE),
                new WebSocketFrameAggregator(MAX_MESSAGE),
                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame msg) {
                        received.add(msg.text());
                    }
                });
        int status = stream.status.get(10, TimeUnit.SECONDS);
        if (status != 200) {
            throw new IllegalStateException("extended CONNECT answered " + status + " " + stream.headers);
        }
        return new Client(stream.channel, received);
    }

    @Override
    public void close() {
        origin.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
