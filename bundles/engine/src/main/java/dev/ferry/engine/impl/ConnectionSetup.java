package dev.ferry.engine.impl;

import dev.ferry.api.codec.ProtocolNegotiator;
import dev.ferry.api.codec.ServerCodec;
import dev.ferry.api.spi.AwaitedService;
import dev.ferry.api.spi.LingeringClose;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up each accepted connection: TLS with protocol negotiation or plain HTTP/1.1, then the codec of the protocol
 * and an {@link ExchangeHandler} per exchange channel. The codecs offered are those registered when the connection
 * arrives. While a part every connection needs is missing (the http/1.1 codec, or the negotiator on a TLS listener,
 * its bundle being updated) the connection waits, unread, for it, rather than being refused.
 */
final class ConnectionSetup {

    static final String IDLE_HANDLER = "client-idle";
    private static final String HTTP_1_1 = "http/1.1";
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionSetup.class);

    private final ExchangeServices services;
    private final List<ServerCodec> codecs = new CopyOnWriteArrayList<>();
    private final AwaitedService<ServerCodec> http1;
    private final AwaitedService<ProtocolNegotiator> negotiator;

    ConnectionSetup(ExchangeServices services, long serviceWaitMillis) {
        this.services = services;
        this.http1 = new AwaitedService<>("the HTTP/1.1 codec (dev.ferry.http1)", serviceWaitMillis);
        this.negotiator = new AwaitedService<>("the TLS negotiator (dev.ferry.tls)", serviceWaitMillis);
    }

    void serviceWaitMillis(long millis) {
        http1.waitMillis(millis);
        negotiator.waitMillis(millis);
    }

    void addCodec(ServerCodec codec) {
        codecs.add(codec);
        if (HTTP_1_1.equals(codec.protocol())) {
            http1.bind(codec);
        }
    }

    void removeCodec(ServerCodec codec) {
        codecs.remove(codec);
        if (HTTP_1_1.equals(codec.protocol())) {
            http1.unbind(codec);
            // Another http/1.1 codec may still be registered (a greedy replacement bound first).
            codecs.stream().filter(c -> HTTP_1_1.equals(c.protocol())).findFirst().ifPresent(http1::bind);
        }
    }

    void bindNegotiator(ProtocolNegotiator n) {
        negotiator.bind(n);
    }

    void unbindNegotiator(ProtocolNegotiator n) {
        negotiator.unbind(n);
    }

    void accept(Channel ch, ListenerSettings settings, boolean tls) {
        ch.pipeline().addLast(IDLE_HANDLER, new IdleStateHandler(0, 0, settings.idleTimeoutSeconds,
                TimeUnit.SECONDS));
        if (http1.get() != null && (!tls || negotiator.get() != null)) {
            setUp(ch, settings, tls);
            return;
        }
        ch.config().setAutoRead(false);
        Future<ServerCodec> codec = http1.await(ch.eventLoop());
        codec.addListener(f -> {
            if (!f.isSuccess()) {
                refuse(ch, settings, tls, f.cause());
            } else if (!tls) {
                ready(ch, settings, false);
            } else {
                Future<ProtocolNegotiator> n = negotiator.await(ch.eventLoop());
                n.addListener(g -> {
                    if (g.isSuccess()) {
                        ready(ch, settings, true);
                    } else {
                        refuse(ch, settings, true, g.cause());
                    }
                });
            }
        });
    }

    private void ready(Channel ch, ListenerSettings settings, boolean tls) {
        if (!ch.isActive()) {
            return;
        }
        setUp(ch, settings, tls);
        ch.config().setAutoRead(true);
    }

    /** A plain connection gets a 503 it can read; a TLS one cannot be answered before its handshake: it closes. */
    private static void refuse(Channel ch, ListenerSettings settings, boolean tls, Throwable cause) {
        LOG.warn("Listener {}: {}; closing {}", settings.name, cause.getMessage(), ch.remoteAddress());
        if (tls || !ch.isActive()) {
            ch.close();
            return;
        }
        String body = "503 Service Unavailable: " + cause.getMessage() + "\n";
        String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Proxy-Status: " + ExchangeServices.PSEUDONYM + "; error=proxy_internal_error; details=\""
                + cause.getMessage().replace("\"", "'") + "\"\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n";
        // The request is read and dropped first: closing with unread bytes would send a reset, and the client would
        // lose the answer. The connection ends with the answer (FIN), or when the client goes.
        ch.pipeline().addLast(new RequestDiscarder());
        ch.config().setAutoRead(true);
        ch.writeAndFlush(ByteBufUtil.writeAscii(ch.alloc(), head + body)).addListener(f -> {
            if (ch instanceof DuplexChannel) {
                ((DuplexChannel) ch).shutdownOutput();
                LingeringClose.closeLater(ch, settings.idleTimeoutSeconds, TimeUnit.SECONDS);
            } else {
                ch.close();
            }
        });
    }

    /** Reads and drops what a refused client sends, until it closes. */
    private static final class RequestDiscarder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private void setUp(Channel ch, ListenerSettings settings, boolean tls) {
        List<ServerCodec> available = offered(settings.preference);
        if (!tls) {
            ServerCodec plain = http1.get();
            if (plain == null) {
                refuse(ch, settings, false, new IllegalStateException("the HTTP/1.1 codec (dev.ferry.http1) is not "
                        + "running"));
                return;
            }
            plain.configure(ch.pipeline(), () -> new ExchangeHandler(services, plain));
            return;
        }
        ProtocolNegotiator tlsNegotiator = negotiator.get();
        if (tlsNegotiator == null || available.isEmpty()) {
            refuse(ch, settings, true, new IllegalStateException("the TLS negotiator (dev.ferry.tls) or every codec "
                    + "went away"));
            return;
        }
        List<String> names = new ArrayList<>(available.size());
        available.forEach(c -> names.add(c.protocol()));
        tlsNegotiator.configure(ch.pipeline(), names, (channel, protocol) -> {
            ServerCodec codec = find(available, protocol);
            if (codec == null) {
                LOG.warn("Listener {}: negotiated unknown protocol {}; closing {}", settings.name, protocol,
                        channel.remoteAddress());
                channel.close();
                return;
            }
            codec.configure(channel.pipeline(), () -> new ExchangeHandler(services, codec));
        });
    }

    /** The registered codecs in the listener's preference order. */
    private List<ServerCodec> offered(List<String> preference) {
        List<ServerCodec> sorted = new ArrayList<>(codecs);
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
