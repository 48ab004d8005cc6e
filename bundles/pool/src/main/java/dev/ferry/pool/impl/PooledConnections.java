package dev.ferry.pool.impl;

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.spi.Transport;
import dev.ferry.api.upstream.ConnectEvents;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.api.upstream.ConnectionPool;
import dev.ferry.api.upstream.PoolCounters;
import dev.ferry.api.upstream.PoolKey;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool: Chromium-style limits per group, per proxy and in total ({@link GroupSlots}), idle HTTP
 * connections handed out only on their own event loop (an exchange and its connections share one thread), and
 * {@link ConnectJob}s through DIRECT, HTTP, HTTPS, SOCKS4 and SOCKS5 upstreams.
 */
@Component(service = ConnectionPool.class, configurationPid = "dev.ferry.pool", property = {
        ConnectionPool.SCHEMES + "=DIRECT", ConnectionPool.SCHEMES + "=HTTP", ConnectionPool.SCHEMES + "=HTTPS",
        ConnectionPool.SCHEMES + "=SOCKS4", ConnectionPool.SCHEMES + "=SOCKS5" })
@Designate(ocd = PooledConnections.Config.class)
public class PooledConnections implements ConnectionPool {

    @ObjectClassDefinition(name = "Ferry connection pool",
            description = "Connections to origins and upstream proxies: limits, timeouts, credentials, trust")
    public @interface Config {
        @AttributeDefinition(description = "Milliseconds a TCP connect may take (name lookup not included)")
        int tcpConnectTimeoutMillis() default 10_000;

        @AttributeDefinition(description = "Milliseconds the TLS handshake with an HTTPS upstream proxy may take")
        int proxyTlsTimeoutMillis() default 10_000;

        @AttributeDefinition(description = "Milliseconds the SOCKS4/SOCKS5 handshake may take")
        int socksTimeoutMillis() default 10_000;

        @AttributeDefinition(description = "Milliseconds an upstream proxy may take to answer CONNECT, a 407 round"
                + " included")
        int tunnelTimeoutMillis() default 10_000;

        @AttributeDefinition(description = "Milliseconds the TLS handshake with an origin (https) may take")
        int originTlsTimeoutMillis() default 10_000;

        @AttributeDefinition(description = "Seconds an idle pooled connection is kept")
        int idleTimeoutSeconds() default 60;

        @AttributeDefinition(description = "Connections per group (destination and partition) through one proxy")
        int maxConnectionsPerGroup() default 6;

        @AttributeDefinition(description = "Connections through one upstream proxy, all groups together")
        int maxConnectionsPerProxy() default 32;

        @AttributeDefinition(description = "Pooled connections in total")
        int maxConnections() default 256;

        @AttributeDefinition(description = "Milliseconds a request waits for a connection when a limit is reached")
        int waitTimeoutMillis() default 60_000;

        @AttributeDefinition(description = "Credentials for upstream proxies: host:port=user:password, one per entry"
                + " ([::1]:3128 for IPv6)")
        String[] proxyCredentials() default {};

        @AttributeDefinition(description = "PEM file of certificates trusted in addition to the JDK's default trust"
                + " store, for HTTPS upstream proxies and origins; empty for none")
        String trustCertificatesFile() default "";

        @AttributeDefinition(description = "Check certificates and host names; false only for debugging")
        boolean verifyCertificates() default true;
    }

    private static final AttributeKey<GroupSlots.Connection> CONNECTION =
            AttributeKey.valueOf("dev.ferry.pool.connection");
    private static final Logger LOG = LoggerFactory.getLogger(PooledConnections.class);

    private final PoolLimits limits;
    private final GroupSlots slots;
    private final DelegateChain delegates = new DelegateChain();
    private final ConnectSettings settings;
    private volatile boolean closed;

    @Activate
    public PooledConnections(@Reference Transport transport, Config config) {
        this.limits = new PoolLimits(config);
        this.slots = new GroupSlots(limits);
        TrustConfig trust = TrustConfig.create(config.trustCertificatesFile(), config.verifyCertificates());
        ProxyCredentials credentials = ProxyCredentials.parse(config.proxyCredentials());
        this.settings = new ConnectSettings(transport, new StageTimeouts(config), trust, credentials, delegates);
        if (!trust.verifies()) {
            LOG.warn("dev.ferry.pool verifyCertificates=false: certificates and host names of HTTPS upstream "
                    + "proxies and origins are NOT checked; use this only for debugging");
        }
        LOG.info("Connection pool: {}, {}, {} extra trusted certificates", limits, credentials,
                trust.extraCertificates());
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            service = ProxyDelegate.class, unbind = "unbindDelegate")
    public void bindDelegate(ProxyDelegate delegate, Map<String, Object> properties) {
        delegates.add(delegate, properties);
    }

    public void unbindDelegate(ProxyDelegate delegate) {
        delegates.remove(delegate);
    }

    @Deactivate
    void deactivate() {
        closed = true;
        for (Object o : slots.drain()) {
            if (o instanceof Channel) {
                ((Channel) o).close();
            } else {
                Waiter w = (Waiter) o;
                w.stopTimer();
                w.promise.tryFailure(stopped(w.key));
            }
        }
    }

