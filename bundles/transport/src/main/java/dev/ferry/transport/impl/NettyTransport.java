package dev.ferry.transport.impl;

import dev.ferry.api.spi.ListeningSocket;
import dev.ferry.api.spi.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty event loops (epoll when the native library loads, NIO otherwise) and a small thread pool for name lookups,
 * so that no event loop ever blocks on DNS.
 */
@Component(service = Transport.class, configurationPid = "dev.ferry.transport")
@Designate(ocd = NettyTransport.Config.class)
public class NettyTransport implements Transport {

    @ObjectClassDefinition(name = "Ferry transport", description = "Event loops and name resolution")
    public @interface Config {
        @AttributeDefinition(description = "Event loop threads; 0 means twice the number of cores")
        int eventLoopThreads() default 0;

        @AttributeDefinition(description = "Use the native epoll transport when it loads")
        boolean nativeTransport() default true;

        @AttributeDefinition(description = "Threads for blocking host name lookups")
        int resolverThreads() default 4;

        @AttributeDefinition(description = "Bytes a connection may have queued for sending before its peer "
                + "connection stops reading (write-buffer high-water mark; reading resumes below half of it)")
        int writeBufferBytes() default 1 << 20;

        @AttributeDefinition(description = "Seconds a stopped transport (bundle stop or update) keeps its event loops "
                + "for the connections on them to finish; then they are closed")
        int drainTimeoutSeconds() default 30;
    }

    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    private final boolean epoll;
    private final EventLoopGroup loops;
    private final ExecutorService lookups;
    /** Connections a released listening socket holds for its successor, at most. */
    private final ListeningSockets listening = new ListeningSockets(1024);
    /** Every connection accepted or made on these event loops that is still open: the drain waits for them. */
    private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final int drainTimeoutSeconds;
    private final OffLoopResolverGroup resolverGroup;
    private final WriteBufferWaterMark waterMark;

    @Activate
    public NettyTransport(Config config) {
        if (config.eventLoopThreads() < 0 || config.resolverThreads() < 1 || config.writeBufferBytes() < 1024) {
            throw new IllegalArgumentException("eventLoopThreads must be >= 0, resolverThreads >= 1 and "
                    + "writeBufferBytes >= 1024, got " + config.eventLoopThreads() + ", " + config.resolverThreads()
                    + " and " + config.writeBufferBytes());
        }
        // Netty's default (64 KiB) pauses the other side after about one read; a larger mark keeps both
        // directions streaming while still bounding what one connection holds.
        this.waterMark = new WriteBufferWaterMark(config.writeBufferBytes() / 2, config.writeBufferBytes());
        boolean wantNative = config.nativeTransport();
        this.epoll = wantNative && Epoll.isAvailable();
        if (wantNative && !epoll) {
            LOG.info("Native epoll transport unavailable, using NIO: {}", String.valueOf(Epoll.unavailabilityCause()));
        }
        DefaultThreadFactory loopThreads = new DefaultThreadFactory("ferry-io", true);
        this.loops = epoll ? new EpollEventLoopGroup(config.eventLoopThreads(), loopThreads)
                : new NioEventLoopGroup(config.eventLoopThreads(), loopThreads);
        this.lookups = Executors.newFixedThreadPool(config.resolverThreads(), new DefaultThreadFactory("ferry-dns", true));
        this.resolverGroup = new OffLoopResolverGroup(lookups);
        this.drainTimeoutSeconds = Math.max(0, config.drainTimeoutSeconds());
        LOG.info("Transport started: {} event loops", epoll ? "epoll" : "NIO");
    }

    /**
     * Stopped (bundle stop or update): nothing is cut off. The listening sockets keep accepting until their listeners
     * move them to the next transport, and the event loops keep running until every connection on them has ended or
     * {@code drainTimeoutSeconds} have passed; then what is left closes and the loops stop. Returns at once, so the
     * next transport starts while this one drains.
     */
    @Deactivate
    void deactivate() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainTimeoutSeconds);
        LOG.info("Transport stopping: {} connections get up to {} s to finish on its event loops", open.size(),
                drainTimeoutSeconds);
        Thread drain = new Thread(() -> drainUntil(deadline), "ferry-transport-drain");
        drain.setDaemon(true);
        drain.start();
    }

    private void drainUntil(long deadline) {
        try {
            // A listening socket still here waits for its listener to move it to the next transport.
            while ((!open.isEmpty() || listening.any()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!open.isEmpty()) {
            LOG.warn("Transport drain deadline: closing {} connections still open", open.size());
        }
        listening.closeAll();
        open.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        resolverGroup.close();
        lookups.shutdownNow();
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.info("Transport stopped: event loops shut down");
    }

    @Override
    public EventLoopGroup eventLoops() {
        return loops;
    }

    @Override
    public ChannelFuture bind(InetSocketAddress address, ChannelHandler childHandler) {
        Class<? extends ServerSocketChannel> type = epoll ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        return new ServerBootstrap()
                .group(loops)
                .channel(type)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(reusePort(), true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        open.add(ch);
                        ch.pipeline().addLast(childHandler);
                    }
                })
                .bind(address);
    }

    @Override
    public Future<ListeningSocket> listen(InetSocketAddress address, ChannelHandler childHandler) {
        return listening.listen(address, childHandler, this::bind);
    }

    @Override
    public ChannelFuture connect(EventLoop loop, InetSocketAddress address, int connectTimeoutMillis,
            ChannelHandler handler) {
        Class<? extends SocketChannel> type = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        return new Bootstrap()
                .group(loop)
                .channel(type)
                .resolver(resolverGroup)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        open.add(ch);
                        ch.pipeline().addLast(handler);
                    }
                })
                .connect(address);
    }

    /**
     * SO_REUSEPORT, so that the next transport binds its listening socket next to this one's before this one closes
     * (a bundle update refuses no connection).
     */
    private ChannelOption<Boolean> reusePort() {
        return epoll ? EpollChannelOption.SO_REUSEPORT : NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
    }

    @Override
    public boolean isNative() {
        return epoll;
    }
}
