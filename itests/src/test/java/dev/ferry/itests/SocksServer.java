package dev.ferry.itests;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.socksx.SocksPortUnificationServerHandler;
import io.netty.handler.codec.socksx.v4.DefaultSocks4CommandResponse;
import io.netty.handler.codec.socksx.v4.Socks4CommandRequest;
import io.netty.handler.codec.socksx.v4.Socks4CommandStatus;
import io.netty.handler.codec.socksx.v4.Socks4CommandType;
import io.netty.handler.codec.socksx.v4.Socks4ServerDecoder;
import io.netty.handler.codec.socksx.v4.Socks4ServerEncoder;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import io.netty.util.ReferenceCountUtil;
import java.io.Closeable;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A SOCKS4(a) and SOCKS5 server on 127.0.0.1 for tests (Netty's codec-socks; the first byte tells the version): no
 * authentication, CONNECT only, to domain, IPv4 or IPv6 targets; relays the bytes afterwards. It counts connections
 * and records each CONNECT target as {@code "<address type> host:port"}, e.g. {@code "DOMAIN localhost:8080"} or
 * {@code "IPv4 127.0.0.1:8080"} for SOCKS5, {@code "SOCKS4 127.0.0.1:8080"} for SOCKS4.
 */
final class SocksServer implements Closeable {

    private final EventLoopGroup group = new NioEventLoopGroup(2);
    private final Channel server;
    final AtomicInteger connections = new AtomicInteger();
    final List<String> targets = new CopyOnWriteArrayList<>();

    SocksServer() throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(new SocksPortUnificationServerHandler(), new Handshake());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The URL form Ferry's rules use for this server, as SOCKS5. */
    String rule() {
        return "socks5://127.0.0.1:" + port();
    }

    /** The same server as a SOCKS4 proxy. */
    String socks4Rule() {
        return "socks4://127.0.0.1:" + port();
    }

    /** Greeting, then the CONNECT command; then it leaves and a {@link Relay} joins the two connections. */
    private final class Handshake extends ChannelInboundHandlerAdapter {

        /** Raw bytes a client sent behind its command, before the target was connected. */
        private final List<Object> early = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Socks5InitialRequest) {
                greet(ctx, (Socks5InitialRequest) msg);
            } else if (msg instanceof Socks5CommandRequest) {
                connect(ctx, (Socks5CommandRequest) msg);
            } else if (msg instanceof Socks4CommandRequest) {
                connect4(ctx, (Socks4CommandRequest) msg);
            } else {
                early.add(msg);
            }
        }

        private void greet(ChannelHandlerContext ctx, Socks5InitialRequest request) {
            if (request.decoderResult().isFailure() || !request.authMethods().contains(Socks5AuthMethod.NO_AUTH)) {
                ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.pipeline().replace(Socks5InitialRequestDecoder.class, "command", new Socks5CommandRequestDecoder());
            ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.NO_AUTH));
        }

        private void connect(ChannelHandlerContext ctx, Socks5CommandRequest request) {
            if (request.decoderResult().isFailure() || request.type() != Socks5CommandType.CONNECT) {
                fail(ctx, Socks5CommandStatus.COMMAND_UNSUPPORTED);
                return;
            }
            targets.add(addressType(request.dstAddrType()) + " " + request.dstAddr() + ":" + request.dstPort());
            Channel client = ctx.channel();
            client.config().setAutoRead(false);
            new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new Relay(client))
                    .connect(request.dstAddr(), request.dstPort())
                    .addListener((ChannelFutureListener) connected -> {
                        if (!connected.isSuccess()) {
                            fail(ctx, connected.cause() instanceof ConnectException
                                    ? Socks5CommandStatus.CONNECTION_REFUSED : Socks5CommandStatus.HOST_UNREACHABLE);
                            return;
                        }
                        Channel target = connected.channel();
                        InetSocketAddress bound = (InetSocketAddress) target.localAddress();
                        ctx.writeAndFlush(new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS,
                                Socks5AddressType.IPv4, bound.getAddress().getHostAddress(), bound.getPort()))
                                .addListener((ChannelFutureListener) written -> startRelay(ctx, target));
                    });
        }

        private void connect4(ChannelHandlerContext ctx, Socks4CommandRequest request) {
            if (request.decoderResult().isFailure() || request.type() != Socks4CommandType.CONNECT) {
                ctx.writeAndFlush(new DefaultSocks4CommandResponse(Socks4CommandStatus.REJECTED_OR_FAILED))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            targets.add("SOCKS4 " + request.dstAddr() + ":" + request.dstPort());
            Channel client = ctx.channel();
            client.config().setAutoRead(false);
            new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new Relay(client))
                    .connect(request.dstAddr(), request.dstPort())
                    .addListener((ChannelFutureListener) connected -> {
                        if (!connected.isSuccess()) {
                            ctx.writeAndFlush(new DefaultSocks4CommandResponse(
                                    Socks4CommandStatus.REJECTED_OR_FAILED)).addListener(ChannelFutureListener.CLOSE);
                            return;
                        }
                        ctx.writeAndFlush(new DefaultSocks4CommandResponse(Socks4CommandStatus.SUCCESS))
                                .addListener((ChannelFutureListener) written -> startRelay(ctx, connected.channel()));
                    });
        }

        private String addressType(Socks5AddressType type) {
            if (type == Socks5AddressType.DOMAIN) {
                return "DOMAIN";
            }
            return type == Socks5AddressType.IPv4 ? "IPv4" : "IPv6";
        }

        private void startRelay(ChannelHandlerContext ctx, Channel target) {
            Channel client = ctx.channel();
            for (Class<? extends ChannelHandler> codec : List.of(Socks5ServerEncoder.class,
                    Socks5CommandRequestDecoder.class, Socks4ServerEncoder.class, Socks4ServerDecoder.class)) {
                if (client.pipeline().get(codec) != null) {
                    client.pipeline().remove(codec);
                }
            }
            client.pipeline().replace(this, "relay", new Relay(target));
            for (Object msg : early) {
                target.write(msg);
            }
            early.clear();
            target.flush();
            client.config().setAutoRead(true);
            target.config().setAutoRead(true);
        }

        private void fail(ChannelHandlerContext ctx, Socks5CommandStatus status) {
            ctx.writeAndFlush(new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4))
                    .addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            early.forEach(ReferenceCountUtil::release);
            early.clear();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Passes everything read on one connection to the other (which then owns it); a close travels along. */
    private static final class Relay extends ChannelInboundHandlerAdapter {

        private final Channel other;

        Relay(Channel other) {
            this.other = other;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            other.writeAndFlush(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
