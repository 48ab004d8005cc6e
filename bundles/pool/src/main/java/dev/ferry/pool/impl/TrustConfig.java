package dev.ferry.pool.impl;

import dev.ferry.api.proxy.HostAndPort;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The client TLS context for HTTPS upstream proxies and for origins: the JDK's default trust store plus the
 * certificates of {@code trustCertificatesFile}, host names checked ("HTTPS" endpoint identification), ALPN offering
 * only http/1.1 (Ferry speaks HTTP/1.1 upstream, never SPDY).
 */
final class TrustConfig {

    private final SslContext context;
    private final boolean verify;
    private final int extraCertificates;

    private TrustConfig(SslContext context, boolean verify, int extraCertificates) {
        this.context = context;
        this.verify = verify;
        this.extraCertificates = extraCertificates;
    }

    static TrustConfig create(String trustCertificatesFile, boolean verify) {
        List<X509Certificate> extra = trustCertificatesFile.trim().isEmpty() ? List.of()
                : readCertificates(Paths.get(trustCertificatesFile.trim()));
        SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_1_1));
        try {
            if (!verify) {
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (!extra.isEmpty()) {
                builder.trustManager(withDefaults(extra));
            }
            return new TrustConfig(builder.build(), verify, extra.size());
        } catch (SSLException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the upstream TLS context: " + e.getMessage(), e);
        }
    }

    /** A handler for a TLS client connection to {@code peer}: SNI and host name check against its host. */
    SslHandler newHandler(ByteBufAllocator alloc, HostAndPort peer, int handshakeTimeoutMillis) {
        SslHandler handler = context.newHandler(alloc, peer.host(), peer.port());
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        if (verify) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!NetUtil.isValidIpV4Address(peer.host()) && !NetUtil.isValidIpV6Address(peer.host())) {
            // The JDK sends SNI for a peer host given to the engine, but only when it looks like a DNS name;
            // stating it keeps single-label names such as "proxy" working too.
            String name = peer.host().endsWith(".") ? peer.host().substring(0, peer.host().length() - 1)
                    : peer.host();
            try {
                parameters.setServerNames(List.of(new SNIHostName(name)));
            } catch (IllegalArgumentException notAHostName) {
                // e.g. "my_proxy": no SNI rather than no connection; certificate checks still apply.
            }
        }
        engine.setSSLParameters(parameters);
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }

    boolean verifies() {
        return verify;
    }

    int extraCertificates() {
        return extraCertificates;
    }

    private static List<X509Certificate> readCertificates(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) c);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("dev.ferry.pool trustCertificatesFile '" + file
                        + "' holds no PEM certificate");
            }
            return certificates;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("dev.ferry.pool trustCertificatesFile '" + file
                    + "' cannot be read as PEM certificates: " + e.getMessage(), e);
        }
    }

    /** The JDK's default trusted certificates and {@code extra}: the file adds to the defaults, never replaces. */
    private static X509Certificate[] withDefaults(List<X509Certificate> extra) throws GeneralSecurityException {
        TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        defaults.init((KeyStore) null);
        List<X509Certificate> all = new ArrayList<>(extra);
        for (TrustManager tm : defaults.getTrustManagers()) {
            if (tm instanceof X509TrustManager) {
                all.addAll(Arrays.asList(((X509TrustManager) tm).getAcceptedIssuers()));
            }
        }
        return all.toArray(new X509Certificate[0]);
    }
}
