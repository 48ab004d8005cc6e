package dev.ferry.tls.impl;

import dev.ferry.api.spi.ProtocolNegotiator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for the HTTPS proxy listeners, with ALPN through the JDK's engine. The certificate comes from PEM files named in
 * the configuration, or is generated at first start into the data folder.
 */
@Component(service = ProtocolNegotiator.class, configurationPid = "dev.ferry.tls")
@Designate(ocd = TlsNegotiator.Config.class)
public class TlsNegotiator implements ProtocolNegotiator {

    @ObjectClassDefinition(name = "Ferry TLS", description = "Certificate and protocol versions of TLS listeners")
    public @interface Config {
        @AttributeDefinition(description = "PEM certificate chain; empty for a generated self-signed certificate")
        String certificateFile() default "";

        @AttributeDefinition(description = "PEM private key (PKCS#8) matching the certificate")
        String privateKeyFile() default "";

        @AttributeDefinition(description = "TLS versions accepted from clients")
        String[] tlsVersions() default {"TLSv1.3", "TLSv1.2"};

        @AttributeDefinition(description = "Milliseconds a client has to complete the TLS handshake")
        long handshakeTimeoutMillis() default 10_000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(TlsNegotiator.class);

    private final File certificate;
    private final File privateKey;
    private final String[] tlsVersions;
    private final long handshakeTimeoutMillis;
    /** One context per offered protocol list: the list changes only when codecs come and go. */
    private final Map<List<String>, SslContext> contexts = new ConcurrentHashMap<>();

    @Activate
    public TlsNegotiator(BundleContext bundleContext, Config config) throws IOException, GeneralSecurityException {
        if (config.handshakeTimeoutMillis() <= 0) {
            throw new IllegalArgumentException("handshakeTimeoutMillis must be positive: "
                    + config.handshakeTimeoutMillis());
        }
        this.tlsVersions = config.tlsVersions();
        this.handshakeTimeoutMillis = config.handshakeTimeoutMillis();
        if (config.certificateFile().isEmpty() != config.privateKeyFile().isEmpty()) {
            throw new IllegalArgumentException("certificateFile and privateKeyFile must be set together");
        }
        if (!config.certificateFile().isEmpty()) {
            this.certificate = new File(config.certificateFile());
            this.privateKey = new File(config.privateKeyFile());
            LOG.info("TLS certificate {} (SHA-256 {})", certificate,
                    SelfSignedCertificate.fingerprint(certificate.toPath()));
        } else {
            SelfSignedCertificate generated = SelfSignedCertificate.ensure(dataDirectory(bundleContext));
            this.certificate = generated.certificate().toFile();
            this.privateKey = generated.privateKey().toFile();
            LOG.info("{} self-signed TLS certificate {} (SHA-256 {})", generated.created() ? "Generated" : "Using",
                    certificate, SelfSignedCertificate.fingerprint(generated.certificate()));
        }
        // Fail at activation, not at the first client, when the files are unusable.
        context(List.of(ApplicationProtocolNames.HTTP_1_1));
    }

    static Path dataDirectory(BundleContext bundleContext) {
        String data = bundleContext.getProperty("ferry.data");
        if (data != null && !data.isEmpty()) {
            return Path.of(data, "tls");
        }
        return bundleContext.getDataFile("tls").toPath();
    }

    @Override
    public void configure(ChannelPipeline pipeline, List<String> protocols, Listener listener) {
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("no protocol to offer");
        }
        SslHandler tls = context(protocols).newHandler(pipeline.channel().alloc());
        tls.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        // A client that names no protocol speaks HTTP/1.1 when we offer it (curl to an HTTPS proxy does this).
        String fallback = protocols.contains(ApplicationProtocolNames.HTTP_1_1) ? ApplicationProtocolNames.HTTP_1_1
                : protocols.get(0);
        pipeline.addLast("tls", tls);
        pipeline.addLast("negotiation", new ApplicationProtocolNegotiationHandler(fallback) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                listener.negotiated(ctx.channel(), protocol);
            }

            @Override
            protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                LOG.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
                ctx.close();
            }
        });
    }

    private SslContext context(List<String> protocols) {
        return contexts.computeIfAbsent(List.copyOf(protocols), this::newContext);
    }

    private SslContext newContext(List<String> protocols) {
        try {
            return SslContextBuilder.forServer(certificate, privateKey)
                    .sslProvider(SslProvider.JDK)
                    .protocols(tlsVersions)
                    .sessionTimeout(TimeUnit.HOURS.toSeconds(1))
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            protocols))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build a TLS context from " + certificate + " and " + privateKey
                    + ": " + e.getMessage(), e);
        }
    }
}
