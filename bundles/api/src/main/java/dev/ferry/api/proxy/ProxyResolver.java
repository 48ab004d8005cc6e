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
     */
    ProxyList resolve(URI url);
}
