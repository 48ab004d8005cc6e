package dev.ferry.plugin.headers.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.HeaderEdit;
import dev.ferry.api.exchange.ResponseHead;
import dev.ferry.api.exchange.Verdict;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * Header rules: sets, adds and removes headers of the requests the proxy forwards ({@code requestHeaders}) and of
 * the origin's responses ({@code responseHeaders}), and on demand tells the origin who the client is
 * ({@code xForwardedFor}, {@code forwarded}). A CONNECT is left alone: its headers never reach an origin.
 *
 * <p>Threading: the edits are computed on the calling I/O thread, from the configuration alone and the request's
 * client and headers, and returned as an already completed stage; nothing blocks, no thread of its own.
 *
 * <p>Works without a configuration, with the defaults, which do nothing: then no hook is registered at all
 * ({@link HookRegistration}), since every registered hook costs every exchange. A change applies in place: exchanges
 * that start after it get the new edits. A change that does not parse is refused as a whole with one ERROR line
 * naming the setting and entry, and the edits in force stay; at activation a bad configuration fails the component.
 * The ranking is below the shipped acl (1000) and auth (2000) plugins', so they decide first and the auth plugin has
 * already removed {@code Proxy-Authorization}.
 */
// Immediate, so that a bad configuration fails (and is logged) when it is made, not at the first request.
@Component(name = HeaderRulesHook.PID, service = {}, configurationPid = HeaderRulesHook.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = HeaderRulesHook.Config.class)
public final class HeaderRulesHook implements ExchangeHook {

    static final String PID = "dev.ferry.headers";
    private static final String COMPONENT_NAME = "component.name";

    @ObjectClassDefinition(name = "Ferry plugin: header rules", description = "Sets, adds and removes headers of"
            + " forwarded requests and of origin responses, and adds X-Forwarded-For and Forwarded (RFC 7239) on"
            + " demand. With nothing configured no hook is registered")
    public @interface Config {
        @AttributeDefinition(name = "Request header rules", description = "Applied in order to each forwarded"
                + " request (not to CONNECT). Each 'set Name: value' (replaces every value), 'add Name: value' (one"
                + " more value) or 'remove Name'. Not for the headers the proxy owns: Content-Length,"
                + " Transfer-Encoding, Connection, Keep-Alive, Proxy-Connection, Upgrade, TE, Trailer, Host,"
                + " Proxy-Authorization, Proxy-Authenticate", required = false)
        String[] requestHeaders() default {};

        @AttributeDefinition(name = "Response header rules", description = "Applied in order to the head of each"
                + " origin response; the same syntax as the request rules", required = false)
        String[] responseHeaders() default {};

        @AttributeDefinition(name = "X-Forwarded-For", description = "Append the client's IP address to"
                + " X-Forwarded-For of forwarded requests (set it when absent)")
        boolean xForwardedFor() default false;

        @AttributeDefinition(name = "Forwarded", description = "Append 'for=<client>;proto=http' (RFC 7239; an IPv6"
                + " client as for=\"[2001:db8::1]\"; proto=https for an https:// target) to Forwarded of forwarded"
                + " requests")
        boolean forwarded() default false;

        @AttributeDefinition(name = "Ranking", description = "Order among the exchange hooks, highest called first;"
                + " below the access control (1000) and authentication (2000) plugins, so that they decide first")
        int service_ranking() default 100;
    }

    private static final Logger LOG = LoggerFactory.getLogger(HeaderRulesHook.class);

    /** Read once per call, so one exchange's edits never mix old and new settings. */
    private volatile HeaderPolicy policy;
    private HookRegistration registration;

    @Activate
    public HeaderRulesHook(Config config) {
        this.policy = parse(config);
        LOG.info("Header rules: {}", policy);
    }

    private static HeaderPolicy parse(Config config) {
        try {
            return HeaderPolicy.of(config);
        } catch (IllegalArgumentException e) {
            // SCR logs the failed activation too, but under its own name; this line names the plugin and the entry
            LOG.error("{}: {}", PID, e.getMessage());
            throw new IllegalArgumentException(PID + ": " + e.getMessage(), e);
        }
    }

    @Activate
    void register(BundleContext context, Config config, Map<String, Object> properties) {
        Map<String, Object> identity = new HashMap<>();
        for (String key : new String[] {Constants.SERVICE_PID, COMPONENT_NAME}) {
            if (properties.get(key) != null) {
                identity.put(key, properties.get(key));
            }
        }
        registration = new HookRegistration(context, this, identity);
        log(registration.update(policy.hasWork(), config.service_ranking()), config.service_ranking());
    }

    @Modified
    void modified(Config config) {
        HeaderPolicy next;
        try {
            next = HeaderPolicy.of(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; keeping {}", PID, e.getMessage(), policy);
            return;
        }
        // the policy first: a hook registered from here on must already answer with it
        policy = next;
        LOG.info("Header rules now: {}", next);
        if (registration != null) {
            log(registration.update(next.hasWork(), config.service_ranking()), config.service_ranking());
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }

    private static void log(HookRegistration.Change change, int ranking) {
        switch (change) {
            case REGISTERED:
                LOG.info("Header rules registered with service.ranking {}", ranking);
                break;
            case REGISTERED_AGAIN:
                LOG.info("Header rules registered again with service.ranking {}", ranking);
                break;
            case UNREGISTERED:
                LOG.info("Header rules unregistered: nothing to do");
                break;
            default:
                break;
        }
    }

    @Override
    public CompletionStage<Verdict> onRequest(ClientRequest request) {
        return CompletableFuture.completedFuture(policy.requestVerdict(request));
    }

    @Override
    public List<HeaderEdit> onResponse(ClientRequest request, ResponseHead response) {
        // a tunnel's response is the proxy's own, never an origin's; guarded in case an engine ever passes one
        return request.isConnect() ? List.of() : policy.responseEdits();
    }

    @Override
    public String toString() {
        return PID;
    }
}
