package dev.ferry.plugin.connectheaders.impl;

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.plugin.TunnelRejectedException;
import dev.ferry.api.plugin.TunnelResponse;
import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.proxy.ProxyServer;
import java.net.URI;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

/**
 * Keeps a delegate registered as a {@link ProxyDelegate} service under its {@code service.ranking}. Consumers order
 * delegates when they bind them, and a property change does not reorder them, so a new ranking is a new
 * registration: the new one is made before the old one goes, and the delegate is never missing for a CONNECT in
 * between. Each registration is an object of its own ({@link Registered}, forwarding to the delegate), because
 * consumers tell their delegates apart by identity; for that moment both are bound, and both add the same headers.
 */
final class DelegateRegistration {

    private final BundleContext context;
    private final ProxyDelegate delegate;
    /** What identifies the component in a listing: its configuration's service.pid, its component.name. */
    private final Map<String, Object> identity;
    private ServiceRegistration<ProxyDelegate> registration;
    private int ranking;

    DelegateRegistration(BundleContext context, ProxyDelegate delegate, Map<String, Object> identity) {
        this.context = context;
        this.delegate = delegate;
        this.identity = Map.copyOf(identity);
    }

    void register(int ranking) {
        this.ranking = ranking;
        registration = context.registerService(ProxyDelegate.class, new Registered(delegate), properties(ranking));
    }

    /** Registers again under {@code newRanking} when it differs; returns whether it did. */
    boolean rank(int newRanking) {
        if (registration == null || newRanking == ranking) {
            return false;
        }
        ServiceRegistration<ProxyDelegate> old = registration;
        register(newRanking);
        old.unregister();
        return true;
    }

    void unregister() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }

    private Dictionary<String, Object> properties(int ranking) {
        Hashtable<String, Object> properties = new Hashtable<>(identity);
        properties.put(Constants.SERVICE_RANKING, ranking);
        return properties;
    }

    /** The object one registration hands out: every hook goes to the delegate. */
    static final class Registered implements ProxyDelegate {
        private final ProxyDelegate delegate;

        Registered(ProxyDelegate delegate) {
            this.delegate = delegate;
        }

        @Override
        public ProxyList onResolveProxy(URI url, ProxyList proxies) {
            return delegate.onResolveProxy(url, proxies);
        }

        @Override
        public Map<String, String> onBeforeTunnelRequest(ProxyServer proxy, HostAndPort destination) {
            return delegate.onBeforeTunnelRequest(proxy, destination);
        }

        @Override
        public void onTunnelHeadersReceived(ProxyServer proxy, HostAndPort destination, TunnelResponse response)
                throws TunnelRejectedException {
            delegate.onTunnelHeadersReceived(proxy, destination, response);
        }

        @Override
        public void onFallback(ProxyServer badProxy, ProxyErrorType error, String details) {
            delegate.onFallback(badProxy, error, details);
        }

        @Override
        public void onSuccessAfterFailures(URI url, ProxyServer proxy, List<ProxyRetryInfo> failures) {
            delegate.onSuccessAfterFailures(url, proxy, failures);
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }
}
