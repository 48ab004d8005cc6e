package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.Negotiation;
import dev.ferry.spdy.client.NegotiationException;
import dev.ferry.spdy.client.SessionOptions;
import dev.ferry.spdy.client.SpdySession;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens a session: TCP to the proxy, TLS, a check that TLS selected {@code spdy/3.1}, then the session's first frames.
 * Pipeline: {@code tls} ({@link SslHandler}) → {@code spdy} ({@link SpdyFrameCodec}, SPDY/3.1) → {@code session}
 * ({@link SessionHandler}).
 */
public final class SessionConnector {

    /** The codec's largest DATA frame handed up: a proxy's bigger frames arrive in pieces of this size. */
    private static final int MAX_CHUNK = 8192;

    private SessionConnector() {
    }

    public static SpdySession open(EventLoopGroup group, Executor executor, SslContext tls,
            InetSocketAddress proxy, Negotiation negotiation, SessionOptions options) throws IOException {
        long timeoutMillis = options.timeout().toMillis();
        Completions completions = new Completions(executor);
        SessionHandler handler = new SessionHandler(options, completions);
        CompletableFuture<DefaultSpdySession> opened = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        SslHandler ssl = tls.newHandler(channel.alloc(), proxy.getHostString(), proxy.getPort());
                        ssl.setHandshakeTimeoutMillis(timeoutMillis);
                        channel.pipeline()
                                .addLast("tls", ssl)
                                .addLast("spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1, MAX_CHUNK,
                                        options.maxHeaderSize(), 6, 15, 8, true))
                                .addLast("session", handler);
                    }
                });
        ChannelFuture connect = bootstrap.connect(proxy);
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                opened.completeExceptionally(new IOException("cannot connect to the proxy " + proxy + ": "
                        + f.cause(), f.cause()));
                return;
            }
            Channel channel = connect.channel();
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            ssl.handshakeFuture().addListener(h -> {
                if (!h.isSuccess()) {
                    channel.close();
                    opened.completeExceptionally(new IOException("TLS handshake with the proxy " + proxy
                            + " failed: " + h.cause(), h.cause()));
                    return;
                }
                String protocol = ssl.applicationProtocol();
                String tlsVersion = ssl.engine().getSession().getProtocol();
                if (!Negotiation.SPDY_3_1.equals(protocol)) {
                    channel.close();
                    opened.completeExceptionally(new NegotiationException(proxy.toString(), negotiation, protocol,
                            tlsVersion));
                    return;
                }
                handler.start();
                opened.complete(new DefaultSpdySession(channel, handler, options, executor, completions, protocol,
                        tlsVersion));
            });
        });
        try {
            // The connect and the handshake each have the timeout; this wait covers both.
            return opened.get(2 * timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            connect.channel().close();
            throw new SocketTimeoutException("no SPDY session with " + proxy + " within " + 2 * timeoutMillis
                    + " ms");
        } catch (ExecutionException e) {
            throw Failures.rethrowable(e.getCause());
        } catch (InterruptedException e) {
            connect.channel().close();
            throw Failures.interrupted("opening a session with " + proxy);
        }
    }
}
