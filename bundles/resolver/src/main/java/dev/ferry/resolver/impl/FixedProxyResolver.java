package dev.ferry.resolver.impl;

import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyResolver;
import dev.ferry.api.proxy.ProxyServer;
import java.net.URI;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first resolver: every URL goes DIRECT, or every URL through one configured upstream HTTP proxy. Rules, bypass
 * lists and PAC scripts come with their own resolver.
 */
@Component(service = ProxyResolver.class, configurationPid = "dev.ferry.resolver")
@Designate(ocd = FixedProxyResolver.Config.class)
public class FixedProxyResolver implements ProxyResolver {

    @ObjectClassDefinition(name = "Ferry proxy resolver", description = "Where outgoing connections go")
    public @interface Config {
        @AttributeDefinition(description = "Upstream proxy for every request, as http://host:port; empty or "
                + "direct:// goes straight to the origin")
        String upstreamProxy() default "";
    }

    private static final Logger LOG = LoggerFactory.getLogger(FixedProxyResolver.class);

    private final ProxyList proxies;

    @Activate
    public FixedProxyResolver(Config config) {
        this.proxies = parse(config.upstreamProxy());
        LOG.info("Resolving every URL to {}", proxies);
    }

    static ProxyList parse(String upstreamProxy) {
        String text = upstreamProxy == null ? "" : upstreamProxy.trim();
        if (text.isEmpty()) {
            return ProxyList.DIRECT;
        }
        ProxyServer server;
        try {
            server = ProxyServer.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("upstreamProxy '" + text + "' is not a proxy: " + e.getMessage(), e);
        }
        if (server.scheme() != ProxyServer.Scheme.HTTP && !server.isDirect()) {
            throw new IllegalArgumentException("upstreamProxy '" + text + "': only http:// upstream proxies are "
                    + "supported by this resolver, not " + server.scheme());
        }
        return ProxyList.of(server);
    }

    @Override
    public ProxyList resolve(URI url) {
        return proxies;
    }
}
