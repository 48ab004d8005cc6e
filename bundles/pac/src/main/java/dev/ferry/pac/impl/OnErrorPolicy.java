package dev.ferry.pac.impl;

import dev.ferry.api.proxy.ProxyList;
import dev.ferry.api.proxy.ProxyResolutionException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a URL gets when the PAC script cannot answer for it: the {@code onError} setting. */
enum OnErrorPolicy {

    /** Go straight to the origin, as browsers do when their PAC script fails; the reason is logged. */
    DIRECT {
        @Override
        ProxyList apply(PacScriptException failure) {
            LOG.warn("{}; going DIRECT (onError=DIRECT)", failure.getMessage());
            return ProxyList.DIRECT;
        }
    },

    /** Fail the request with the reason (the client gets proxy_configuration_error). */
    FAIL {
        @Override
        ProxyList apply(PacScriptException failure) {
            throw new ProxyResolutionException(failure.getMessage(), failure);
        }
    };

    private static final Logger LOG = LoggerFactory.getLogger(OnErrorPolicy.class);

    abstract ProxyList apply(PacScriptException failure);

    static OnErrorPolicy parse(String value) {
        String name = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        for (OnErrorPolicy policy : values()) {
            if (policy.name().equals(name)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("onError must be DIRECT or FAIL, not '" + value + "'");
    }
}
