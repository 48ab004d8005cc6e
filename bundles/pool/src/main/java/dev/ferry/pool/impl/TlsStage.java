package dev.ferry.pool.impl;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;

/**
 * A TLS handshake as a connect-job stage: with an HTTPS upstream proxy (PROXY_TLS, fallback-worthy: the proxy is
 * broken) or with the origin (ORIGIN_TLS, not fallback-worthy: another proxy reaches the same origin). The SslHandler
 * stays in the pipeline, added last, so the caller's handlers go after it.
 */
final class TlsStage {

    static final String PROXY_TLS_HANDLER = "ferry-proxy-tls";
    static final String ORIGIN_TLS_HANDLER = "ferry-origin-tls";

    private TlsStage() {
    }

    static Future<Channel> handshake(Channel ch, ConnectStage stage, TrustConfig trust, ProxyServer proxy,
            HostAndPort peer, String peerName, int timeoutMillis) {
        Promise<Channel> done = ch.eventLoop().newPromise();
        SslHandler ssl = trust.newHandler(ch.alloc(), peer, timeoutMillis);
        ch.pipeline().addLast(stage == ConnectStage.PROXY_TLS ? PROXY_TLS_HANDLER : ORIGIN_TLS_HANDLER, ssl);
        ch.pipeline().addLast(StageErrorSink.NAME, StageErrorSink.INSTANCE);
        ssl.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                StageErrorSink.remove(ch);
                done.trySuccess(ch);
            } else {
                done.tryFailure(classify(stage, proxy, peerName, timeoutMillis, f.cause()));
            }
        });
        return done;
    }

    static ConnectJobException classify(ConnectStage stage, ProxyServer proxy, String peerName, int timeoutMillis,
            Throwable cause) {
        boolean fallback = stage == ConnectStage.PROXY_TLS;
        String setting = stage == ConnectStage.PROXY_TLS ? "proxyTlsTimeoutMillis" : "originTlsTimeoutMillis";
        if (cause instanceof SslHandshakeTimeoutException) {
            return new ConnectJobException(proxy, stage, ProxyErrorType.CONNECTION_TIMEOUT, fallback,
                    "TLS handshake with " + peerName + " timed out after " + timeoutMillis + " ms (dev.ferry.pool "
                            + setting + ")", cause);
        }
        if (isCertificateProblem(cause)) {
            return new ConnectJobException(proxy, stage, ProxyErrorType.TLS_CERTIFICATE_ERROR, fallback,
                    "certificate of " + peerName + " not accepted: " + rootMessage(cause), cause);
        }
        return new ConnectJobException(proxy, stage, ProxyErrorType.TLS_PROTOCOL_ERROR, fallback,
                "TLS handshake with " + peerName + " failed: " + rootMessage(cause), cause);
    }

    private static boolean isCertificateProblem(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathValidatorException
                    || t instanceof CertPathBuilderException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == cause ? String.valueOf(cause.getMessage())
                : cause.getMessage() + " (" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")";
    }
}
