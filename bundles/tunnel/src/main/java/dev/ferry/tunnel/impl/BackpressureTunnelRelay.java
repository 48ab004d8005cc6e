package dev.ferry.tunnel.impl;

import dev.ferry.api.spi.RevisionClasses;
import dev.ferry.api.spi.TunnelRelay;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays the bytes of CONNECT tunnels. Each direction reads only while the other side can take more, so a slow
 * reader holds at most {@code maxBufferedBytes} plus one read per direction; buffers pass through uncopied.
 *
 * <p>A changed configuration applies in place to the tunnels that start after it; a tunnel keeps the limits it
 * started with. A tunnel is two plain Netty channels with this bundle's handlers in their pipelines, so stopping this
 * component (or its bundle) does not touch the tunnels already relayed: they run until their client or upstream ends
 * them, or their idle timeout does.
 */
@Component(service = TunnelRelay.class, configurationPid = "dev.ferry.tunnel")
@Designate(ocd = BackpressureTunnelRelay.Config.class)
public class BackpressureTunnelRelay implements TunnelRelay {

    @ObjectClassDefinition(name = "Ferry tunnel relay", description = "Limits of CONNECT tunnels")
    public @interface Config {
        @AttributeDefinition(description = "Bytes a tunnel may hold per direction for a slow reader before it stops "
                + "reading from the other side")
        int maxBufferedBytes() default 1 << 20;

        @AttributeDefinition(description = "Seconds without a byte in either direction before a tunnel is closed; "
                + "0 disables")
        int idleTimeoutSeconds() default 600;
    }

    private static final Logger LOG = LoggerFactory.getLogger(BackpressureTunnelRelay.class);

    /** Read once per tunnel, when it starts. */
    private volatile TunnelSettings settings;
    private final AtomicInteger open = new AtomicInteger();

    @Activate
    public BackpressureTunnelRelay(Config config) {
        this.settings = TunnelSettings.of(config);
    }

    /** Connections outlive this revision: every class they may need is loaded now, see {@link RevisionClasses}. */
    @Activate
    void loadRevisionClasses(BundleContext context) {
        RevisionClasses.loadAll(context.getBundle());
    }

    @Modified
    void modified(Config config) {
        TunnelSettings next;
        try {
            next = TunnelSettings.of(config);
        } catch (IllegalArgumentException e) {
            LOG.error("dev.ferry.tunnel: {}; keeping {}", e.getMessage(), settings);
            return;
        }
        settings = next;
        LOG.info("New tunnels get {}; the tunnels already open ({}) keep their limits", next, open.get());
    }

    /** Leaves the tunnels in flight alone: nothing of theirs belongs to this component's lifetime. */
    @Deactivate
    void deactivate() {
        int running = open.get();
        if (running > 0) {
            LOG.info("Tunnel relay stopping; {} tunnels in flight go on until they end", running);
        }
    }

    /** Tunnels relayed and not yet ended on both sides. */
    int openTunnels() {
        return open.get();
    }

    @Override
    public Future<Stats> relay(Channel client, Channel upstream) {
        TunnelSettings limits = settings;
        Promise<Stats> done = client.eventLoop().newPromise();
        RelayHandler up = new RelayHandler(upstream);
        RelayHandler down = new RelayHandler(client);
        for (Channel ch : new Channel[] {client, upstream}) {
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            ch.config().setWriteBufferWaterMark(limits.waterMark());
        }
        if (limits.idleTimeoutSeconds() > 0) {
            client.pipeline().addLast("tunnel-idle",
                    new IdleStateHandler(0, 0, limits.idleTimeoutSeconds(), TimeUnit.SECONDS));
        }
        client.pipeline().addLast("tunnel", up);
        upstream.pipeline().addLast("tunnel", down);
        up.pair(down);
        down.pair(up);
        open.incrementAndGet();
        client.closeFuture().addListener(f -> upstream.closeFuture().addListener(g -> {
            open.decrementAndGet();
            done.trySuccess(new Stats(up.bytesRelayed(), down.bytesRelayed()));
        }));
        client.config().setAutoRead(true);
        upstream.config().setAutoRead(true);
        client.read();
        upstream.read();
        return done;
    }
}
