package dev.ferry.plugin.connectheaders.impl;

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyServer;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds configured headers to the CONNECT requests Ferry sends to upstream proxies: a tag the upstream logs or routes
 * on, or a static {@code Proxy-Authorization} token for a corporate proxy. One component per factory configuration,
 * so different proxies can get different headers; {@code service.ranking} passes through to the service and orders
 * it among the other delegates.
 */
// Immediate, so that a bad configuration fails (and is logged) when it is made, not at the first tunnel, and a
// broken instance never stays registered.
@Component(service = ProxyDelegate.class, configurationPid = ConnectHeadersDelegate.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = ConnectHeadersDelegate.Config.class, factory = true)
public final class ConnectHeadersDelegate implements ProxyDelegate {

    static final String PID = "dev.ferry.plugin.connectheaders";

    @ObjectClassDefinition(name = "Ferry plugin: CONNECT headers",
            description = "Extra headers for the CONNECT requests sent to upstream HTTP/HTTPS proxies")
    public @interface Config {
        @AttributeDefinition(name = "Headers", description = "One 'Name: value' per entry, e.g. "
                + "'Proxy-Authorization: Basic dXNlcjpwYXNz' or 'X-Ferry-Tag: edge-1'. Names must be HTTP tokens, "
                + "values printable ASCII; Host, Content-Length, Transfer-Encoding and Connection are refused.")
        String[] headers() default {};

        @AttributeDefinition(name = "Upstream proxies", description = "The proxies that get the headers, as "
                + "[scheme://]host[:port] (http or https, port defaults to the scheme's); empty: every upstream "
                + "proxy", required = false)
        String[] proxies() default {};

        @AttributeDefinition(name = "Ranking", description = "Order among the plugins, highest called first")
        int service_ranking() default 0;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConnectHeadersDelegate.class);

    private final ConnectHeaders headers;
    private final TargetProxies proxies;

    @Activate
    public ConnectHeadersDelegate(Config config) {
        this.headers = ConnectHeaders.parse(config.headers());
        this.proxies = TargetProxies.parse(config.proxies());
        LOG.info("CONNECT headers {} for {}", headers, proxies);
    }

    @Override
    public Map<String, String> onBeforeTunnelRequest(ProxyServer proxy, HostAndPort destination) {
        return proxies.matches(proxy) ? headers.asMap() : Map.of();
    }
}
