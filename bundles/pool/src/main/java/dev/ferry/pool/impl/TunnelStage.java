package dev.ferry.pool.impl;

import dev.ferry.api.plugin.TunnelResponse;
import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.upstream.ConnectEvents;
import dev.ferry.api.upstream.PoolKey;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The TUNNEL stage: {@code CONNECT host:port} through an HTTP or HTTPS upstream proxy, with one 407 round when
 * credentials are configured (on the same connection when the 407's body can be drained, else on a new one), then
 * the HTTP codec leaves the pipeline and the connection carries raw bytes. {@code tunnelTimeoutMillis} covers the
 * whole stage, the 407 round included.
 */
final class TunnelStage {

    static final String CODEC = "ferry-tunnel-codec";
    static final String HANDLER = "ferry-tunnel";

    private enum Phase { AWAITING_HEAD, DRAINING_407, ESTABLISHING, ESTABLISHED, RECONNECTING }

    private final PoolKey key;
    private final ConnectEvents events;
    private final ConnectSettings settings;
    private final ProxyCredentials.Login login;
    private final Supplier<Future<Channel>> reconnect;
    private final TunnelFailures failures;
    private final Promise<Channel> done;
    private ScheduledFuture<?> timer;
    private Channel channel;
    private Phase phase;
    private boolean authSent;

    private TunnelStage(Channel ch, PoolKey key, ConnectEvents events, ConnectSettings settings,
            Supplier<Future<Channel>> reconnect) {
        this.key = key;
        this.events = events;
        this.settings = settings;
        this.login = settings.credentials.find(key.proxy());
        this.reconnect = reconnect;
        this.failures = new TunnelFailures(key, settings.timeouts.tunnelMillis);
        this.done = ch.eventLoop().newPromise();
    }

    /**
     * @param reconnect opens a new connection to the proxy (TCP, and TLS for an HTTPS proxy) for a 407 answered
     *                  with {@code Connection: close} or an undrainable body
     */
    static Future<Channel> run(Channel ch, PoolKey key, ConnectEvents events, ConnectSettings settings,
            Supplier<Future<Channel>> reconnect) {
        TunnelStage stage = new TunnelStage(ch, key, events, settings, reconnect);
        stage.timer = ch.eventLoop().schedule(() -> stage.fail(stage.failures.timeout()),
                settings.timeouts.tunnelMillis, TimeUnit.MILLISECONDS);
        stage.done.addListener(f -> {
            stage.timer.cancel(false);
            if (!f.isSuccess() && stage.channel != null) {
                stage.channel.close();
            }
        });
        stage.send(ch);
        return stage.done;
    }

    private void send(Channel ch) {
        channel = ch;
        ch.pipeline().addLast(CODEC, new HttpClientCodec());
        ch.pipeline().addLast(HANDLER, new ResponseReader());
        sendRequest();
    }

    private void sendRequest() {
        phase = Phase.AWAITING_HEAD;
        channel.writeAndFlush(request()).addListener(f -> {
            if (!f.isSuccess()) {
                fail(failures.terminated(f.cause()));
            }
        });
    }

    private FullHttpRequest request() {
        HostAndPort destination = key.destination();
        String authority = destination.toString();
        FullHttpRequest connect = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, authority,
                Unpooled.EMPTY_BUFFER);
        connect.headers().set(HttpHeaderNames.HOST, authority);
        connect.headers().set(HttpHeaderNames.PROXY_CONNECTION, "keep-alive");
        for (Map.Entry<String, String> h : settings.delegates.tunnelRequestHeaders(key.proxy(), destination)
                .entrySet()) {
            connect.headers().add(h.getKey(), h.getValue());
        }
        if (authSent) {
            connect.headers().set(HttpHeaderNames.PROXY_AUTHORIZATION, login.basicAuthorization());
        }
        return connect;
    }

    private void onHead(HttpResponse response) {
        if (phase != Phase.AWAITING_HEAD) {
            fail(failures.protocolError("a second response head"));
            return;
        }
        TunnelResponse answer = TunnelFailures.toTunnelResponse(response);
        events.tunnelResponse(key, answer);
        if (response.status().codeClass() == HttpStatusClass.SUCCESS) {
            try {
                settings.delegates.tunnelEstablished(key.proxy(), key.destination(), answer);
                phase = Phase.ESTABLISHING;
            } catch (DelegateChain.RejectedTunnel e) {
                fail(failures.rejected(e));
            }
        } else if (response.status().code() == 407) {
            onAuthenticationRequired(response);
        } else {
            fail(failures.refused(response.status()));
        }
    }

    private void onAuthenticationRequired(HttpResponse response) {
        String challenge = response.headers().get(HttpHeaderNames.PROXY_AUTHENTICATE);
        if (login == null) {
            fail(failures.noCredentials(challenge));
        } else if (authSent) {
            fail(failures.credentialsRejected(login, challenge));
        } else if (TunnelFailures.drainable(response)) {
            phase = Phase.DRAINING_407;
        } else {
            // The 407's body runs to the close, or the proxy closes anyway: ask again on a new connection.
            phase = Phase.RECONNECTING;
            Channel old = channel;
            channel = null;
            old.close();
            reconnect.get().addListener(f -> {
                if (done.isDone()) {
                    if (f.isSuccess()) {
                        ((Channel) f.getNow()).close();
                    }
                } else if (f.isSuccess()) {
                    authSent = true;
                    send((Channel) f.getNow());
                } else {
                    fail(f.cause());
                }
            });
        }
    }

    private void onContent(ChannelHandlerContext ctx, HttpContent content) {
        if (phase == Phase.ESTABLISHING && content.content().isReadable()) {
            fail(failures.bytesAfterResponse(content.content().readableBytes()));
        } else if (!(content instanceof LastHttpContent)) {
            return;
        } else if (phase == Phase.DRAINING_407) {
            authSent = true;
            sendRequest();
        } else if (phase == Phase.ESTABLISHING) {
            // Removing the codec passes on whatever it holds beyond the response head; that arrives here as a
            // ByteBuf before channelReadComplete, which is when the tunnel is handed out.
            phase = Phase.ESTABLISHED;
            ctx.pipeline().remove(CODEC);
        }
    }

    private void fail(Throwable cause) {
        done.tryFailure(cause);
    }

    /** Reads the proxy's answer on one connection; a new connection after a 407 gets a new reader. */
    private final class ResponseReader extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (ctx.channel() != channel || done.isDone()) {
                    return;
                }
                if (msg instanceof HttpObject && ((HttpObject) msg).decoderResult().isFailure()) {
                    fail(failures.protocolError(String.valueOf(((HttpObject) msg).decoderResult().cause())));
                    return;
                }
                if (msg instanceof HttpResponse) {
                    onHead((HttpResponse) msg);
                }
                if (msg instanceof HttpContent && !done.isDone()) {
                    onContent(ctx, (HttpContent) msg);
                } else if (msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
                    // A 200 to CONNECT has no body: bytes here came before the tunnel was ours to use.
                    fail(failures.bytesAfterResponse(((ByteBuf) msg).readableBytes()));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (phase == Phase.ESTABLISHED && ctx.channel() == channel && !done.isDone()) {
                ctx.pipeline().remove(this);
                if (!done.trySuccess(channel)) {
                    channel.close();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel) {
                fail(failures.closed());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (ctx.channel() == channel) {
                fail(failures.terminated(cause));
            }
        }
    }
}
