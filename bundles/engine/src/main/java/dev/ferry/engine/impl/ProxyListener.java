package dev.ferry.engine.impl;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.codec.ListenerClosing;
import dev.ferry.api.codec.ProtocolNegotiator;
import dev.ferry.api.codec.ServerCodec;
import dev.ferry.api.spi.Transport;
import dev.ferry.api.spi.TunnelRelay;
import dev.ferry.api.upstream.ConnectionPool;
import dev.ferry.api.upstream.UpstreamConnector;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
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
public class ProxyListener {

    static final String PID = "dev.ferry.listener";
    static final String IDLE_HANDLER = "client-idle";
    private static final String HTTP_1_1 = "http/1.1";

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
        String[] protocols() default {"spdy/3.1", "http/1.1"};

        @AttributeDefinition(description = "Seconds a client connection may sit idle between requests")
        int idleTimeoutSeconds() default 120;

        @AttributeDefinition(description = "Seconds open connections get to finish their exchanges when the listener "
                + "closes (SPDY sessions get GOAWAY at once); then they are closed")
        int drainTimeoutSeconds() default 30;

        @AttributeDefinition(description = "How upstream connections are shared: client = per client address (each "
                + "client gets its own pool partition and per-group limits, as each browser has its own), none = all "
                + "clients of this listener share one partition")
        String poolPartition() default "client";
    }

    private static final Logger LOG = LoggerFactory.getLogger(ProxyListener.class);

    @Reference
    private Transport transport;

    @Reference
    private ConnectionPool pool;

    @Reference
    private UpstreamConnector connector;

    @Reference
    private TunnelRelay relay;

    @Reference(target = "(ferry.protocol=http/1.1)")
    private ClientCodec clientCodec;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<ServerCodec> codecs;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ProtocolNegotiator negotiator;

    private String name;
    private List<String> preference;
    private boolean tls;
    private int idleTimeoutSeconds;
    private ExchangeServices services;
    private Channel server;
    private int drainTimeoutSeconds;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    @Activate
    void activate(Config config) throws InterruptedException {
        if (config.port() < 0 || config.port() > 65535 || config.idleTimeoutSeconds() <= 0
                || config.drainTimeoutSeconds() < 0) {
            throw new IllegalArgumentException("listener " + config.name() + ": port must be 0-65535, "
                    + "idleTimeoutSeconds positive and drainTimeoutSeconds >= 0, got " + config.port() + ", "
                    + config.idleTimeoutSeconds() + " and " + config.drainTimeoutSeconds());
        }
        drainTimeoutSeconds = config.drainTimeoutSeconds();
        name = config.name();
        preference = Arrays.asList(config.protocols());
        tls = config.tls();
        idleTimeoutSeconds = config.idleTimeoutSeconds();
        if (!config.poolPartition().equals("client") && !config.poolPartition().equals("none")) {
            throw new IllegalArgumentException("listener " + config.name() + ": poolPartition must be client or none, "
                    + "got '" + config.poolPartition() + "'");
        }
        services = new ExchangeServices(connector, pool, relay, clientCodec,
                config.poolPartition().equals("client"));
        ChannelFuture bound = transport.bind(new InetSocketAddress(config.host(), config.port()),
                new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accept(ch);
                    }
                });
        if (!bound.await(10, TimeUnit.SECONDS) || !bound.isSuccess()) {
            bound.channel().close();
            throw new IllegalStateException("listener " + name + " cannot bind " + config.host() + ":"
                    + config.port() + ": " + bound.cause(), bound.cause());
        }
        server = bound.channel();
        LOG.info("Listener {} accepting {} proxy clients on {}", name, tls ? "HTTPS (TLS)" : "HTTP",
                server.localAddress());
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            LOG.info("Listener {} on {} closed; {} connections get {} s to finish", name, server.localAddress(),
                    connections.size(), drainTimeoutSeconds);
        }
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> ch.pipeline().fireUserEventTriggered(ListenerClosing.INSTANCE));
            ch.eventLoop().schedule(() -> ch.close(), drainTimeoutSeconds, TimeUnit.SECONDS);
        }
    }

    /** The bound address (the real port when configured with 0). */
    InetSocketAddress localAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    private void accept(Channel ch) {
        connections.add(ch);
        ch.pipeline().addLast(IDLE_HANDLER, new IdleStateHandler(0, 0, idleTimeoutSeconds, TimeUnit.SECONDS));
        List<ServerCodec> available = offered();
        if (!tls) {
            ServerCodec http1 = find(available, HTTP_1_1);
            if (http1 == null) {
                LOG.warn("Listener {}: no http/1.1 codec registered; refusing {}", name, ch.remoteAddress());
                ch.close();
                return;
            }
            http1.configure(ch.pipeline(), () -> new ExchangeHandler(services, http1));
            return;
        }
        ProtocolNegotiator tlsNegotiator = negotiator;
        if (tlsNegotiator == null || available.isEmpty()) {
            LOG.warn("Listener {}: {}; refusing {}", name, tlsNegotiator == null ? "no TLS negotiator registered"
                    : "no codec registered", ch.remoteAddress());
            ch.close();
            return;
        }
        List<String> names = new ArrayList<>(available.size());
        available.forEach(c -> names.add(c.protocol()));
        tlsNegotiator.configure(ch.pipeline(), names, (channel, protocol) -> {
            ServerCodec codec = find(available, protocol);
            if (codec == null) {
                LOG.warn("Listener {}: negotiated unknown protocol {}; closing {}", name, protocol,
                        channel.remoteAddress());
                channel.close();
                return;
            }
            codec.configure(channel.pipeline(), () -> new ExchangeHandler(services, codec));
        });
    }

    /** The registered codecs in this listener's preference order. */
    private List<ServerCodec> offered() {
        List<ServerCodec> registered = codecs;
        List<ServerCodec> sorted = new ArrayList<>(registered == null ? List.of() : registered);
        sorted.sort(Comparator.comparingInt(c -> {
            int index = preference.indexOf(c.protocol());
            return index < 0 ? Integer.MAX_VALUE : index;
        }));
        return sorted;
    }

    private static ServerCodec find(List<ServerCodec> codecs, String protocol) {
        for (ServerCodec codec : codecs) {
            if (codec.protocol().equals(protocol)) {
                return codec;
            }
        }
        return null;
    }
}
