package dev.ferry.transport.impl;

import dev.ferry.api.spi.ListeningSocket;
import dev.ferry.api.spi.RevisionClasses;
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
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty event loops (epoll when the native library loads, NIO otherwise) and a small thread pool for name lookups,
 * so that no event loop ever blocks on DNS.
 *
 * <p>A changed configuration applies in place where it can: {@code writeBufferBytes} to every connection made or
 * accepted after the change (through the listening sockets already bound too), {@code resolverThreads} to the lookup
 * pool at once, {@code drainTimeoutSeconds} to the next stop. The event loops cannot change under the channels that
 * live on them, so a changed {@code eventLoopThreads} or {@code nativeTransport} is logged and takes effect when this
 * component next starts (bundle restart or update, which hands the listening sockets over).
 */
@Component(service = Transport.class, configurationPid = "dev.ferry.transport")
@Designate(ocd = NettyTransport.Config.class)
public class NettyTransport implements Transport {

    @ObjectClassDefinition(name = "Ferry transport", description = "Event loops and name resolution")
    public @interface Config {
        @AttributeDefinition(description = "Event loop threads; 0 means one per core")
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

    private static final long QUIET_CHECK_MILLIS = 500;
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);

    /** The settings the event loops were made with; they stay until the component starts again. */
    private final int eventLoopThreads;
    private final boolean nativeTransport;
    private final boolean epoll;
    private final EventLoopGroup loops;
    private final ThreadPoolExecutor lookups;
    /** Connections a released listening socket holds for its successor, at most. */
    private final ListeningSockets listening = new ListeningSockets(1024);
    /** Every connection accepted or made on these event loops that is still open: the drain waits for them. */
    private final ChannelGroup open = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** Pauses a listening socket that cannot accept until one of these connections closes. */
    private final AcceptPause acceptPause = new AcceptPause();
    private volatile int drainTimeoutSeconds;
    /** Set at activation in OSGi; null outside (ferry-fetch, tests). */
    private volatile BundleContext context;
    private final OffLoopResolverGroup resolverGroup;
    /** Read per new connection. */
    private volatile WriteBufferWaterMark waterMark;

