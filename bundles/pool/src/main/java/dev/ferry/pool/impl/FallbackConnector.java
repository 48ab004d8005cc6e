package dev.ferry.pool.impl;

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.proxy.BadProxies;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyResolutionException;
import dev.ferry.api.proxy.ProxyResolver;
import dev.ferry.api.spi.AwaitedService;
import dev.ferry.api.upstream.ConnectionPool;
import dev.ferry.api.upstream.LimitReachedException;
import dev.ferry.api.upstream.UpstreamConnector;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.api.upstream.UpstreamRequest;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a URL to a proxy list and connects through the first proxy that works, as Chromium's stream factory does
 * with its proxy resolution service: the highest-ranked resolver decides, the delegates may change the list, proxies
 * that failed recently go last, and a proxy that fails in a way Chromium falls back on is marked bad before the next
 * entry is tried. A resolver that may block (a PAC script) runs on a small executor of its own, never on an event
 * loop.
 */
@Component(service = UpstreamConnector.class, configurationPid = "dev.ferry.connector")
@Designate(ocd = FallbackConnector.Config.class)
public class FallbackConnector implements UpstreamConnector {

    @ObjectClassDefinition(name = "Ferry upstream connector",
            description = "Proxy resolution with fallback over the connection pool")
    public @interface Config {
        @AttributeDefinition(description = "Threads that run resolvers which may block (PAC scripts)")
        int blockingResolverThreads() default 2;

        @AttributeDefinition(description = "Resolutions that may wait for a blocking-resolver thread; more are "
                + "refused with a proxy_configuration_error")
        int maxQueuedResolutions() default 1024;

        @AttributeDefinition(description = "Milliseconds a request waits for a proxy resolver while none is running "
                + "(its bundle is being updated or restarted); then it is answered 503")
        int serviceWaitMillis() default 5000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(FallbackConnector.class);

    private final ConnectionPool pool;
    private final DelegateChain delegates = new DelegateChain();
    private final AwaitedService<ProxyResolver> resolver;
    /** The resolver bundle's bad-proxy list; while it is missing (being updated) no proxy counts as bad. */
    private volatile BadProxies badProxies = NoBadProxies.INSTANCE;
    private final ThreadPoolExecutor blockingResolution;
    /** Resolutions waiting for (or in) a blocking resolver; at most {@code maxQueuedResolutions}. */
    private final AtomicInteger queuedCount = new AtomicInteger();
    private volatile boolean active = true;
    private volatile int maxQueued;

