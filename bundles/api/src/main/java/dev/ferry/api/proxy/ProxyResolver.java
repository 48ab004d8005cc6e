package dev.ferry.api.proxy;

import java.net.URI;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides, per target URL, which proxies to go through. Several may be registered; the highest
 * {@code service.ranking} wins.
 */
@ConsumerType
public interface ProxyResolver {

    /**
     * @param url the target: {@code http://host:port/path} for forwarded requests, {@code https://host:port/} for
     *            CONNECT tunnels
     * @return the proxies to try, in order; never null
     * @throws ProxyResolutionException when the resolver cannot decide and its policy is to fail the request
     */
    ProxyList resolve(URI url);

    /**
     * Whether {@link #resolve} may block (a PAC script, a DNS lookup); callers then run it off their event loops.
     * Rule-based resolvers answer from memory and return false.
     */
    default boolean mayBlock() {
        return false;
    }
}
