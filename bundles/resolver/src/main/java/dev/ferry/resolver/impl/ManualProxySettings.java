package dev.ferry.resolver.impl;

import dev.ferry.api.proxy.ProxyList;
import java.net.URI;
import java.util.function.Function;

/**
 * One consistent pair of proxy rules and bypass list, parsed together: the resolver swaps the whole pair in one step
 * when its configuration changes, so no URL is ever resolved with the new rules and the old bypass list.
 */
final class ManualProxySettings {

    private final ProxyRules rules;
    private final BypassRules bypass;

    private ManualProxySettings(ProxyRules rules, BypassRules bypass) {
        this.rules = rules;
        this.bypass = bypass;
    }

    /** @throws IllegalArgumentException naming the setting, its value and what is wrong with it */
    static ManualProxySettings parse(RulesProxyResolver.Config config) {
        return new ManualProxySettings(parse("rules", config.rules(), ProxyRules::parse),
                parse("bypass", config.bypass(), BypassRules::parse));
    }

    private static <T> T parse(String setting, String value, Function<String, T> parser) {
        try {
            return parser.apply(value == null ? "" : value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dev.ferry.resolver " + setting + " = '" + value + "' is invalid: "
                    + e.getMessage(), e);
        }
    }

    ProxyList resolve(URI url) {
        if (rules.isEmpty() || bypass.matches(url)) {
            return ProxyList.DIRECT;
        }
        return rules.forUrl(url);
    }

    @Override
    public String toString() {
        return "proxy rules: " + rules + "; bypass: " + bypass;
    }
}
