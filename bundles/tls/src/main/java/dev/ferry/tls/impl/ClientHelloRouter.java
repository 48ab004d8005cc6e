package dev.ferry.tls.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of a TLS connection: waits for the complete ClientHello, picks the server TLS configuration from
 * its extensions, and replaces itself by that configuration's {@link SslHandler} (which then reads the buffered
 * hello). A client that offers NPN and no ALPN, and accepts TLS 1.2, goes to the NPN configuration when there is
 * one; everybody else to the ALPN configuration.
 *
 * <p>The handshake timeout runs from the moment the connection is accepted: this handler enforces it until the
 * hello is complete, and the {@link SslHandler} gets what is left of it. Every failure here (a malformed or
 * oversized hello, bytes that are not TLS, the timeout) takes the same way as a failed TLS handshake: a
 * {@link SslHandshakeCompletionEvent} with the cause, a {@link DecoderException} around an {@link SSLException}
 * through {@code exceptionCaught} to the next handler, and the connection closed. What the superclass cannot read
 * as a ClientHello (an SSLv2-format hello, a zero-length or other first record) goes to the ALPN engine, which
 * fails it the same way.
 */
final class ClientHelloRouter extends SslClientHelloHandler<SslContext> {

    private static final Logger LOG = LoggerFactory.getLogger(ClientHelloRouter.class);

    private final SslContext alpn;
    private final SslContext npn;
    private final boolean sessionTickets;
    private final long handshakeTimeoutMillis;
    private long deadlineNanos;
    private ScheduledFuture<?> timeout;
    private boolean failed;

    /**
     * @param routes where clients go: {@code alpn} by default, {@code npn} (when not {@code null}) for NPN-only
     *     clients; and whether the engines may issue session tickets
     */
    ClientHelloRouter(TlsContexts.Routes routes, long handshakeTimeoutMillis) {
        this.alpn = routes.alpn;
        this.npn = routes.npn;
        this.sessionTickets = routes.sessionTickets;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    /** The context for a parsed hello. */
    static <T> T route(ClientHelloExtensions hello, T alpn, T npn) {
        if (npn != null && hello.offersNpn() && !hello.offersAlpn() && hello.acceptsTls12()) {
            return npn;
        }
        return alpn;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isActive()) {
            startTimer(ctx);
        }
        super.handlerAdded(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        startTimer(ctx);
        super.channelActive(ctx);
    }

    private void startTimer(ChannelHandlerContext ctx) {
        if (timeout != null) {
            return;
        }
        deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(handshakeTimeoutMillis);
        timeout = ctx.executor().schedule(() -> {
            if (!failed && !ctx.isRemoved()) {
                fail(ctx, new SslHandshakeTimeoutException("no complete ClientHello within "
                        + handshakeTimeoutMillis + " ms"));
            }
        }, handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        super.decode(ctx, in, out);
    }

    /**
     * {@code clientHello} is the ClientHello body, owned (and released after this returns) by the superclass; it
     * is {@code null} when the first record is no ClientHello the superclass could read (an SSLv2-format hello,
     * another record type, or no TLS at all): the ALPN engine then decides, and fails the handshake if it must.
     */
    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) {
        if (clientHello == null) {
            return ctx.executor().newSucceededFuture(alpn);
        }
        try {
            ClientHelloExtensions hello = ClientHelloExtensions.parse(clientHello);
            SslContext chosen = route(hello, alpn, npn);
            LOG.debug("{}: {} -> {}", ctx.channel(), hello, chosen == npn ? "NPN (BoringSSL)" : "ALPN");
            return ctx.executor().newSucceededFuture(chosen);
        } catch (ClientHelloExtensions.MalformedClientHelloException e) {
            return ctx.executor().newFailedFuture(e);
        }
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, Future<SslContext> future) {
        if (failed) {
            return;
        }
        if (!future.isSuccess()) {
            fail(ctx, handshakeException("malformed ClientHello: " + future.cause().getMessage(), future.cause()));
            return;
        }
        SslHandler tls = null;
        try {
            tls = future.getNow().newHandler(ctx.alloc());
            if (!sessionTickets) {
                SessionTickets.refuse(tls.engine());
            }
        } catch (RuntimeException e) {
            if (tls != null) {
                // made, then failed to set up: its engine holds native memory until released
                ReferenceCountUtil.release(tls.engine());
            }
            LOG.warn("Cannot start TLS ({}) for {}: {}", future.getNow(), ctx.channel().remoteAddress(), e.toString());
            fail(ctx, handshakeException("cannot start TLS: " + e, e));
            return;
        }
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        tls.setHandshakeTimeoutMillis(timeout == null ? handshakeTimeoutMillis : Math.max(1, left));
        try {
            // Same name; the bytes buffered here go on to the SslHandler when this handler leaves.
            ctx.pipeline().replace(this, ctx.name(), tls);
        } catch (RuntimeException e) {
            ReferenceCountUtil.release(tls.engine());
            throw e;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        // From the superclass's decode, which has already failed the handshake and closed for these two: an
        // oversized hello (a DecoderException itself, so not wrapped) and a record that is not TLS.
        if (cause instanceof TooLongFrameException) {
            failed = true;
            ctx.fireExceptionCaught(new DecoderException(handshakeException(cause.getMessage(), cause)));
            return;
        }
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
            failed = true;
        }
        ctx.fireExceptionCaught(cause);
    }

    private void fail(ChannelHandlerContext ctx, SSLException cause) {
        failed = true;
        cancelTimer();
        ctx.fireUserEventTriggered(new SslHandshakeCompletionEvent(cause));
        ctx.fireExceptionCaught(new DecoderException(cause));
        ctx.close();
    }

    private static SSLHandshakeException handshakeException(String message, Throwable cause) {
        SSLHandshakeException e = new SSLHandshakeException(message);
        e.initCause(cause);
        return e;
    }

    private void cancelTimer() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        super.handlerRemoved0(ctx);
    }
}