    @Activate
    public NettyTransport(Config config) {
        check(config);
        // Netty's default (64 KiB) pauses the other side after about one read; a larger mark keeps both
        // directions streaming while still bounding what one connection holds.
        this.waterMark = waterMark(config);
        this.eventLoopThreads = config.eventLoopThreads();
        this.nativeTransport = config.nativeTransport();
        this.epoll = nativeTransport && Epoll.isAvailable();
        if (nativeTransport && !epoll) {
            LOG.info("Native epoll transport unavailable, using NIO: {}", String.valueOf(Epoll.unavailabilityCause()));
        }
        DefaultThreadFactory loopThreads = new DefaultThreadFactory("ferry-io", true);
        // One per core, not Netty's two: a proxy's event loops are busy or idle together, and twice as many only
        // take turns on the cores (measured: 17 % fewer keep-alive requests a second, 20 % more CPU per tunnel).
        int threads = eventLoopThreads > 0 ? eventLoopThreads : NettyRuntime.availableProcessors();
        this.loops = epoll ? new EpollEventLoopGroup(threads, loopThreads) : new NioEventLoopGroup(threads, loopThreads);
        this.lookups = new ThreadPoolExecutor(config.resolverThreads(), config.resolverThreads(), 0,
                TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), new DefaultThreadFactory("ferry-dns", true));
        this.resolverGroup = new OffLoopResolverGroup(lookups);
        this.drainTimeoutSeconds = Math.max(0, config.drainTimeoutSeconds());
        LOG.info("Transport started: {} {} event loops", threads, epoll ? "epoll" : "NIO");
    }

    /** Connections outlive this revision: every class they may need is loaded now, see {@link RevisionClasses}. */
    @Activate
    void loadRevisionClasses(BundleContext context) {
        this.context = context;
        RevisionClasses.loadAll(context.getBundle());
    }

    @Modified
    void modified(Config config) {
        try {
            check(config);
        } catch (IllegalArgumentException e) {
            LOG.error("dev.ferry.transport: {}; keeping the settings in force", e.getMessage());
            return;
        }
        waterMark = waterMark(config);
        resizeLookups(config.resolverThreads());
        drainTimeoutSeconds = Math.max(0, config.drainTimeoutSeconds());
        LOG.info("New connections get writeBufferBytes={}; resolverThreads={}, drainTimeoutSeconds={}",
                config.writeBufferBytes(), config.resolverThreads(), drainTimeoutSeconds);
        if (config.eventLoopThreads() != eventLoopThreads || config.nativeTransport() != nativeTransport) {
            LOG.info("eventLoopThreads={} and nativeTransport={} take effect at the next start of the transport "
                    + "bundle; the event loops keep eventLoopThreads={}, nativeTransport={} until then",
                    config.eventLoopThreads(), config.nativeTransport(), eventLoopThreads, nativeTransport);
        }
    }

    private static void check(Config config) {
        if (config.eventLoopThreads() < 0) {
            throw new IllegalArgumentException("eventLoopThreads must be >= 0, not " + config.eventLoopThreads());
        }
        if (config.resolverThreads() < 1) {
            throw new IllegalArgumentException("resolverThreads must be >= 1, not " + config.resolverThreads());
        }
        if (config.writeBufferBytes() < 1024) {
            throw new IllegalArgumentException("writeBufferBytes must be >= 1024, not " + config.writeBufferBytes());
        }
    }

    private static WriteBufferWaterMark waterMark(Config config) {
        return new WriteBufferWaterMark(config.writeBufferBytes() / 2, config.writeBufferBytes());
    }

    /** Lookups queued or running go on; the pool grows at once and shrinks as its threads finish. */
    private synchronized void resizeLookups(int threads) {
        // the core size may never exceed the maximum, so the order depends on the direction
        if (threads > lookups.getMaximumPoolSize()) {
            lookups.setMaximumPoolSize(threads);
            lookups.setCorePoolSize(threads);
        } else {
            lookups.setCorePoolSize(threads);
            lookups.setMaximumPoolSize(threads);
        }
    }

    int resolverThreads() {
        return lookups.getMaximumPoolSize();
    }

    /**
     * Stopped (bundle stop or update): nothing is cut off. The listening sockets keep accepting until their listeners
     * move them to the next transport, and the event loops keep running until every connection on them has ended or
     * {@code drainTimeoutSeconds} have passed; then what is left closes and the loops stop. Returns at once, so the
     * next transport starts while this one drains.
     */
    @Deactivate
    void deactivate() {
        if (frameworkStopping()) {
            // Nobody takes over and Netty's own bundle is going too: close now rather than drain.
            drainUntil(System.nanoTime());
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainTimeoutSeconds);
        LOG.info("Transport stopping: {} connections get up to {} s to finish on its event loops", open.size(),
                drainTimeoutSeconds);
        Thread drain = new Thread(() -> drainUntil(deadline), "ferry-transport-drain");
        drain.setDaemon(true);
        drain.start();
    }

    private boolean frameworkStopping() {
        try {
            return context != null && context.getBundle(0).getState() == Bundle.STOPPING;
        } catch (IllegalStateException contextGone) {
            return true;
        }
    }

    private boolean idle() {
        return open.isEmpty() && !listening.any();
    }

    private void drainUntil(long deadline) {
        try {
            // A listening socket still here waits for its listener to move it to the next transport. Idle is
            // checked twice, a moment apart: a connection accepted just before its socket closed is registered
            // (and counted) on a loop an instant later.
            boolean quiet = false;
            while (!quiet && System.nanoTime() < deadline) {
                quiet = idle();
                Thread.sleep(QUIET_CHECK_MILLIS);
                quiet = quiet && idle();
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
                // in front of Netty's acceptor, which would pause a second on an accept failure
                .handler(acceptPause.handler())
                // No TCP_NODELAY option: Netty's socket channels (epoll and NIO) turn Nagle off themselves when they
                // are made; setting it again was one more system call per connection (NettyTransportTest checks it).
                .childHandler(accepted(childHandler))
                .bind(address);
    }

    /** Sets up each accepted connection: counted for the drain, then given to {@code childHandler}. */
    private ChannelHandler accepted(ChannelHandler childHandler) {
        return new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                open.add(ch);
                acceptPause.track(ch);
                // per connection, not per socket: a changed writeBufferBytes reaches bound sockets too
                ch.config().setWriteBufferWaterMark(waterMark);
                ch.pipeline().addLast(childHandler);
            }
        };
    }

    @Override
    public Future<ListeningSocket> listen(InetSocketAddress address, ChannelHandler childHandler) {
        return listen(address, childHandler, null);
    }

    @Override
    public Future<ListeningSocket> listen(InetSocketAddress address, ChannelHandler childHandler,
            ListeningSocket previous) {
        return listening.listen(address, childHandler, previous, this::bind, new ListeningSockets.MoveIn() {
            @Override
            public EventLoop loop() {
                return loops.next();
            }

            @Override
            public ChannelHandler acceptor(ChannelHandler router) {
                return new SocketAcceptor(loops, accepted(router), acceptPause);
            }
        });
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
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        open.add(ch);
                        acceptPause.track(ch);
                        ch.pipeline().addLast(handler);
                    }
                })
                .connect(address);
    }

    /**
     * SO_REUSEPORT, so that a listening socket that cannot move to the next transport (another kind of event loop)
     * has a new one bound next to it before it closes.
     */
    private ChannelOption<Boolean> reusePort() {
        return epoll ? EpollChannelOption.SO_REUSEPORT : NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
    }

    @Override
    public boolean isNative() {
        return epoll;
    }
}
