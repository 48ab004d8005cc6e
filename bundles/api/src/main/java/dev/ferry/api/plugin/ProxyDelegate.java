package dev.ferry.api.plugin;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyRetryInfo;
import dev.ferry.api.proxy.ProxyServer;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Hooks into the way out, after Chromium's {@code ProxyDelegate}. Register one as an OSGi service; all registered
 * delegates are called in {@code service.ranking} order (highest first) and may come and go while the proxy runs.
 * Every method has a do-nothing default. Calls arrive on the proxy's I/O threads: return quickly, never block.
 */
@ConsumerType
public interface ProxyDelegate {

    /**
     * Called after resolution, before any connection is made.
     *
     * @param url the target, {@code https://host:port/} for tunnels
     * @param proxies what the resolver (and the delegates ranked higher) chose
     * @return the list to use instead, or {@code proxies} to keep it
     */
    default ProxyList onResolveProxy(URI url, ProxyList proxies) {
        return proxies;
    }

    /**
     * Called before a {@code CONNECT} is sent to an HTTP or HTTPS upstream proxy.
     *
     * @return extra request headers (name to value, in order) for the CONNECT; empty for none
     */
    default Map<String, String> onBeforeTunnelRequest(ProxyServer proxy, HostAndPort destination) {
        return Map.of();
    }

    /**
     * Called with an upstream proxy's successful (2xx) answer to {@code CONNECT}.
     *
     * @throws TunnelRejectedException to fail the tunnel; the client gets an error that quotes the message
     */
    default void onTunnelHeadersReceived(ProxyServer proxy, HostAndPort destination, TunnelResponse response)
            throws TunnelRejectedException {
    }

    /** {@code badProxy} failed and was marked bad; the next proxy in the list is tried. */
    default void onFallback(ProxyServer badProxy, ProxyErrorType error, String details) {
    }

    /**
     * A connection through {@code proxy} succeeded after the proxies before it in the list failed.
     *
     * @param failures the proxies that failed for this request, in the order they were tried
     */
    default void onSuccessAfterFailures(URI url, ProxyServer proxy, List<ProxyRetryInfo> failures) {
    }
}
