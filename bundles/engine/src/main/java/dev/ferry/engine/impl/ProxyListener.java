package dev.ferry.engine.impl;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.codec.ListenerClosing;
import dev.ferry.api.codec.ProtocolNegotiator;
import dev.ferry.api.codec.ServerCodec;
import dev.ferry.api.exchange.ExchangeHook;
import dev.ferry.api.spi.RevisionClasses;
import dev.ferry.api.spi.Transport;
import dev.ferry.api.spi.TunnelRelay;
import dev.ferry.api.upstream.UpstreamConnector;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxy listener per factory configuration: a socket (plain, or TLS with protocol negotiation) whose
 * connections get the codec of their protocol and an {@link ExchangeHandler} per exchange channel. The codecs
 * offered are those registered at the moment a connection arrives.
 */
@Component(service = {}, configurationPid = ProxyListener.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ProxyListener.Config.class, factory = true)
public class ProxyListener implements StopDrain.Drainable {

    static final String PID = "dev.ferry.listener";
    /** {@code ComponentConstants.DEACTIVATION_REASON_BUNDLE_STOPPED} (DS 1.1), without the whole DS API for one int. */
    private static final int DEACTIVATION_REASON_BUNDLE_STOPPED = 6;

    @ObjectClassDefinition(name = "Ferry proxy listener", description = "A socket that accepts proxy clients")
    public @interface Config {
        @AttributeDefinition(description = "Name of this listener, for logs and the console")
        String name() default "proxy";

        @AttributeDefinition(description = "Address to bind; 127.0.0.1 keeps the proxy to this machine")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "TCP port")
        int port() default 3128;

        @AttributeDefinition(description = "Terminate TLS (an HTTPS proxy) and negotiate the protocol with ALPN")
        boolean tls() default false;

        @AttributeDefinition(description = "Protocols in preference order for negotiation; only registered codecs "
                + "are offered, unlisted ones after these")
        String[] protocols() default {"h2", "spdy/3.1", "http/1.1"};

        @AttributeDefinition(description = "Seconds a client connection may sit idle between requests")
        int idleTimeoutSeconds() default 120;

        @AttributeDefinition(description = "Seconds open connections get to finish their exchanges when the listener "
                + "closes (SPDY sessions get GOAWAY at once); then they are closed")
        int drainTimeoutSeconds() default 30;

        @AttributeDefinition(description = "How upstream connections are shared: client = per client address (each "
                + "client gets its own pool partition and per-group limits, as each browser has its own), none = all "
                + "clients of this listener share one partition")
        String poolPartition() default "client";

        @AttributeDefinition(description = "Milliseconds a request waits for a service it needs (connector, relay, "
                + "client codec) while that service is missing, e.g. during a bundle update; then it is answered 503")
        int serviceWaitMillis() default 5000;

        @AttributeDefinition(description = "Milliseconds the listening socket of a stopped listener keeps accepting "
                + "(holding new connections unread) for a listener that takes it over, e.g. after an update of the "
                + "engine bundle; then it closes")
        int handoverMillis() default 10000;

        @AttributeDefinition(description = "Seconds an origin (or upstream proxy) may take to start its response once "
                + "the whole request has gone to it; then the client gets 504 (http_response_timeout)")
        int responseTimeoutSeconds() default 60;

        @AttributeDefinition(description = "Protocols a client may switch to through this proxy with an HTTP/1.1 "
                + "Upgrade (e.g. websocket): the proxy passes the Upgrade on, relays the origin's 101 and then "
                + "carries both connections as a tunnel. Upgrades to other protocols go on without it")
        String[] upgradeProtocols() default {"websocket"};

        @AttributeDefinition(description = "Milliseconds a plugin (exchange hook) may take to decide about a request; "
                + "a plugin that does not answer in time gets the request failed with 500 naming it")
        int pluginTimeoutMillis() default 5000;

