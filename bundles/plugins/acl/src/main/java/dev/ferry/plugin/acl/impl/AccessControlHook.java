package dev.ferry.plugin.acl.impl;

import dev.ferry.api.exchange.ClientRequest;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.exchange.Verdict;
import java.util.HashMap;
import java.util.Map;
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
 * Access control for the proxy, after Squid's defaults: CONNECT only to the TLS ports, no relaying into the proxy's
 * own host and networks, then the operator's ordered allow/deny {@code rules}. The order of the checks is
 * {@code connectPorts}, then the rules (the first that matches decides; an {@code allow} ends the evaluation and so
 * also lets through a destination the next check would refuse: {@code allow dest=10.1.0.0/16} opens that range),
 * then {@code denyPrivateDestinations} for what no rule allowed (see {@link AccessPolicy}). A request nothing denied
 * proceeds. Every denial is one INFO line naming the rule or setting and the request.
 *
 * <p>Threading: the decision is made on the calling I/O thread and returned as an already completed stage whenever
 * it needs no name resolved (IP literal destinations, and every request a rule or {@code connectPorts} decides
 * before a {@code dest=} condition or the private check is reached; through a loopback listener only {@code dest=}
 * conditions ever resolve). Otherwise the name is resolved on {@link DestinationLookups}' own threads and the stage
 * completes there. The connection resolves the name again when it connects, so a DNS answer that changes in between
 * (DNS rebinding) is not caught by {@code denyPrivateDestinations}; the JDK's short address cache, shared by both
 * lookups, narrows that window.
 *
 * <p>Works without a configuration, with the defaults. A change applies in place: the next request is decided by the
 * new policy. A change that does not parse is refused with one ERROR line naming the setting and entry, and the
 * policy in force stays; at activation a bad configuration fails the component. The component registers its service
 * itself ({@link HookRegistration}) rather than through DS, because the engine reads {@code service.ranking} and
 * {@value #RESTRICTS_CLIENTS} only when it binds a hook: a change of either registers the hook again, without a
 * moment in which it is missing.
 */
// Immediate, so that a bad configuration fails (and is logged) when it is made, not at the first request.
@Component(name = AccessControlHook.PID, service = {}, configurationPid = AccessControlHook.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = AccessControlHook.Config.class)
public final class AccessControlHook implements ExchangeHook {

    static final String PID = "dev.ferry.acl";
    /** Tells the engine the rules refuse clients by address, so that a listener on a public address is not open. */
    static final String RESTRICTS_CLIENTS = "dev.ferry.exchange.restrictsClients";
    private static final String COMPONENT_NAME = "component.name";

    @ObjectClassDefinition(name = "Ferry plugin: access control", description = "Which requests the proxy serves:"
            + " CONNECT ports, then ordered allow/deny rules (first match wins), then no relaying to loopback,"
            + " link-local and private addresses for what no rule allowed")
    public @interface Config {
        @AttributeDefinition(name = "Rules", description = "Checked in order after connectPorts; the first that"
                + " matches decides, an allow also skips denyPrivateDestinations; none matching: allow. Each"
                + " 'allow|deny <condition> ...' (all must hold), or 'allow all'/'deny all'. Conditions, each"
                + " key=value[,value...], '!' before the values negates: client=<CIDR> (IPv4/IPv6), listener=<name>,"
                + " user=<name> (* any authenticated user, - none), method=<METHOD>, host=<name> (*.example.com:"
                + " example.com and every name under it), dest=<CIDR> (an IP destination, or a name resolving into"
                + " it), port=<n>|<a-b>. E.g. 'allow client=10.0.0.0/8', 'deny port=25', 'deny all'",
                required = false)
        String[] rules() default {};

        @AttributeDefinition(name = "CONNECT ports", description = "Ports a CONNECT may reach, e.g. 443 or"
                + " 8443-8444; any other is denied (destination_port_prohibited) before the rules are asked. Empty:"
                + " every port", required = false)
        String[] connectPorts() default {"443"};

        @AttributeDefinition(name = "Deny private destinations", description = "Through a listener socket that is"
                + " not a loopback address, deny requests no rule allowed to loopback (127.0.0.0/8, ::1), link-local"
                + " (169.254.0.0/16, fe80::/10), private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) and"
                + " unspecified (0.0.0.0/8, ::) addresses; names are resolved and every address is checked"
                + " (destination_ip_prohibited)")
        boolean denyPrivateDestinations() default true;

        @AttributeDefinition(name = "Ranking", description = "Order among the exchange hooks, highest called first;"
                + " below the authentication plugin's 2000 so that user= sees the user it established")
        int service_ranking() default 1000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(AccessControlHook.class);

    /** Read once per request, so one decision never mixes old and new settings. */
    private volatile AccessPolicy policy;
    private final DestinationLookups lookups;
    private HookRegistration registration;

    @Activate
    public AccessControlHook(Config config) {
        this(parse(config), new DestinationLookups());
    }

    /** With lookups on threads of the test's choosing. */
    AccessControlHook(Config config, DestinationLookups lookups) {
        this(parse(config), lookups);
    }

    private AccessControlHook(AccessPolicy policy, DestinationLookups lookups) {
        this.policy = policy;
        this.lookups = lookups;
        LOG.info("Access control: {}", policy);
    }

    private static AccessPolicy parse(Config config) {
        try {
            return AccessPolicy.of(config);
        } catch (IllegalArgumentException e) {
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
        registration.register(config.service_ranking(), policy.restrictsClients());
    }

    @Modified
    void modified(Config config) {
        AccessPolicy next;
        try {
            next = AccessPolicy.of(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{}: {}; keeping {}", PID, e.getMessage(), policy);
            return;
        }
        policy = next;
        LOG.info("Access control now: {}", next);
        if (registration != null && registration.update(config.service_ranking(), next.restrictsClients())) {
            LOG.info("Access control registered again with service.ranking {} and {}={}",
                    config.service_ranking(), RESTRICTS_CLIENTS, next.restrictsClients());
        }
    }

    @Deactivate
    void deactivate() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        lookups.close();
    }

    @Override
    public CompletionStage<Verdict> onRequest(ClientRequest request) {
        AccessPolicy now = policy;
        Decision decision = now.decide(request, null);
        if (decision != Decision.NEEDS_LOOKUP) {
            logIfDenied(request, decision);
            return decision.answer();
        }
        return lookups.resolveThen(request.host(), addresses -> {
            Decision resolved = now.decide(request, addresses);
            logIfDenied(request, resolved);
            return resolved.verdict();
        });
    }

    /** Debug only: the engine logs every refusal at INFO, once, with its text (which names the rule). */
    private static void logIfDenied(ClientRequest request, Decision decision) {
        if (decision.denies() && LOG.isDebugEnabled()) {
            LOG.debug("{}: denied {} by {}", PID, request, decision.deniedBy());
        }
    }

    @Override
    public String toString() {
        return PID;
    }
}
