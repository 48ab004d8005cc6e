package dev.ferry.pool.impl;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.spi.RevisionClasses;
import dev.ferry.api.spi.Transport;
import dev.ferry.api.upstream.ConnectEvents;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.api.upstream.ConnectionPool;
import dev.ferry.api.upstream.PoolCounters;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamLease;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
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

        // Server defaults, not a browser's: the limits are circuit breakers that protect origins, upstream proxies
        // and the proxy itself (as Envoy's per-cluster 1024), not politeness limits. A browser already keeps its own
        // 6 per host; a shared proxy that added a second queue of 6 made one client's 50 concurrent requests wait.
        @AttributeDefinition(description = "Connections per group (destination and partition) through one proxy")
        int maxConnectionsPerGroup() default 128;

        @AttributeDefinition(description = "Connections through one upstream proxy, all groups together")
        int maxConnectionsPerProxy() default 512;

        @AttributeDefinition(description = "Pooled connections in total")
        int maxConnections() default 4096;

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

        @AttributeDefinition(description = "Seconds a stopped pool (bundle update or stop) keeps serving the requests "
                + "it already has: connections lent out finish their exchanges, queued requests are still served. "
                + "Then what is left is closed and failed")
        int drainTimeoutSeconds() default 30;
    }

    private static final AttributeKey<GroupSlots.Connection> CONNECTION =
            AttributeKey.valueOf("dev.ferry.pool.connection");
    private static final Logger LOG = LoggerFactory.getLogger(PooledConnections.class);

    private final Transport transport;
    private final GroupSlots slots;
    private final DelegateChain delegates = new DelegateChain();
    /** Every HTTP connection this pool made that is still open, lent or idle: closed at the drain deadline. */
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile PoolLimits limits;
    private volatile ConnectSettings settings;
    private volatile int drainTimeoutSeconds;
    private volatile boolean closed;
    /** The drain deadline passed: nothing more is served. */
    private volatile boolean drained;

    @Activate
    public PooledConnections(@Reference Transport transport, Config config) {
        this.transport = transport;
        this.limits = new PoolLimits(config);
        this.slots = new GroupSlots(limits);
        this.settings = connectSettings(config);
        this.drainTimeoutSeconds = PoolLimits.atLeast("drainTimeoutSeconds", config.drainTimeoutSeconds(), 0);
        LOG.info("Connection pool: {}, {}, {} extra trusted certificates", limits, settings.credentials,
                settings.trust.extraCertificates());
    }

    /** Connections outlive this revision: every class they may need is loaded now, see {@link RevisionClasses}. */
    @Activate
    void loadRevisionClasses(BundleContext context) {
        RevisionClasses.loadAll(context.getBundle());
    }

    /**
     * A configuration edit applies in place: new limits to every later decision (waiters at a raised limit are served
     * at once), new timeouts, credentials and trust to every later connect job. Connections, jobs and waits in flight
     * keep what they started with. An invalid edit is refused as a whole and the pool keeps its settings.
     */
    @Modified
    void modified(Config config) {
        PoolLimits newLimits;
        ConnectSettings newSettings;
        int newDrain;
        try {
            newLimits = new PoolLimits(config);
            newSettings = connectSettings(config);
            newDrain = PoolLimits.atLeast("drainTimeoutSeconds", config.drainTimeoutSeconds(), 0);
        } catch (RuntimeException e) {
            LOG.error("dev.ferry.pool: configuration change refused, the pool keeps its settings: {}",
                    e.getMessage());
            return;
        }
        settings = newSettings;
        limits = newLimits;
        drainTimeoutSeconds = newDrain;
        carryOut(slots.limits(newLimits));
        LOG.info("Connection pool reconfigured: {}, {}, {} extra trusted certificates", newLimits,
                newSettings.credentials, newSettings.trust.extraCertificates());
    }

    private ConnectSettings connectSettings(Config config) {
        TrustConfig trust = TrustConfig.create(config.trustCertificatesFile(), config.verifyCertificates());
        ProxyCredentials credentials = ProxyCredentials.parse(config.proxyCredentials());
        if (!trust.verifies()) {
            LOG.warn("dev.ferry.pool verifyCertificates=false: certificates and host names of HTTPS upstream "
                    + "proxies and origins are NOT checked; use this only for debugging");
        }
        return new ConnectSettings(transport, new StageTimeouts(config), trust, credentials, delegates);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            service = ProxyDelegate.class, unbind = "unbindDelegate")
    public void bindDelegate(ProxyDelegate delegate, Map<String, Object> properties) {
        delegates.add(delegate, properties);
    }

    public void unbindDelegate(ProxyDelegate delegate) {
        delegates.remove(delegate);
    }

    /**
     * Stopped (bundle stop or update; a new pool takes new work as soon as it is registered): idle connections close
     * now; lent connections finish their exchanges and close when given back; queued requests are still served, and
     * so is a request that reached this pool as it stopped. After {@code drainTimeoutSeconds} the queued requests
     * that are left fail, the connections still open close, and nothing more is served.
     */
    @Deactivate
    void deactivate() {
        closed = true;
        slots.drain().forEach(Channel::close);
        int seconds = drainTimeoutSeconds;
        if (slots.busy()) {
            LOG.info("Connection pool stopped: {} connections lent or connecting and their queued requests get {} s "
                    + "to finish", connections.size(), seconds);
        }
        GlobalEventExecutor.INSTANCE.schedule(this::drainDeadline, seconds, TimeUnit.SECONDS);
    }

    private void drainDeadline() {
        drained = true;
        List<Waiter> left = slots.takeWaiters();
        for (Waiter w : left) {
            w.stopTimer();
            w.promise.tryFailure(stopped(w.key));
        }
        if (!left.isEmpty() || !connections.isEmpty()) {
            LOG.warn("Connection pool drain deadline: {} queued requests failed, {} connections closed",
                    left.size(), connections.size());
        }
        connections.close();
    }

    /** Acquire for a new request. */
    @Override
    public Future<UpstreamLease> acquire(PoolKey key, EventLoop loop, ConnectEvents events, ClientCodec codec) {
        return acquire(key, loop, events, codec, false);
    }

    /** @param fresh a retry: a new connection, never an idle one */
    Future<UpstreamLease> acquire(PoolKey key, EventLoop loop, ConnectEvents events, ClientCodec codec,
            boolean fresh) {
        Waiter w = new Waiter(key, loop, events == null ? ConnectEvents.NONE : events, codec, fresh);
        if (drained) {
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
        long waitMillis = limits.waitTimeoutMillis;
        w.timeout = loop.schedule(() -> {
            if (slots.removeWaiter(w, true)) {
                w.promise.tryFailure(new ConnectJobException(key.proxy(), ConnectStage.TCP,
                        ProxyErrorType.CONNECTION_LIMIT_REACHED, false, "waited " + waitMillis
                                + " ms for a connection to " + key + ": " + w.limit + " reached", null));
            }
        }, waitMillis, TimeUnit.MILLISECONDS);
        return w.promise;
    }

    /**
     * A fresh raw connection, never pooled and not subject to the limits: a tunnel belongs to the proxy's client,
     * and the client (Chrome) already limits its own tunnels per group; counting them here would let long-lived
     * tunnels starve forwarded requests. Still counted in its key's created/failed.
     */
    @Override
    public Future<UpstreamLease> connectTunnel(PoolKey key, EventLoop loop, ConnectEvents events) {
        Promise<UpstreamLease> promise = loop.newPromise();
        if (drained) {
            return promise.setFailure(stopped(key));
        }
        Promise<Channel> job = loop.newPromise();
        job.addListener(f -> {
            if (!f.isCancelled()) {
                slots.tunnelMade(key, f.isSuccess());
            }
            if (f.isSuccess()) {
                Channel ch = (Channel) f.getNow();
                if (!promise.trySuccess(new PoolLease(this, ch, key, false, Map.of(), null, false))) {
                    ch.close();
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

    /** A lease gives its connection back: idle for reuse, or closed when it cannot be pooled. */
    void takeBack(Channel channel) {
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

    /** Headers each request on a connection of {@code key} must carry, e.g. preemptive proxy credentials. */
    private Map<String, String> requestHeaders(PoolKey key) {
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
        if (!w.promise.trySuccess(new PoolLease(this, ch, w.key, true, requestHeaders(w.key), w.codec, true))) {
            // The request was cancelled meanwhile: the connection is as good as before.
            takeBack(ch);
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
                connections.add(ch);
                if (w.codec != null) {
                    w.codec.configure(ch.pipeline());
                }
                if (!w.promise.trySuccess(new PoolLease(this, ch, w.key, false, requestHeaders(w.key), w.codec,
                        !w.fresh))) {
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
