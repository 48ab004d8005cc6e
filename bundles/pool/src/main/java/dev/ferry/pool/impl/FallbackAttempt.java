package dev.ferry.pool.impl;

import dev.ferry.api.proxy.BadProxies;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectEvents;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectionPool;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.api.upstream.UpstreamRequest;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's walk down its proxy list, on the request's event loop: connect through the next proxy; on a failure
 * Chromium falls back on, try the next; on any other failure, or when the list is exhausted, fail with that proxy's
 * error. When a later proxy works, the ones that failed are marked bad and the delegates told.
 */
final class FallbackAttempt {

    private static final Logger LOG = LoggerFactory.getLogger(FallbackAttempt.class);

    private final UpstreamRequest request;
    private final EventLoop loop;
    private final Promise<UpstreamLease> result;
    private final ProxyList proxies;
    private final ConnectionPool pool;
    private final BadProxies badProxies;
    private final DelegateChain delegates;
    private final List<ConnectJobException> failed = new ArrayList<>(0);
    private int index;
    private Future<UpstreamLease> pending;

    FallbackAttempt(UpstreamRequest request, EventLoop loop, Promise<UpstreamLease> result, ProxyList proxies,
            ConnectionPool pool, BadProxies badProxies, DelegateChain delegates) {
        this.request = request;
        this.loop = loop;
        this.result = result;
        this.proxies = proxies;
        this.pool = pool;
        this.badProxies = badProxies;
        this.delegates = delegates;
    }

    void start() {
        // The caller gives up: the connect job in flight stops and closes what it made.
        result.addListener(f -> {
            if (f.isCancelled() && pending != null) {
                pending.cancel(false);
            }
        });
        next();
    }

    private void next() {
        ProxyServer proxy = proxies.servers().get(index);
        PoolKey key = new PoolKey(proxy, request.group());
        ConnectEvents events = request.events();
        pending = request.tunnel() ? pool.connectTunnel(key, loop, events)
                : pool.acquire(key, loop, events, request.clientCodec());
        pending.addListener(f -> done(key, f));
    }

    private void done(PoolKey key, Future<?> f) {
        if (f.isCancelled()) {
            result.cancel(false);
            return;
        }
        if (f.isSuccess()) {
            UpstreamLease lease = (UpstreamLease) f.getNow();
            if (!result.trySuccess(lease)) {
                lease.close();
                return;
            }
            if (badProxies.isBad(key.proxy())) {
                // Every proxy was bad and this one was tried anyway: it works again.
                badProxies.clear(key.proxy());
            }
            reportFallbacks(key.proxy());
            return;
        }
        Throwable cause = f.cause();
        if (!(cause instanceof ConnectJobException) || !((ConnectJobException) cause).fallback()
                || index + 1 >= proxies.servers().size() || result.isDone()) {
            result.tryFailure(cause);
            return;
        }
        ConnectJobException failure = (ConnectJobException) cause;
        ProxyServer bad = key.proxy();
        failed.add(failure);
        LOG.info("{}: {} failed ({}: {}); trying {}", request, bad, failure.errorType().token(),
                failure.getMessage(), proxies.servers().get(index + 1));
        request.events().fallback(bad, failure);
        index++;
        next();
    }

    /**
     * As Chromium's proxy resolution service does on success: the proxies that failed before the one that worked
     * are marked bad and the delegates hear of each fallback. A request whose every proxy failed marks none: their
     * order would not change, and a network outage is not the proxies' fault.
     */
    private void reportFallbacks(ProxyServer worked) {
        if (failed.isEmpty()) {
            return;
        }
        List<ProxyRetryInfo> failures = new ArrayList<>(failed.size());
        for (ConnectJobException failure : failed) {
            badProxies.markBad(failure.proxy(), failure.errorType(), failure.getMessage());
            failures.add(retryInfo(failure.proxy(), failure.errorType(), failure.getMessage()));
            delegates.onFallback(failure.proxy(), failure.errorType(), failure.getMessage());
        }
        delegates.onSuccessAfterFailures(request.url(), worked, failures);
    }

    private ProxyRetryInfo retryInfo(ProxyServer proxy, ProxyErrorType error, String details) {
        for (ProxyRetryInfo info : badProxies.current()) {
            if (info.proxy().equals(proxy)) {
                return info;
            }
        }
        Instant now = Instant.now();
        return new ProxyRetryInfo(proxy, error, details, now, now);
    }
}
