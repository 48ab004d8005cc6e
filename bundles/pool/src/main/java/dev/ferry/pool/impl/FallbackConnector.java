package dev.ferry.pool.impl;

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.proxy.BadProxies;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyResolutionException;
import dev.ferry.api.proxy.ProxyResolver;
import dev.ferry.api.upstream.ConnectionPool;
import dev.ferry.api.upstream.UpstreamConnection;
import dev.ferry.api.upstream.UpstreamConnector;
import dev.ferry.api.upstream.UpstreamRequest;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
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
    }

    private static final Logger LOG = LoggerFactory.getLogger(FallbackConnector.class);

    private final ConnectionPool pool;
    private final BadProxies badProxies;
    private final DelegateChain delegates = new DelegateChain();
    private final AtomicReference<ProxyResolver> resolver = new AtomicReference<>();
    private final ExecutorService blockingResolution;
    /** Requests waiting for (or in) a blocking resolution. */
    private final Set<Promise<UpstreamConnection>> queued = ConcurrentHashMap.newKeySet();

    @Activate
    public FallbackConnector(@Reference ConnectionPool pool, @Reference BadProxies badProxies, Config config) {
        if (config.blockingResolverThreads() < 1 || config.maxQueuedResolutions() < 1) {
            throw new IllegalArgumentException("blockingResolverThreads and maxQueuedResolutions must be positive, "
                    + "got " + config.blockingResolverThreads() + " and " + config.maxQueuedResolutions());
        }
        this.pool = pool;
        this.badProxies = badProxies;
        AtomicInteger threads = new AtomicInteger();
        this.blockingResolution = new ThreadPoolExecutor(config.blockingResolverThreads(),
                config.blockingResolverThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(config.maxQueuedResolutions()), r -> {
                    Thread t = new Thread(r, "ferry-resolve-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** For use outside OSGi (ferry-fetch): default settings; call {@link #bindResolver} before connecting. */
    public FallbackConnector(ConnectionPool pool, BadProxies badProxies) {
        this(pool, badProxies, DefaultConfig.INSTANCE);
    }

    @Deactivate
    public void close() {
        blockingResolution.shutdownNow();
        // Resolutions still queued never run now: their requests get an answer rather than a hang.
        for (Promise<UpstreamConnection> waiting : queued) {
            waiting.tryFailure(new ProxyResolutionException("the upstream connector stopped (reconfigured or "
                    + "shut down) before this request was resolved", null));
        }
    }

    @Reference(name = "resolver", policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public void bindResolver(ProxyResolver r, Map<String, Object> properties) {
        resolver.set(r);
        LOG.info("Resolving with {} (service.ranking {})", r.getClass().getName(),
                properties.getOrDefault("service.ranking", 0));
    }

    public void unbindResolver(ProxyResolver r) {
        // A greedy reference binds the better resolver before it unbinds the old one.
        resolver.compareAndSet(r, null);
    }

    @Reference(name = "delegate", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindDelegate(ProxyDelegate delegate, Map<String, Object> properties) {
        delegates.add(delegate, properties);
    }

    public void unbindDelegate(ProxyDelegate delegate) {
        delegates.remove(delegate);
    }

    @Override
    public Future<UpstreamConnection> connect(UpstreamRequest request, EventLoop loop) {
        Promise<UpstreamConnection> result = loop.newPromise();
        ProxyResolver current = resolver.get();
        if (current == null) {
            return result.setFailure(new ProxyResolutionException("no proxy resolver is registered", null));
        }
        if (!current.mayBlock()) {
            // The walk down the list keeps its state on the request's event loop.
            if (loop.inEventLoop()) {
                resolveHere(request, loop, result, current);
            } else {
                loop.execute(() -> resolveHere(request, loop, result, current));
            }
            return result;
        }
        queued.add(result);
        result.addListener(f -> queued.remove(result));
        try {
            blockingResolution.execute(() -> resolveBlocking(request, loop, result, current));
        } catch (RejectedExecutionException e) {
            result.tryFailure(new ProxyResolutionException("too many resolutions waiting for a blocking resolver "
                    + "(maxQueuedResolutions reached)", e));
        }
        return result;
    }

    private void resolveBlocking(UpstreamRequest request, EventLoop loop, Promise<UpstreamConnection> result,
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

    private void resolveHere(UpstreamRequest request, EventLoop loop, Promise<UpstreamConnection> result,
            ProxyResolver current) {
        try {
            resolvedOrFailed(request, loop, result, current.resolve(request.url()), null);
        } catch (RuntimeException e) {
            resolvedOrFailed(request, loop, result, null, e);
        }
    }

    private void resolvedOrFailed(UpstreamRequest request, EventLoop loop, Promise<UpstreamConnection> result,
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
        ProxyList chosen = badProxies.deprioritize(delegates.onResolveProxy(request.url(), list));
        request.events().resolved(request.url(), chosen);
        new FallbackAttempt(request, loop, result, chosen, pool, badProxies, delegates).start();
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
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return Config.class;
            }
        };
    }
}
