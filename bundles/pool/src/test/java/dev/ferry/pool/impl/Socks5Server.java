package dev.ferry.pool.impl;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A SOCKS5 server on 127.0.0.1 built from Netty's codec-socks server classes: no authentication, CONNECT relayed to
 * 127.0.0.1 on the requested port (whatever the requested host), or refused, or never answered.
 */
final class Socks5Server implements Closeable {

    enum Mode { RELAY, REFUSE, SILENT }

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    private final Mode mode;
    /** Address type and host of every CONNECT request, e.g. "DOMAIN localhost". */
    final List<String> requests = new CopyOnWriteArrayList<>();

    Socks5Server(Mode mode) throws InterruptedException {
        this.mode = mode;
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (mode != Mode.SILENT) {
                            ch.pipeline().addLast("encoder", Socks5ServerEncoder.DEFAULT);
                            ch.pipeline().addLast("decoder", new Socks5InitialRequestDecoder());
                            ch.pipeline().addLast("socks", new Handshake());
                        }
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private final class Handshake extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Socks5InitialRequest) {
                ctx.pipeline().replace("decoder", "decoder", new Socks5CommandRequestDecoder());
                ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.NO_AUTH));
            } else if (msg instanceof Socks5CommandRequest) {
                Socks5CommandRequest request = (Socks5CommandRequest) msg;
                requests.add(request.dstAddrType() + " " + request.dstAddr());
                if (mode == Mode.REFUSE) {
                    ctx.writeAndFlush(new DefaultSocks5CommandResponse(Socks5CommandStatus.CONNECTION_REFUSED,
                            Socks5AddressType.IPv4)).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                connectOrigin(ctx, request.dstPort());
            }
        }

        private void connectOrigin(ChannelHandlerContext ctx, int port) {
            Channel client = ctx.channel();
            client.config().setAutoRead(false);
            new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                    .handler(new Forward(client))
                    .connect("127.0.0.1", port).addListener((ChannelFutureListener) f -> {
                        if (!f.isSuccess()) {
                            client.close();
                            return;
                        }
                        client.writeAndFlush(new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS,
                                Socks5AddressType.IPv4, "127.0.0.1", port));
                        client.pipeline().remove("encoder");
                        client.pipeline().remove("decoder");
                        client.pipeline().replace("socks", "forward", new Forward(f.channel()));
                        client.config().setAutoRead(true);
                    });
        }
    }

    /** Passes everything read to {@code other}; closes it at the end. */
    private static final class Forward extends ChannelInboundHandlerAdapter {
        private final Channel other;

        Forward(Channel other) {
            this.other = other;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            other.writeAndFlush(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            other.close();
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
