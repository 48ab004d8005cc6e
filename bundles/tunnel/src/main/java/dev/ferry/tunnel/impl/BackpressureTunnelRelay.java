package dev.ferry.tunnel.impl;

import dev.ferry.api.spi.TunnelRelay;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Relays the bytes of CONNECT tunnels. Each direction reads only while the other side can take more, so a slow
 * reader holds at most {@code maxBufferedBytes} plus one read per direction; buffers pass through uncopied.
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

    private final WriteBufferWaterMark waterMark;
    private final int idleTimeoutSeconds;

    @Activate
    public BackpressureTunnelRelay(Config config) {
        if (config.maxBufferedBytes() < 1024 || config.idleTimeoutSeconds() < 0) {
            throw new IllegalArgumentException("maxBufferedBytes must be >= 1024 and idleTimeoutSeconds >= 0, got "
                    + config.maxBufferedBytes() + " and " + config.idleTimeoutSeconds());
        }
        this.waterMark = new WriteBufferWaterMark(config.maxBufferedBytes() / 2, config.maxBufferedBytes());
        this.idleTimeoutSeconds = config.idleTimeoutSeconds();
    }

    @Override
    public Future<Stats> relay(Channel client, Channel upstream) {
        Promise<Stats> done = client.eventLoop().newPromise();
        RelayHandler up = new RelayHandler(upstream);
        RelayHandler down = new RelayHandler(client);
        for (Channel ch : new Channel[] {client, upstream}) {
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            ch.config().setWriteBufferWaterMark(waterMark);
        }
        if (idleTimeoutSeconds > 0) {
            client.pipeline().addLast("tunnel-idle", new IdleStateHandler(0, 0, idleTimeoutSeconds, TimeUnit.SECONDS));
        }
        client.pipeline().addLast("tunnel", up);
        upstream.pipeline().addLast("tunnel", down);
        up.pair(down);
        down.pair(up);
        client.closeFuture().addListener(f -> upstream.closeFuture().addListener(
                g -> done.trySuccess(new Stats(up.bytesRelayed(), down.bytesRelayed()))));
        client.config().setAutoRead(true);
        upstream.config().setAutoRead(true);
        client.read();
        upstream.read();
        return done;
    }
}