        @AttributeDefinition(description = "Serve on an address other than loopback although no plugin restricts "
                + "who may use it (dev.ferry.auth, or a client= rule of dev.ferry.acl): anyone who reaches the "
                + "address can relay through it to anything (an open proxy). Without it, or a restricting plugin, "
                + "such a listener does not serve")
        boolean openProxy() default false;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ProxyListener.class);

    /** Made before activation: DS binds the dynamic references first. */
    private final ExchangeServices services = new ExchangeServices(5000, true, 5000);
    private final ConnectionSetup setup = new ConnectionSetup(services, 5000);
    /** What a new connection gets; swapped as a whole by a configuration edit. */
    private volatile ListenerSettings settings;
    /** The transport registered now, or null while there is none (its bundle being updated). */
    private Transport transport;
    /** The socket accepting now and the connections it accepted; null until a transport is there. */
    private volatile ListenerSocket socket;
    /** The transport {@code socket} was bound with. */
    private Transport socketTransport;
    private boolean active;

    /** Holds the proxy's stop until this listener's connections have drained. */
    @Reference
    private StopDrain stopDrain;

    @Activate
    synchronized void activate(Config config, BundleContext context) throws InterruptedException {
        stopDrain.add(this);
        // Connections drain on this revision after an update: every class they may need is loaded now.
        RevisionClasses.loadAll(context.getBundle());
        ListenerSettings initial = ListenerSettings.of(config);
        settings = initial;
        services.configure(initial.name, initial.serviceWaitMillis, initial.partitionByClient,
                initial.pluginTimeoutMillis);
        services.responseTimeoutSeconds(initial.responseTimeoutSeconds);
        services.upgradeProtocols(initial.upgradeProtocols);
        setup.serviceWaitMillis(initial.serviceWaitMillis);
        active = true;
        if (refused(initial)) {
            return;
        }
        if (transport == null) {
            LOG.info("Listener {} waits for a transport (dev.ferry.transport) to bind {}:{}", initial.name,
                    initial.host, initial.port);
            return;
        }
        socket = ListenerSocket.bind(transport, initial, this::accept);
        socketTransport = transport;
    }

    /** Logs why {@code s} must not serve (an open proxy not asked for), if it must not. */
    private boolean refused(ListenerSettings s) {
        String refusal = s.openProxyRefusal(services.hooks.restrictClients());
        if (refusal != null) {
            LOG.error(refusal);
        }
        return refusal != null;
    }

    /**
     * A configuration edit applies in place: new connections get the new protocols and timeouts, the partition and
     * service wait apply to new exchanges. Only a new host, port or tls re-binds: the new socket accepts while the
     * connections of the old one finish their exchanges and close (drain). An invalid edit is refused as a whole.
     */
    @Modified
    synchronized void modified(Config config) throws InterruptedException {
        ListenerSettings next;
        try {
            next = ListenerSettings.of(config);
        } catch (IllegalArgumentException e) {
            LOG.error("{}; the listener keeps its settings", e.getMessage());
            return;
        }
        ListenerSettings previous = settings;
        services.configure(next.name, next.serviceWaitMillis, next.partitionByClient, next.pluginTimeoutMillis);
        services.responseTimeoutSeconds(next.responseTimeoutSeconds);
        services.upgradeProtocols(next.upgradeProtocols);
        setup.serviceWaitMillis(next.serviceWaitMillis);
        if (refused(next)) {
            settings = next;
            if (socket != null) {
                socket.close(previous.drainTimeoutSeconds, 0);
                socket = null;
            }
            return;
        }
        if (socket == null && transport != null) {
            // It did not serve before (refused as an open proxy): it does now.
            settings = next;
            rebind(transport, next, next);
            return;
        }
        if (next.sameSocket(previous) || transport == null) {
            settings = next;
            LOG.info("Listener {} reconfigured in place: {}", next.name, next);
            return;
        }
        rebind(transport, next, previous);
    }

    /**
     * A new transport (its bundle updated): the socket itself moves to it, with the connections in its accept queue
     * (or, where it cannot move, a new one is bound next to it with SO_REUSEPORT), so that no connection is refused;
     * the old socket's connections stay on the old event loops, finish their exchanges and close.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindTransport")
    synchronized void bindTransport(Transport newTransport) throws InterruptedException {
        transport = newTransport;
        if (active && settings.openProxyRefusal(services.hooks.restrictClients()) == null) {
            rebind(newTransport, settings, settings);
        }
    }

    synchronized void unbindTransport(Transport gone) {
        // The socket stays: the old transport keeps it (and its event loops) while its connections drain, until a
        // new transport takes its place.
        if (transport == gone) {
            transport = null;
        }
    }

    /** Binds {@code next}'s socket on {@code target}; the old socket is handed over (same address) or drained. */
    private void rebind(Transport target, ListenerSettings next, ListenerSettings previous)
            throws InterruptedException {
        ListenerSocket old = socket;
        boolean takeOver = old != null && socketTransport == target && next.sameAddress(previous);
        if (takeOver) {
            old.close(previous.drainTimeoutSeconds, Math.max(previous.handoverMillis, 1000));
        }
        ListenerSocket rebound;
        try {
            boolean move = old != null && !takeOver && socketTransport != target && next.sameAddress(previous);
            rebound = ListenerSocket.bind(target, next, this::accept, move ? old : null);
        } catch (IllegalStateException e) {
            if (old == null || takeOver || !next.sameAddress(previous)) {
                LOG.error("{}; the listener keeps its previous socket", e.getMessage());
                return;
            }
            // The old socket holds the address (no SO_REUSEPORT here): free it first, a moment without a listener.
            old.close(previous.drainTimeoutSeconds, 0);
            old = null;
            try {
                rebound = ListenerSocket.bind(target, next, this::accept);
            } catch (IllegalStateException again) {
                LOG.error("{}; the listener has no socket now", again.getMessage());
                socket = null;
                return;
            }
        }
        settings = next;
        socket = rebound;
        socketTransport = target;
        if (old != null && !takeOver) {
            if (next.sameAddress(previous)) {
                // Moved to the new transport (then this closes nothing but the old connections), or bound next to
                // it: nothing tells clients to go elsewhere, so it closes now.
                old.close(previous.drainTimeoutSeconds, 0);
            } else {
                old.retire(previous.drainTimeoutSeconds);
            }
        }
    }

    /**
     * @param reason why DS deactivates: a stopping bundle (stopped, or being updated) releases its socket for the next
     *               listener; a deleted configuration closes it
     */
    @Deactivate
    synchronized void deactivate(int reason) {
        stopDrain.remove(this);
        active = false;
        ListenerSocket current = socket;
        if (current == null) {
            return;
        }
        boolean successorLikely = reason == DEACTIVATION_REASON_BUNDLE_STOPPED;
        current.close(settings.drainTimeoutSeconds, successorLikely ? settings.handoverMillis : 0);
    }

    /** The proxy stops: no more accepting, from now on; the connections finish what is in flight. */
    @Override
    public synchronized Future<?> stopAccepting() {
        active = false;
        ListenerSocket current = socket;
        socket = null;
        return current == null ? null : current.stop(settings.drainTimeoutSeconds);
    }

    @Override
    public int drainTimeoutSeconds() {
        return settings.drainTimeoutSeconds;
    }

    /**
     * Plugins that decide about each request, called in {@code service.ranking} order; a new exchange takes the
     * chain registered when it starts. A hook that restricts clients can make a non-loopback listener serve, and its
     * leaving makes it stop.
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeHook", updated = "updatedHook")
    synchronized void addHook(ExchangeHook hook, Map<String, Object> properties) throws InterruptedException {
        services.hooks.add(hook, properties);
        restrictionChanged();
    }

    synchronized void updatedHook(ExchangeHook hook, Map<String, Object> properties) throws InterruptedException {
        services.hooks.add(hook, properties);
        restrictionChanged();
    }

    synchronized void removeHook(ExchangeHook hook) throws InterruptedException {
        services.hooks.remove(hook);
        restrictionChanged();
    }

    /** A listener that must not serve as an open proxy starts or stops serving as plugins restrict clients or not. */
    private void restrictionChanged() throws InterruptedException {
        if (!active) {
            return;
        }
        boolean mayServe = settings.openProxyRefusal(services.hooks.restrictClients()) == null;
        if (mayServe && socket == null && transport != null) {
            LOG.info("Listener {} serves {}:{}: a plugin now restricts who may use it", settings.name,
                    settings.host, settings.port);
            rebind(transport, settings, settings);
        } else if (!mayServe && socket != null) {
            refused(settings);
            socket.close(settings.drainTimeoutSeconds, 0);
            socket = null;
        }
    }

    /** The codecs offered are those registered when a connection arrives. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeCodec")
    void addCodec(ServerCodec codec) {
        setup.addCodec(codec);
    }

    void removeCodec(ServerCodec codec) {
        setup.removeCodec(codec);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindNegotiator")
    void bindNegotiator(ProtocolNegotiator negotiator) {
        setup.bindNegotiator(negotiator);
    }

    void unbindNegotiator(ProtocolNegotiator negotiator) {
        setup.unbindNegotiator(negotiator);
    }

    // The services stay bound after deactivation: the connections this listener accepted drain on them (their next
    // request is still served), rather than waiting for services that will never be bound to a deactivated listener.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindConnector")
    void bindConnector(UpstreamConnector connector) {
        services.connector.bind(connector);
    }

    synchronized void unbindConnector(UpstreamConnector connector) {
        if (active) {
            services.connector.unbind(connector);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindRelay")
    void bindRelay(TunnelRelay relay) {
        services.relay.bind(relay);
    }

    synchronized void unbindRelay(TunnelRelay relay) {
        if (active) {
            services.relay.unbind(relay);
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(ferry.protocol=http/1.1)",
            unbind = "unbindClientCodec")
    void bindClientCodec(ClientCodec codec) {
        services.clientCodec.bind(codec);
    }

    synchronized void unbindClientCodec(ClientCodec codec) {
        if (active) {
            services.clientCodec.unbind(codec);
        }
    }

    /** The bound address (the real port when configured with 0). */
    InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    private void accept(Channel ch, ListenerSocket acceptedBy) {
        setup.accept(ch, settings, acceptedBy.tls());
    }
}
