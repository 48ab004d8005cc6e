package dev.ferry.pool.impl;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectEvents;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.api.upstream.PoolKey;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Chromium's ConnectJob: the stages that make one connection for a key, in {@link ConnectStage} order, each reported
 * to the {@link ConnectEvents} and each failing with its own {@link dev.ferry.api.upstream.ConnectJobException}:
 *
 * <pre>
 * DIRECT        TCP(origin)                               [ORIGIN_TLS]
 * SOCKS4/5      TCP(proxy)               SOCKS            [ORIGIN_TLS]
 * HTTP          TCP(proxy)               [TUNNEL]         [ORIGIN_TLS]
 * HTTPS         TCP(proxy)  PROXY_TLS    [TUNNEL]         [ORIGIN_TLS]
 * </pre>
 *
 * TUNNEL runs for raw tunnels and https groups; ORIGIN_TLS for https groups that are not raw tunnels. A plain http
 * group through an HTTP(S) proxy stops at the proxy: requests then go in absolute form. Cancelling the result stops
 * the stage under way and closes the connection made so far. Runs on one event loop.
 */
final class ConnectJob {

    private final PoolKey key;
    private final boolean tunnel;
    private final EventLoop loop;
    private final ConnectEvents events;
    private final ConnectSettings settings;
    private final Promise<Channel> result;
    private Future<Channel> pending;
    private Channel channel;

    private ConnectJob(PoolKey key, boolean tunnel, EventLoop loop, ConnectEvents events, ConnectSettings settings,
            Promise<Channel> result) {
        this.key = key;
        this.tunnel = tunnel;
        this.loop = loop;
        this.events = events;
        this.settings = settings;
        this.result = result;
    }

    /** Starts a job that completes {@code result}; call on {@code loop}. */
    static void start(PoolKey key, boolean tunnel, EventLoop loop, ConnectEvents events, ConnectSettings settings,
            Promise<Channel> result) {
        new ConnectJob(key, tunnel, loop, events, settings, result).run();
    }

    private void run() {
        result.addListener(f -> {
            if (!f.isSuccess()) {
                if (pending != null) {
                    pending.cancel(false);
                }
                if (channel != null) {
                    channel.close();
                }
            }
        });
        ProxyServer proxy = key.proxy();
        HostAndPort destination = key.destination();
        Future<Channel> made;
        switch (proxy.scheme()) {
            case DIRECT:
                made = stage(ConnectStage.TCP, destination, () -> TcpStage.connect(settings.transport, loop, proxy,
                        destination, destination.toString(), settings.timeouts.tcpMillis, null));
                break;
            case SOCKS4:
            case SOCKS5:
                HostAndPort socks = proxyAddress();
                made = stage(ConnectStage.TCP, socks, () -> TcpStage.connect(settings.transport, loop, proxy, socks,
                        "upstream proxy " + proxy, settings.timeouts.tcpMillis, SocksStage.connector(proxy,
                                destination, settings.credentials.find(proxy), settings.timeouts.socksMillis)));
                made = then(made, ch -> stage(ConnectStage.SOCKS, socks,
                        () -> SocksStage.await(ch, proxy, destination, settings.timeouts.socksMillis)));
                break;
            default:
                made = proxyConnection();
                if (tunnel || key.group().secure()) {
                    made = then(made, ch -> stage(ConnectStage.TUNNEL, proxyAddress(),
                            () -> TunnelStage.run(ch, key, events, settings, this::proxyConnection)));
                }
                break;
        }
        if (!tunnel && key.group().secure()) {
            made = then(made, ch -> stage(ConnectStage.ORIGIN_TLS, destination, () -> TlsStage.handshake(ch,
                    ConnectStage.ORIGIN_TLS, settings.trust, proxy, destination, destination.toString(),
                    settings.timeouts.originTlsMillis)));
        }
        made.addListener(f -> {
            if (f.isSuccess()) {
                Channel ch = (Channel) f.getNow();
                if (!result.trySuccess(ch)) {
                    ch.close();
                }
            } else {
                result.tryFailure(f.cause());
            }
        });
    }

    /** TCP to an HTTP or HTTPS proxy, and TLS with it for HTTPS; also a TUNNEL stage's new connection after a 407. */
    private Future<Channel> proxyConnection() {
        ProxyServer proxy = key.proxy();
        HostAndPort address = proxyAddress();
        String name = "upstream proxy " + proxy;
        Future<Channel> made = stage(ConnectStage.TCP, address, () -> TcpStage.connect(settings.transport, loop, proxy,
                address, name, settings.timeouts.tcpMillis, null));
        if (proxy.scheme() == ProxyServer.Scheme.HTTPS) {
            made = then(made, ch -> stage(ConnectStage.PROXY_TLS, address, () -> TlsStage.handshake(ch,
                    ConnectStage.PROXY_TLS, settings.trust, proxy, address, name, settings.timeouts.proxyTlsMillis)));
        }
        return made;
    }

    private HostAndPort proxyAddress() {
        return HostAndPort.of(key.proxy().host(), key.proxy().port());
    }

    /** Runs one stage (unless the job is over), reporting its start and its duration. */
    private Future<Channel> stage(ConnectStage stage, HostAndPort target, Supplier<Future<Channel>> body) {
        if (result.isDone()) {
            return loop.newFailedFuture(new IllegalStateException("connect job for " + key + " already ended"));
        }
        events.stageStarted(key, stage, target.toString());
        long start = System.nanoTime();
        Future<Channel> running;
        try {
            running = body.get();
        } catch (RuntimeException e) {
            // A stage that throws (a name the TLS engine refuses, a plugin's bad header) must still end the job.
            running = loop.newFailedFuture(new ConnectJobException(key.proxy(), stage,
                    ProxyErrorType.PROXY_INTERNAL_ERROR, false, stage + " stage for " + key + " failed: " + e, e));
        }
        pending = running;
        running.addListener(f -> {
            if (f.isSuccess()) {
                channel = (Channel) f.getNow();
                if (result.isDone()) {
                    // Cancelled while the stage ran: what it made is nobody's.
                    channel.close();
                } else {
                    events.stageDone(key, stage, System.nanoTime() - start);
                }
            }
        });
        return running;
    }

    /** {@code next} on the channel {@code first} made, once it succeeded; the first failure ends the chain. */
    private Future<Channel> then(Future<Channel> first, Function<Channel, Future<Channel>> next) {
        Promise<Channel> chained = loop.newPromise();
        first.addListener(f -> {
            if (!f.isSuccess()) {
                chained.tryFailure(f.cause());
                return;
            }
            Future<Channel> step;
            try {
                step = next.apply((Channel) f.getNow());
            } catch (RuntimeException e) {
                ((Channel) f.getNow()).close();
                chained.tryFailure(e);
                return;
            }
            step.addListener(g -> {
                if (g.isSuccess()) {
                    chained.trySuccess((Channel) g.getNow());
                } else {
                    chained.tryFailure(g.cause());
                }
            });
        });
        return chained;
    }
}
