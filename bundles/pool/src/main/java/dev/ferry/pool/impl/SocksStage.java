package dev.ferry.pool.impl;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks4ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/**
 * The SOCKS4/SOCKS5 handshake through Netty's own {@link Socks4ProxyHandler} / {@link Socks5ProxyHandler}.
 *
 * <p>A Netty ProxyHandler learns the destination from the channel's {@code connect} and starts the handshake on
 * {@code channelActive}, so it must be in the pipeline before the TCP connect. {@link #connector} is the channel's
 * initial handler: when the transport connects to the (now resolved) proxy address, it puts the ProxyHandler for
 * that address in its own place and passes the destination down as the address to connect to. The destination goes
 * out as a host name (SOCKS4a / SOCKS5 domain address), so the proxy resolves it, as Chromium does; only IP
 * literals go out as addresses.
 */
final class SocksStage {

    static final String HANDLER = "ferry-socks";

    private SocksStage() {
    }

    /** The initial handler of a channel to a SOCKS proxy; SOCKS5 uses the configured login, if any. */
    static ChannelHandler connector(ProxyServer proxy, HostAndPort destination, ProxyCredentials.Login login,
            int timeoutMillis) {
        return new ChannelOutboundHandlerAdapter() {
            @Override
            public void connect(ChannelHandlerContext ctx, SocketAddress proxyAddress, SocketAddress local,
                    ChannelPromise promise) {
                ProxyHandler socks = proxy.scheme() == ProxyServer.Scheme.SOCKS4
                        ? new Socks4ProxyHandler(proxyAddress)
                        : login == null ? new Socks5ProxyHandler(proxyAddress)
                                : new Socks5ProxyHandler(proxyAddress, login.user, login.password());
                socks.setConnectTimeoutMillis(timeoutMillis);
                ctx.pipeline().addBefore(ctx.name(), HANDLER, socks);
                ctx.pipeline().addAfter(HANDLER, StageErrorSink.NAME, StageErrorSink.INSTANCE);
                ctx.connect(destinationAddress(destination), local, promise);
                ctx.pipeline().remove(this);
            }
        };
    }

    /** Waits for the handshake the connector started, then takes the ProxyHandler out: raw bytes from then on. */
    static Future<Channel> await(Channel ch, ProxyServer proxy, HostAndPort destination, int timeoutMillis) {
        Promise<Channel> done = ch.eventLoop().newPromise();
        ProxyHandler socks = (ProxyHandler) ch.pipeline().get(HANDLER);
        if (socks == null) {
            done.setFailure(new ConnectJobException(proxy, ConnectStage.SOCKS, ProxyErrorType.CONNECTION_TERMINATED,
                    true, "SOCKS connection to upstream proxy " + proxy + " closed before the handshake", null));
            return done;
        }
        socks.connectFuture().addListener(f -> {
            if (f.isSuccess()) {
                ch.pipeline().remove(socks);
                StageErrorSink.remove(ch);
                done.trySuccess(ch);
            } else {
                done.tryFailure(classify(proxy, destination, timeoutMillis, f.cause()));
            }
        });
        return done;
    }

    static ConnectJobException classify(ProxyServer proxy, HostAndPort destination, int timeoutMillis,
            Throwable cause) {
        // Netty reports its own timeout (setConnectTimeoutMillis) as a ProxyConnectException, like a refusal; only
        // its message tells them apart: "socks5, none, /proxy => destination, timeout".
        String text = String.valueOf(cause.getMessage());
        if (cause instanceof ProxyConnectException && text.endsWith(", timeout")) {
            return new ConnectJobException(proxy, ConnectStage.SOCKS, ProxyErrorType.CONNECTION_TIMEOUT, true,
                    "SOCKS handshake with upstream proxy " + proxy + " for " + destination + " timed out after "
                            + timeoutMillis + " ms (dev.ferry.pool socksTimeoutMillis)", cause);
        }
        return new ConnectJobException(proxy, ConnectStage.SOCKS, ProxyErrorType.CONNECTION_REFUSED, true,
                "SOCKS connect through upstream proxy " + proxy + " to " + destination + " failed: " + text, cause);
    }

    private static InetSocketAddress destinationAddress(HostAndPort destination) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(destination.host());
        if (literal != null) {
            try {
                return new InetSocketAddress(InetAddress.getByAddress(literal), destination.port());
            } catch (UnknownHostException impossible) {
                // getByAddress only fails on a bad length, which an IP literal's bytes never have.
            }
        }
        return InetSocketAddress.createUnresolved(destination.host(), destination.port());
    }
}