    @Activate
    public FallbackConnector(@Reference ConnectionPool pool, Config config) {
        validate(config);
        this.pool = pool;
        this.resolver = new AwaitedService<>("the proxy resolver (dev.ferry.resolver)", config.serviceWaitMillis());
        this.maxQueued = config.maxQueuedResolutions();
        AtomicInteger threads = new AtomicInteger();
        this.blockingResolution = new ThreadPoolExecutor(config.blockingResolverThreads(),
                config.blockingResolverThreads(), 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "ferry-resolve-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** For use outside OSGi (ferry-fetch): default settings; call {@link #bindResolver} before connecting. */
    public FallbackConnector(ConnectionPool pool, BadProxies badProxies) {
        this(pool, DefaultConfig.INSTANCE);
        this.badProxies = badProxies;
    }

    private static void validate(Config config) {
        if (config.blockingResolverThreads() < 1 || config.maxQueuedResolutions() < 1
                || config.serviceWaitMillis() < 0) {
            throw new IllegalArgumentException("dev.ferry.connector: blockingResolverThreads and "
                    + "maxQueuedResolutions must be positive and serviceWaitMillis >= 0, got "
                    + config.blockingResolverThreads() + ", " + config.maxQueuedResolutions() + " and "
                    + config.serviceWaitMillis());
        }
    }

    /** Thread count, queue limit and service wait change in place; resolutions in flight are not disturbed. */
    @Modified
    void modified(Config config) {
        try {
            validate(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{}; the connector keeps its settings", e.getMessage());
            return;
        }
        int threads = config.blockingResolverThreads();
        if (threads > blockingResolution.getMaximumPoolSize()) {
            blockingResolution.setMaximumPoolSize(threads);
            blockingResolution.setCorePoolSize(threads);
        } else {
            blockingResolution.setCorePoolSize(threads);
            blockingResolution.setMaximumPoolSize(threads);
        }
        maxQueued = config.maxQueuedResolutions();
        resolver.waitMillis(config.serviceWaitMillis());
        LOG.info("Upstream connector reconfigured: blockingResolverThreads={} maxQueuedResolutions={} "
                + "serviceWaitMillis={}", threads, maxQueued, config.serviceWaitMillis());
    }

    @Deactivate
    public void close() {
        // Stopped (its bundle updated or stopped): the engine already connects through the next connector. What
        // reached this one still finishes: queued resolutions run (each bounded by its resolver's time limit), and
        // the resolver and bad-proxy list stay bound for them.
        active = false;
        blockingResolution.shutdown();
    }

    @Reference(name = "resolver", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void bindResolver(ProxyResolver r, Map<String, Object> properties) {
        resolver.bind(r);
        LOG.info("Resolving with {} (service.ranking {})", r.getClass().getName(),
                properties.getOrDefault("service.ranking", 0));
    }

    public void unbindResolver(ProxyResolver r) {
        // A greedy reference binds the better resolver before it unbinds the old one.
        if (active) {
            resolver.unbind(r);
        }
    }

    @Reference(name = "badProxies", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindBadProxies(BadProxies list) {
        badProxies = list;
    }

    void unbindBadProxies(BadProxies list) {
        if (active && badProxies == list) {
            badProxies = NoBadProxies.INSTANCE;
        }
    }

    @Reference(name = "delegate", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindDelegate(ProxyDelegate delegate, Map<String, Object> properties) {
        delegates.add(delegate, properties);
    }

    public void unbindDelegate(ProxyDelegate delegate) {
        delegates.remove(delegate);
    }

    @Override
    public Future<UpstreamLease> connect(UpstreamRequest request, EventLoop loop) {
        Promise<UpstreamLease> result = loop.newPromise();
        ProxyResolver now = resolver.get();
        if (now != null) {
            connect(request, loop, result, now);
            return result;
        }
        Future<ProxyResolver> waiting = resolver.await(loop);
        result.addListener(f -> {
            if (f.isCancelled()) {
                waiting.cancel(false);
            }
        });
        waiting.addListener(f -> {
            if (f.isSuccess()) {
                connect(request, loop, result, waiting.getNow());
            } else if (!f.isCancelled()) {
                result.tryFailure(f.cause());
            }
        });
        return result;
    }

    private void connect(UpstreamRequest request, EventLoop loop, Promise<UpstreamLease> result,
            ProxyResolver current) {
        if (!current.mayBlock()) {
            // The walk down the list keeps its state on the request's event loop.
            if (loop.inEventLoop()) {
                resolveHere(request, loop, result, current);
            } else {
                loop.execute(() -> resolveHere(request, loop, result, current));
            }
            return;
        }
        if (queuedCount.incrementAndGet() > maxQueued) {
            queuedCount.decrementAndGet();
            result.tryFailure(new LimitReachedException("too many requests waiting for a blocking proxy resolver "
                    + "(dev.ferry.connector maxQueuedResolutions " + maxQueued + " reached)"));
            return;
        }
        result.addListener(f -> queuedCount.decrementAndGet());
        Runnable resolution = () -> resolveBlocking(request, loop, result, current);
        try {
            blockingResolution.execute(resolution);
        } catch (RejectedExecutionException stopped) {
            // Reached this connector just as it stopped: resolved all the same, once, off the event loops.
            CompletableFuture.runAsync(resolution);
        }
    }

    private void resolveBlocking(UpstreamRequest request, EventLoop loop, Promise<UpstreamLease> result,
            ProxyResolver current) {
        if (result.isDone()) {
            return;
        }
        ProxyList list = null;
        RuntimeException failure = null;
        try {
            list = current.resolve(request.url());
        } catch (RuntimeException e) {
            failure = e;
        }
        ProxyList chosen = list;
        RuntimeException failed = failure;
        try {
            loop.execute(() -> resolvedOrFailed(request, loop, result, chosen, failed));
        } catch (RejectedExecutionException e) {
            result.tryFailure(new ProxyResolutionException("the event loop is shutting down", e));
        }
    }

    private void resolveHere(UpstreamRequest request, EventLoop loop, Promise<UpstreamLease> result,
            ProxyResolver current) {
        try {
            resolvedOrFailed(request, loop, result, current.resolve(request.url()), null);
        } catch (RuntimeException e) {
            resolvedOrFailed(request, loop, result, null, e);
        }
    }

    private void resolvedOrFailed(UpstreamRequest request, EventLoop loop, Promise<UpstreamLease> result,
            ProxyList list, RuntimeException failure) {
        if (result.isDone()) {
            return;
        }
        if (failure != null) {
            result.tryFailure(failure instanceof ProxyResolutionException ? failure
                    : new ProxyResolutionException("resolver failed for " + request.url() + ": " + failure, failure));
            return;
        }
        if (list == null) {
            result.tryFailure(new ProxyResolutionException("resolver returned no proxy list for " + request.url(),
                    null));
            return;
        }
        BadProxies bad = badProxies;
        ProxyList chosen = bad.deprioritize(delegates.onResolveProxy(request.url(), list));
        request.events().resolved(request.url(), chosen);
        new FallbackAttempt(request, loop, result, chosen, pool, bad, delegates).start();
    }

    /** Defaults for {@link #FallbackConnector(ConnectionPool, BadProxies)}. */
    private enum DefaultConfig {
        ;
        static final Config INSTANCE = new Config() {
            @Override
            public int blockingResolverThreads() {
                return 2;
            }

            @Override
            public int maxQueuedResolutions() {
                return 1024;
            }

            @Override
            public int serviceWaitMillis() {
                return 0;
            }

            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return Config.class;
            }
        };
    }
}
