package dev.ferry.engine.impl;

import dev.ferry.api.codec.ClientCodec;
import dev.ferry.api.spi.AwaitedService;
import dev.ferry.api.spi.TunnelRelay;
import dev.ferry.api.upstream.UpstreamConnector;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.api.upstream.UpstreamRequest;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The services one listener's exchanges work with, each the newest registered (greedy dynamic references), and each
 * waited for a short while when it is missing. An exchange takes what it needs when it starts and keeps it to its
 * end, so work in flight finishes on the services it began with while new work goes to their replacements.
 */
final class ExchangeServices {

    static final String PSEUDONYM = "ferry";

    final AwaitedService<UpstreamConnector> connector;
    final AwaitedService<TunnelRelay> relay;
    final AwaitedService<ClientCodec> clientCodec;
    final ForwardedHeaders headers = new ForwardedHeaders(PSEUDONYM);
    /** The plugins that decide about each request before the upstream side is asked. */
    final ExchangeHooks hooks;
    private volatile boolean partitionByClient;
    private volatile String listenerName = "";
    private volatile int responseTimeoutSeconds = 60;
    private volatile Set<String> upgradeProtocols = Set.of("websocket");

    ExchangeServices(long serviceWaitMillis, boolean partitionByClient, long pluginTimeoutMillis) {
        this.hooks = new ExchangeHooks(pluginTimeoutMillis);
        this.connector = new AwaitedService<>("the upstream connector (dev.ferry.pool)", serviceWaitMillis);
        this.relay = new AwaitedService<>("the tunnel relay (dev.ferry.tunnel)", serviceWaitMillis);
        this.clientCodec = new AwaitedService<>("the HTTP/1.1 client codec (dev.ferry.http1)", serviceWaitMillis);
        this.partitionByClient = partitionByClient;
    }

    /** New settings apply to exchanges that start from now on. */
    void configure(String listenerName, long serviceWaitMillis, boolean partitionByClient, long pluginTimeoutMillis) {
        this.listenerName = listenerName;
        hooks.timeoutMillis(pluginTimeoutMillis);
        connector.waitMillis(serviceWaitMillis);
        relay.waitMillis(serviceWaitMillis);
        clientCodec.waitMillis(serviceWaitMillis);
        this.partitionByClient = partitionByClient;
    }

    /**
     * A lease for {@code request} from the current connector, once everything the exchange needs is running: the
     * relay for a tunnel, the client codec (which new HTTP connections get) otherwise. Fails with a
     * {@code ServiceUnavailableException} when one of them stays missing; cancelling stops whatever is under way.
     */
    Future<UpstreamLease> connect(UpstreamRequest request, EventLoop loop) {
        Promise<UpstreamLease> result = loop.newPromise();
        if (request.tunnel()) {
            follow(relay.await(loop), result, r -> connectWith(request, loop, result));
        } else {
            follow(clientCodec.await(loop), result, codec -> connectWith(request.withClientCodec(codec), loop,
                    result));
        }
        return result;
    }

    private void connectWith(UpstreamRequest request, EventLoop loop, Promise<UpstreamLease> result) {
        follow(connector.await(loop), result, c -> {
            Future<UpstreamLease> connecting = c.connect(request, loop);
            result.addListener(f -> {
                if (f.isCancelled()) {
                    connecting.cancel(false);
                }
            });
            connecting.addListener(f -> {
                if (f.isSuccess()) {
                    UpstreamLease lease = connecting.getNow();
                    if (!result.trySuccess(lease)) {
                        // The client left meanwhile.
                        lease.close();
                    }
                } else if (!f.isCancelled()) {
                    result.tryFailure(f.cause());
                }
            });
        });
    }

    /** Runs {@code next} with {@code step}'s value; a failure fails {@code result}, a cancelled result cancels. */
    private static <T> void follow(Future<T> step, Promise<UpstreamLease> result, Consumer<T> next) {
        result.addListener(f -> {
            if (f.isCancelled()) {
                step.cancel(false);
            }
        });
        step.addListener(f -> {
            if (result.isDone()) {
                return;
            }
            if (f.isSuccess()) {
                next.accept(step.getNow());
            } else if (!f.isCancelled()) {
                result.tryFailure(f.cause());
            }
        });
    }

    /** Seconds an origin may take to start its response once the whole request has gone to it. */
    /** The protocols an HTTP/1.1 Upgrade may switch to (lower case). */
    Set<String> upgradeProtocols() {
        return upgradeProtocols;
    }

    void upgradeProtocols(Set<String> protocols) {
        this.upgradeProtocols = protocols;
    }

    int responseTimeoutSeconds() {
        return responseTimeoutSeconds;
    }

    void responseTimeoutSeconds(int seconds) {
        this.responseTimeoutSeconds = seconds;
    }

    /** The listener's name, as plugins see it. */
    String listenerName() {
        return listenerName;
    }

    /** The pool partition for a client connection: its address, or the shared partition. */
    String partition(Channel client) {
        if (!partitionByClient) {
            return "";
        }
        SocketAddress address = client.remoteAddress();
        if (address instanceof InetSocketAddress && ((InetSocketAddress) address).getAddress() != null) {
            return ((InetSocketAddress) address).getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }
}
