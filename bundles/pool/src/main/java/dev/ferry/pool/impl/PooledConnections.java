package dev.ferry.pool.impl;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.spi.ConnectionPool;
import dev.ferry.api.spi.PoolKey;
import dev.ferry.api.spi.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps idle HTTP/1.1 connections per (proxy, destination) for reuse, and runs connect jobs for new ones: TCP to the
 * origin or the upstream proxy, then a CONNECT through the proxy for tunnels.
 *
 * <p>An idle connection is handed out only to a caller on the connection's own event loop, so that an exchange and
 * its connections always share one thread.
 */
@Component(service = ConnectionPool.class, configurationPid = "dev.ferry.pool",
        property = ConnectionPool.SCHEMES + "=DIRECT," + ConnectionPool.SCHEMES + "=HTTP")
@Designate(ocd = PooledConnections.Config.class)
public class PooledConnections implements ConnectionPool {

    @ObjectClassDefinition(name = "Ferry connection pool", description = "Connections to origins and upstream proxies")
    public @interface Config {
        @AttributeDefinition(description = "Milliseconds each connect stage (TCP connect, upstream CONNECT) may take")
        int connectTimeoutMillis() default 10_000;

        @AttributeDefinition(description = "Seconds an idle pooled connection is kept")
        int idleTimeoutSeconds() default 60;

        @AttributeDefinition(description = "Idle connections kept per proxy and destination")
        int maxIdlePerDestination() default 6;
    }

    static final AttributeKey<PoolKey> KEY = AttributeKey.valueOf("dev.ferry.pool.key");
    private static final Logger LOG = LoggerFactory.getLogger(PooledConnections.class);

    private final Transport transport;
    private final Config config;
    private final Map<PoolKey, Deque<Channel>> idle = new ConcurrentHashMap<>();
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong reused = new AtomicLong();

    @Activate
    public PooledConnections(@Reference Transport transport, Config config) {
        if (config.connectTimeoutMillis() <= 0 || config.idleTimeoutSeconds() <= 0
                || config.maxIdlePerDestination() < 0) {
            throw new IllegalArgumentException("connectTimeoutMillis and idleTimeoutSeconds must be positive and "
                    + "maxIdlePerDestination >= 0, got " + config.connectTimeoutMillis() + ", "
                    + config.idleTimeoutSeconds() + ", " + config.maxIdlePerDestination());
        }
        this.transport = transport;
        this.config = config;
    }

    @Deactivate
    void deactivate() {
        idle.values().forEach(q -> q.forEach(Channel::close));
        idle.clear();
    }

    @Override
    public Future<Channel> acquire(PoolKey key, EventLoop loop) {
        Deque<Channel> connections = idle.get(key);
        if (connections != null) {
            for (Iterator<Channel> it = connections.iterator(); it.hasNext();) {
                Channel ch = it.next();
                if (ch.eventLoop() == loop && connections.remove(ch)) {
                    if (ch.isActive()) {
                        ch.pipeline().remove(IdleConnectionHandler.class);
                        reused.incrementAndGet();
                        return loop.newSucceededFuture(ch);
                    }
                }
            }
        }
        return connect(key, loop, false);
    }

    @Override
    public void release(Channel channel) {
        PoolKey key = channel.attr(KEY).get();
        if (key == null || !channel.isActive()) {
            channel.close();
            return;
        }
        Deque<Channel> connections = idle.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>());
        if (connections.size() >= config.maxIdlePerDestination()) {
            channel.close();
            return;
        }
        channel.pipeline().addLast(new IdleConnectionHandler(config.idleTimeoutSeconds(), connections));
        connections.addFirst(channel);
    }

    @Override
    public Future<Channel> connectTunnel(PoolKey key, EventLoop loop) {
        return connect(key, loop, true);
    }

    private Future<Channel> connect(PoolKey key, EventLoop loop, boolean tunnel) {
        ProxyServer proxy = key.proxy();
        if (!proxy.isDirect() && proxy.scheme() != ProxyServer.Scheme.HTTP) {
            return loop.newFailedFuture(new UnsupportedOperationException(
                    "proxy scheme " + proxy.scheme() + " is not supported by this pool (" + proxy + ")"));
        }
        HostAndPort first = proxy.isDirect() ? key.destination() : HostAndPort.of(proxy.host(), proxy.port());
        Promise<Channel> done = loop.newPromise();
        ChannelFuture tcp = transport.connect(loop, InetSocketAddress.createUnresolved(first.host(), first.port()),
                config.connectTimeoutMillis(), new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.attr(KEY).set(key);
                    }
                });
        tcp.addListener(f -> {
            if (!f.isSuccess()) {
                done.tryFailure(f.cause());
                return;
            }
            created.incrementAndGet();
            if (tunnel && !proxy.isDirect()) {
                UpstreamConnectStage.start(tcp.channel(), key, config.connectTimeoutMillis(), done);
            } else {
                done.trySuccess(tcp.channel());
            }
        });
        // A caller that gives up cancels the job; the half-made connection must not linger.
        done.addListener(f -> {
            if (f.isCancelled()) {
                tcp.cancel(false);
                tcp.channel().close();
            }
        });
        if (LOG.isDebugEnabled()) {
            LOG.debug("Connect job {} ({})", key, tunnel ? "tunnel" : "http");
        }
        return done;
    }

    /** Connections made by connect jobs so far. */
    long created() {
        return created.get();
    }

    /** Acquisitions served by an idle connection. */
    long reused() {
        return reused.get();
    }
}
