package dev.ferry.pool.impl;

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.plugin.TunnelRejectedException;
import dev.ferry.api.plugin.TunnelResponse;
import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.proxy.ProxyServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ProxyDelegate} services in call order: highest {@code service.ranking} first, ties by lower
 * {@code service.id}. The list is copied on change (delegates come and go rarely, calls happen per tunnel), so calls
 * never lock. A delegate that throws a RuntimeException is logged and skipped: a plugin bug never breaks a connection.
 */
final class DelegateChain {

    private static final Logger LOG = LoggerFactory.getLogger(DelegateChain.class);

    /** A delegate and the service properties that order it. */
    private static final class Ranked {
        final ProxyDelegate delegate;
        final int ranking;
        final long serviceId;

        Ranked(ProxyDelegate delegate, int ranking, long serviceId) {
            this.delegate = delegate;
            this.ranking = ranking;
            this.serviceId = serviceId;
        }
    }

    private static final Comparator<Ranked> ORDER = Comparator.<Ranked>comparingInt(r -> -r.ranking)
            .thenComparingLong(r -> r.serviceId);

    private volatile List<Ranked> delegates = List.of();

    synchronized void add(ProxyDelegate delegate, Map<String, Object> properties) {
        Object ranking = properties.get("service.ranking");
        Object id = properties.get("service.id");
        List<Ranked> copy = new ArrayList<>(delegates);
        copy.add(new Ranked(delegate, ranking instanceof Integer ? (Integer) ranking : 0,
                id instanceof Number ? ((Number) id).longValue() : Long.MAX_VALUE));
        copy.sort(ORDER);
        delegates = List.copyOf(copy);
    }

    synchronized void remove(ProxyDelegate delegate) {
        List<Ranked> copy = new ArrayList<>(delegates);
        copy.removeIf(r -> r.delegate == delegate);
        delegates = List.copyOf(copy);
    }

    /** The extra CONNECT headers of every delegate, in ranking order (a later delegate's value for a name wins). */
    Map<String, String> tunnelRequestHeaders(ProxyServer proxy, HostAndPort destination) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Ranked r : delegates) {
            try {
                Map<String, String> extra = r.delegate.onBeforeTunnelRequest(proxy, destination);
                if (extra != null) {
                    extra.forEach((name, value) -> {
                        if (HeaderSyntax.isValid(name, value)) {
                            headers.put(name, value);
                        } else {
                            LOG.warn("ProxyDelegate {} returned an invalid CONNECT header name or value for {} "
                                    + "(name '{}'); skipped", name(r), proxy, HeaderSyntax.printable(name));
                        }
                    });
                }
            } catch (RuntimeException e) {
                LOG.warn("ProxyDelegate {} failed in onBeforeTunnelRequest({}, {}); skipped", name(r), proxy,
                        destination, e);
            }
        }
        return headers;
    }

    /**
     * Shows a 2xx CONNECT answer to every delegate.
     *
     * @throws RejectedTunnel when one of them refuses the tunnel
     */
    void tunnelEstablished(ProxyServer proxy, HostAndPort destination, TunnelResponse response)
            throws RejectedTunnel {
        for (Ranked r : delegates) {
            try {
                r.delegate.onTunnelHeadersReceived(proxy, destination, response);
            } catch (TunnelRejectedException e) {
                throw new RejectedTunnel(name(r), e);
            } catch (RuntimeException e) {
                LOG.warn("ProxyDelegate {} failed in onTunnelHeadersReceived({}, {}); skipped", name(r), proxy,
                        destination, e);
            }
        }
    }

    /** Lets every delegate change the resolved list in turn; a delegate returning null keeps the list it got. */
    ProxyList onResolveProxy(URI url, ProxyList proxies) {
        ProxyList current = proxies;
        for (Ranked r : delegates) {
            try {
                ProxyList changed = r.delegate.onResolveProxy(url, current);
                if (changed != null) {
                    current = changed;
                }
            } catch (RuntimeException e) {
                LOG.warn("ProxyDelegate {} failed in onResolveProxy({}); skipped", name(r), url, e);
            }
        }
        return current;
    }

    void onFallback(ProxyServer bad, ProxyErrorType error, String details) {
        for (Ranked r : delegates) {
            try {
                r.delegate.onFallback(bad, error, details);
            } catch (RuntimeException e) {
                LOG.warn("ProxyDelegate {} failed in onFallback({}); skipped", name(r), bad, e);
            }
        }
    }

    void onSuccessAfterFailures(URI url, ProxyServer proxy, List<ProxyRetryInfo> failures) {
        List<ProxyRetryInfo> copy = List.copyOf(failures);
        for (Ranked r : delegates) {
            try {
                r.delegate.onSuccessAfterFailures(url, proxy, copy);
            } catch (RuntimeException e) {
                LOG.warn("ProxyDelegate {} failed in onSuccessAfterFailures({}); skipped", name(r), url, e);
            }
        }
    }

    int size() {
        return delegates.size();
    }

    private static String name(Ranked r) {
        return r.delegate.getClass().getName();
    }

    /** A delegate refused a tunnel; says which one. */
    static final class RejectedTunnel extends Exception {
        private static final long serialVersionUID = 1L;

        final String delegate;

        RejectedTunnel(String delegate, TunnelRejectedException cause) {
            super(cause.getMessage(), cause);
            this.delegate = delegate;
        }
    }
}
