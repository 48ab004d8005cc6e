package dev.ferry.spdy.client;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Where the test peers listen: a free port on 127.0.0.1, one event loop, and on each connection TLS and Netty's
 * SPDY/3.1 frame codec. What follows the codec is the peer's own: {@code peer} adds it to each connection's pipeline.
 */
final class SpdyListener implements AutoCloseable {

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;

    SpdyListener(SslContext tls, Consumer<ChannelPipeline> peer) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline()
                                .addLast(tls.newHandler(channel.alloc()))
                                .addLast(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
                        peer.accept(channel.pipeline());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
