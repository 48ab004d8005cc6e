package dev.ferry.pool.impl;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.spi.Transport;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/**
 * The TCP stage: connect to the origin (DIRECT) or to the upstream proxy; the host name is resolved by the transport,
 * off the event loop. Failures are classified once, Chromium's way; all of them are fallback-worthy for a proxy.
 */
final class TcpStage {

    private TcpStage() {
    }

    /**
     * @param peer     what to connect to
     * @param peerName how messages name it: {@code upstream proxy http://127.0.0.1:3128} or {@code 127.0.0.1:8080}
     * @param first    a handler that must be in the pipeline before the connect (the SOCKS handshake), or null
     */
    static Future<Channel> connect(Transport transport, EventLoop loop, ProxyServer proxy, HostAndPort peer,
            String peerName, int timeoutMillis, ChannelHandler first) {
        Promise<Channel> done = loop.newPromise();
        ChannelFuture tcp = transport.connect(loop, InetSocketAddress.createUnresolved(peer.host(), peer.port()),
                timeoutMillis, new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // The pipeline is the caller's once the job is done: nothing stays unless a stage needs it.
                        if (first != null) {
                            ch.pipeline().addLast(first);
                        }
                    }
                });
        tcp.addListener(f -> {
            if (f.isSuccess()) {
                if (!done.trySuccess(tcp.channel())) {
                    tcp.channel().close();
                }
            } else if (!f.isCancelled()) {
                done.tryFailure(classify(proxy, peer, peerName, timeoutMillis, f.cause()));
            }
        });
        done.addListener(f -> {
            if (f.isCancelled()) {
                tcp.cancel(false);
                tcp.channel().close();
            }
        });
        return done;
    }

    static ConnectJobException classify(ProxyServer proxy, HostAndPort peer, String peerName, int timeoutMillis,
            Throwable cause) {
        ProxyErrorType type;
        String message;
        if (outOfFileDescriptors(cause)) {
            // Not the destination's fault, nor one another proxy would fix: the proxy's own limit, named.
            return new ConnectJobException(proxy, ConnectStage.TCP, ProxyErrorType.PROXY_RESOURCE_EXHAUSTED, false,
                    "no file descriptor left to connect to " + peerName + ": the proxy's open files limit is "
                            + "reached (raise it: ulimit -n, systemd LimitNOFILE)", cause);
        }
        if (cause instanceof UnknownHostException) {
            type = ProxyErrorType.DNS_ERROR;
            message = "cannot resolve " + peer.host() + " (" + peerName + ")";
        } else if (cause instanceof ConnectTimeoutException) {
            type = ProxyErrorType.CONNECTION_TIMEOUT;
            message = "TCP connect to " + peerName + " timed out after " + timeoutMillis
                    + " ms (dev.ferry.pool tcpConnectTimeoutMillis)";
        } else if (cause instanceof ConnectException) {
            type = ProxyErrorType.CONNECTION_REFUSED;
            message = "connection refused by " + peerName;
        } else if (cause instanceof NoRouteToHostException) {
            type = ProxyErrorType.DESTINATION_UNAVAILABLE;
            message = "no route to " + peerName;
        } else if (cause instanceof IOException) {
            type = ProxyErrorType.CONNECTION_TERMINATED;
            message = "TCP connect to " + peerName + " failed: " + cause.getMessage();
        } else {
            // Not a network failure (e.g. the transport is shutting down): nothing another proxy would fix.
            return new ConnectJobException(proxy, ConnectStage.TCP, ProxyErrorType.PROXY_INTERNAL_ERROR, false,
                    "TCP connect to " + peerName + " failed: " + cause, cause);
        }
        return new ConnectJobException(proxy, ConnectStage.TCP, type, true, message, cause);
    }

    /** EMFILE or ENFILE anywhere in the chain (Netty wraps the socket's creation failure in a ChannelException). */
    static boolean outOfFileDescriptors(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.contains("Too many open files")) {
                return true;
            }
        }
        return false;
    }
}
