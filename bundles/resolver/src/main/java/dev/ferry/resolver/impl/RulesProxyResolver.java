package dev.ferry.resolver.impl;

import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyResolver;
import java.net.URI;
import java.util.function.Function;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
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

    private final ProxyRules rules;
    private final BypassRules bypass;

    @Activate
    public RulesProxyResolver(Config config) {
        this.rules = parse("rules", config.rules(), ProxyRules::parse);
        this.bypass = parse("bypass", config.bypass(), BypassRules::parse);
        LOG.info("Proxy rules: {}; bypass: {}", rules, bypass);
    }

    private static <T> T parse(String setting, String value, Function<String, T> parser) {
        try {
            return parser.apply(value == null ? "" : value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dev.ferry.resolver " + setting + " = '" + value + "' is invalid: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public ProxyList resolve(URI url) {
        if (rules.isEmpty() || bypass.matches(url)) {
            return ProxyList.DIRECT;
        }
        return rules.forUrl(url);
    }

    @Override
    public boolean mayBlock() {
        return false;
    }
}