    @Override
    public Future<Channel> acquire(PoolKey key, EventLoop loop, ConnectEvents events) {
        Waiter w = new Waiter(key, loop, events == null ? ConnectEvents.NONE : events);
        if (closed) {
            return w.promise.setFailure(stopped(key));
        }
        GroupSlots.Grant grant = slots.acquire(w);
        if (grant.waitingFor == null) {
            carryOut(grant);
            return w.promise;
        }
        w.events.waiting(key, grant.waitingFor);
        w.promise.addListener(f -> {
            w.stopTimer();
            if (f.isCancelled()) {
                slots.removeWaiter(w, false);
            }
        });
        w.timeout = loop.schedule(() -> {
            if (slots.removeWaiter(w, true)) {
                w.promise.tryFailure(new ConnectJobException(key.proxy(), ConnectStage.TCP,
                        ProxyErrorType.CONNECTION_LIMIT_REACHED, false, "waited " + limits.waitTimeoutMillis
                                + " ms for a connection to " + key + ": " + w.limit + " reached", null));
            }
        }, limits.waitTimeoutMillis, TimeUnit.MILLISECONDS);
        return w.promise;
    }

    /**
     * A fresh raw connection, never pooled and not subject to the limits: a tunnel belongs to the proxy's client,
     * and the client (Chrome) already limits its own tunnels per group; counting them here would let long-lived
     * tunnels starve forwarded requests. Still counted in its key's created/failed.
     */
    @Override
    public Future<Channel> connectTunnel(PoolKey key, EventLoop loop, ConnectEvents events) {
        Promise<Channel> promise = loop.newPromise();
        if (closed) {
            return promise.setFailure(stopped(key));
        }
        Promise<Channel> job = loop.newPromise();
        job.addListener(f -> {
            if (!f.isCancelled()) {
                slots.tunnelMade(key, f.isSuccess());
            }
            if (f.isSuccess()) {
                if (!promise.trySuccess((Channel) f.getNow())) {
                    ((Channel) f.getNow()).close();
                }
            } else {
                promise.tryFailure(f.cause());
            }
        });
        promise.addListener(f -> {
            if (f.isCancelled()) {
                job.cancel(false);
            }
        });
        onLoop(loop, () -> {
            if (!job.isDone()) {
                ConnectJob.start(key, true, loop, events == null ? ConnectEvents.NONE : events, settings, job);
            }
        });
        return promise;
    }

    @Override
    public void release(Channel channel) {
        GroupSlots.Connection c = channel.attr(CONNECTION).get();
        if (c == null || closed || !channel.isActive()) {
            channel.close();
            return;
        }
        onLoop(channel.eventLoop(), () -> {
            // The watcher goes in before the connection is visible as idle, so an idle connection always has one.
            channel.pipeline().addLast(IdleConnectionHandler.NAME, new IdleConnectionHandler(
                    limits.idleTimeoutSeconds, () -> evict(c)));
            List<GroupSlots.Grant> grants = slots.released(c);
            if (grants == null) {
                channel.close();
            } else {
                carryOut(grants);
            }
        });
    }

    @Override
    public Map<String, String> requestHeaders(PoolKey key) {
        ProxyServer.Scheme scheme = key.proxy().scheme();
        ProxyCredentials.Login login = settings.credentials.find(key.proxy());
        if (login == null || key.group().secure()
                || (scheme != ProxyServer.Scheme.HTTP && scheme != ProxyServer.Scheme.HTTPS)) {
            return Map.of();
        }
        // Preemptive: an absolute-form request answered with 407 could not always be sent again.
        return Map.of(HttpHeaderNames.PROXY_AUTHORIZATION.toString(), login.basicAuthorization());
    }

    @Override
    public List<PoolCounters> counters() {
        return slots.counters();
    }

    private boolean evict(GroupSlots.Connection c) {
        List<GroupSlots.Grant> grants = slots.evictIdle(c);
        if (grants == null) {
            return false;
        }
        carryOut(grants);
        return true;
    }

    private void carryOut(List<GroupSlots.Grant> grants) {
        grants.forEach(this::carryOut);
    }

    private void carryOut(GroupSlots.Grant grant) {
        Waiter w = grant.waiter;
        w.stopTimer();
        if (grant.victim != null) {
            grant.victim.close();
        }
        if (grant.reuse != null) {
            onLoop(w.loop, () -> handOver(w, grant.reuse.channel));
        } else {
            startJob(w);
        }
    }

    private void handOver(Waiter w, Channel ch) {
        if (ch.pipeline().get(IdleConnectionHandler.NAME) != null) {
            ch.pipeline().remove(IdleConnectionHandler.NAME);
        }
        w.events.reused(w.key);
        if (!w.promise.trySuccess(ch)) {
            // The request was cancelled meanwhile: the connection is as good as before.
            release(ch);
        }
    }

    private void startJob(Waiter w) {
        // The job completes its own promise; the books learn the outcome before the caller does, so a caller that
        // releases the connection at once (or reads the counters) finds it registered.
        Promise<Channel> job = w.loop.newPromise();
        job.addListener(f -> {
            if (f.isSuccess()) {
                Channel ch = (Channel) f.getNow();
                GroupSlots.Connection c = slots.connected(w.key, ch);
                ch.attr(CONNECTION).set(c);
                ch.closeFuture().addListener(x -> carryOut(slots.closed(c)));
                if (!w.promise.trySuccess(ch)) {
                    ch.close();
                }
            } else {
                carryOut(slots.connectFailed(w.key, !f.isCancelled()));
                w.promise.tryFailure(f.cause());
            }
        });
        w.promise.addListener(f -> {
            if (f.isCancelled()) {
                job.cancel(false);
            }
        });
        onLoop(w.loop, () -> {
            if (!job.isDone()) {
                ConnectJob.start(w.key, false, w.loop, w.events, settings, job);
            }
        });
    }

    private static void onLoop(EventLoop loop, Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    private static ConnectJobException stopped(PoolKey key) {
        return new ConnectJobException(key.proxy(), ConnectStage.TCP, ProxyErrorType.PROXY_INTERNAL_ERROR, false,
                "the connection pool (dev.ferry.pool) stopped before a connection to " + key + " was made", null);
    }
}
