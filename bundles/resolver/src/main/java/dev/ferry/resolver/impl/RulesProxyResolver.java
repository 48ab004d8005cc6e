package dev.ferry.resolver.impl;

import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyResolver;
import java.net.URI;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chromium's manual proxy settings: proxy rules per URL scheme ({@link ProxyRules}) and a bypass list
 * ({@link BypassRules}). Answers from memory, so callers may run it on their event loops. Settings that do not parse
 * fail activation with the setting, the value and the reason in the log, and this resolver is not offered until they
 * are fixed. Immediate, so a bad setting shows in the log when it is made rather than at the first request.
 *
 * <p>A changed configuration applies in place: the next URL resolved gets the new rules and bypass list, and the
 * service stays registered throughout. A change that does not parse is refused with one ERROR line naming the
 * setting, and the rules in force stay.
 */
@Component(service = ProxyResolver.class, configurationPid = "dev.ferry.resolver", immediate = true,
        property = Constants.SERVICE_RANKING + ":Integer=0")
@Designate(ocd = RulesProxyResolver.Config.class)
public class RulesProxyResolver implements ProxyResolver {

    @ObjectClassDefinition(name = "Ferry proxy rules", description = "Which upstream proxies each target URL goes "
            + "through, in Chromium's --proxy-server and --proxy-bypass-list syntax")
    public @interface Config {
        @AttributeDefinition(name = "Proxy rules", description = "Empty: DIRECT for every URL. One list for every "
                + "URL: 'proxy:3128' or 'https://p:443,direct://' (comma-separated, in fallback order). Per URL "
                + "scheme: 'http=foopy:80;https=socks5://s:1080,direct://;socks=socks4://x' (socks= serves every "
                + "scheme without its own list; others go DIRECT). Entries: [scheme://]host[:port] with http, https, "
                + "socks4, socks5, or direct://")
        String rules() default "";

        @AttributeDefinition(name = "Bypass list", description = "URLs that go DIRECT, separated by ',' ';' or "
                + "spaces: '*.example.com', '.example.com', 'foo*.com:8080', 'https://a.test', '10.1.2.3', "
                + "'[::1]:8080', '192.168.0.0/16', 'fe80::/10', '<local>' (names without a dot). localhost, "
                + "loopback and link-local destinations always go DIRECT unless the list has '<-loopback>'")
        String bypass() default "";
    }

    private static final Logger LOG = LoggerFactory.getLogger(RulesProxyResolver.class);

    /** Read once per URL, so each resolution sees one consistent pair of rules and bypass list. */
    private volatile ManualProxySettings settings;

    @Activate
    public RulesProxyResolver(Config config) {
        this.settings = ManualProxySettings.parse(config);
        LOG.info("Resolving with {}", settings);
    }

    @Modified
    void modified(Config config) {
        ManualProxySettings next;
        try {
            next = ManualProxySettings.parse(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{}; keeping {}", e.getMessage(), settings);
            return;
        }
        settings = next;
        LOG.info("Now resolving with {}", next);
    }

    @Override
    public ProxyList resolve(URI url) {
        return settings.resolve(url);
    }

    @Override
    public boolean mayBlock() {
        return false;
    }
}
