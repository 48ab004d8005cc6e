package dev.ferry.plugin.connectheaders.impl;

import dev.ferry.api.plugin.ProxyDelegate;
import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyServer;
import java.util.HashMap;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds configured headers to the CONNECT requests Ferry sends to upstream proxies: a tag the upstream logs or routes
 * on, or a static {@code Proxy-Authorization} token for a corporate proxy. One component per factory configuration,
 * so different proxies can get different headers; {@code service.ranking} orders it among the other delegates.
 *
 * <p>A changed configuration applies in place: the next CONNECT gets the new {@code headers} and {@code proxies}. A
 * new {@code service.ranking} registers the delegate again under it ({@link DelegateRegistration}), which is why the
 * component registers its service itself rather than through DS. The configuration's other properties are not
 * service properties, so a token in {@code headers} never shows in a service listing. A change that does not parse
 * is refused with one ERROR line naming the entry, and the headers in use stay.
 */
// Immediate, so that a bad configuration fails (and is logged) when it is made, not at the first tunnel, and a
// broken instance never stays registered.
@Component(service = {}, configurationPid = ConnectHeadersDelegate.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
@Designate(ocd = ConnectHeadersDelegate.Config.class, factory = true)
public final class ConnectHeadersDelegate implements ProxyDelegate {

    static final String PID = "dev.ferry.plugin.connectheaders";
    private static final String COMPONENT_NAME = "component.name";

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

    /** Read once per CONNECT. */
    private volatile HeaderRule rule;
    private DelegateRegistration registration;

    @Activate
    public ConnectHeadersDelegate(Config config) {
        this.rule = HeaderRule.parse(config);
        LOG.info("CONNECT headers {}", rule);
    }

    @Activate
    void register(BundleContext context, Config config, Map<String, Object> properties) {
        Map<String, Object> identity = new HashMap<>();
        for (String key : new String[] {Constants.SERVICE_PID, COMPONENT_NAME}) {
            if (properties.get(key) != null) {
                identity.put(key, properties.get(key));
            }
        }
        registration = new DelegateRegistration(context, this, identity);
        registration.register(config.service_ranking());
    }

    @Modified
    void modified(Config config) {
        HeaderRule next;
        try {
            next = HeaderRule.parse(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; keeping CONNECT headers {}", PID, e.getMessage(), rule);
            return;
        }
        rule = next;
        LOG.info("CONNECT headers now {}", next);
        if (registration != null && registration.rank(config.service_ranking())) {
            LOG.info("CONNECT headers registered again with service.ranking {}", config.service_ranking());
        }
    }

    @Deactivate
    void unregister() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }

    @Override
    public Map<String, String> onBeforeTunnelRequest(ProxyServer proxy, HostAndPort destination) {
        return rule.forProxy(proxy);
    }
}
