package dev.ferry.api.proxy;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Chromium's proxy retry info: proxies that recently failed with a fallback-worthy error. Until their retry time they
 * go last in every resolved list, so working proxies are tried first. {@link ProxyServer#DIRECT} is never marked.
 */
@ProviderType
public interface BadProxies {

    /** Marks {@code proxy} bad for the configured delay; marking DIRECT does nothing. */
    void markBad(ProxyServer proxy, ProxyErrorType error, String details);

    /** Forgets a proxy's failure, e.g. after it worked again. */
    void clear(ProxyServer proxy);

    /** Whether {@code proxy} is marked bad and its retry time has not come. */
    boolean isBad(ProxyServer proxy);

    /**
     * The same list with the proxies that are currently bad moved to the end, in their original relative order. A
     * list with only bad proxies is returned unchanged in order: they are still worth a try.
     */
    ProxyList deprioritize(ProxyList proxies);

    /** The proxies currently marked bad, soonest retry first. */
    List<ProxyRetryInfo> current();
}
