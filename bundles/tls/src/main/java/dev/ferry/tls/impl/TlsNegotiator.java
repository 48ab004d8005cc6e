package dev.ferry.tls.impl;

import dev.ferry.api.codec.ProtocolNegotiator;
import dev.ferry.api.spi.RevisionClasses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Collection;
import java.util.Dictionary;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for the HTTPS proxy listeners, with protocol negotiation: ALPN through the JDK's engine or Bouncy Castle JSSE,
 * and NPN through BoringSSL (netty-tcnative) for clients that offer NPN and no ALPN. A {@link ClientHelloRouter}
 * reads each ClientHello and hands the connection to the matching engine. The certificate comes from PEM files
 * named in the configuration, or is generated at first start into the data folder.
 *
 * <p>Registered as a {@link ProtocolNegotiator} service by this component itself (not by DS), because the service
 * properties say what was found at activation: {@value #NPN_PROPERTY} ({@code Boolean}: NPN offered),
 * {@value #NPN_STATUS_PROPERTY} (why, or why not) and {@value #ALPN_PROVIDER_PROPERTY}.
 *
 * <p>A changed configuration applies in place: the new contexts ({@link TlsContexts}) are built and checked first,
 * then replace the old ones in one step for the connections accepted after that; a handshake in flight finishes
 * with the contexts it started with, and the service stays registered (its properties are updated). A configuration
 * the contexts cannot be built with is refused with one ERROR line naming the setting, and the contexts in use stay.
 */
@Component(service = {}, configurationPid = "dev.ferry.tls")
@Designate(ocd = TlsNegotiator.Config.class)
public class TlsNegotiator implements ProtocolNegotiator {

    @ObjectClassDefinition(name = "Ferry TLS", description = "Certificate, protocol versions and protocol "
            + "negotiation (ALPN, NPN) of TLS listeners")
    public @interface Config {
        @AttributeDefinition(description = "PEM certificate chain; empty for a generated self-signed certificate")
        String certificateFile() default "";

        @AttributeDefinition(description = "PEM private key (PKCS#8) matching the certificate")
        String privateKeyFile() default "";

        @AttributeDefinition(description = "TLS versions accepted from clients (ALPN engine; NPN is TLSv1.2 only)")
        String[] tlsVersions() default {"TLSv1.3", "TLSv1.2"};

        @AttributeDefinition(description = "Milliseconds a client has to complete the TLS handshake")
        long handshakeTimeoutMillis() default 10_000;

        @AttributeDefinition(description = "TLS engine for ALPN: OPENSSL (BoringSSL through netty-tcnative; the "
                + "JDK's engine where it does not load), JDK (the JDK's JSSE) or BCJSSE (Bouncy Castle JSSE, needs an "
                + "RSA key)", options = {
                    @Option(label = "BoringSSL (netty-tcnative)", value = TlsSettings.OPENSSL),
                    @Option(label = "JDK", value = TlsSettings.JDK),
                    @Option(label = "Bouncy Castle JSSE", value = TlsSettings.BCJSSE)
                })
        String alpnProvider() default TlsSettings.OPENSSL;

        @AttributeDefinition(description = "Offer NPN, on TLS 1.2 through BoringSSL (netty-tcnative), to clients "
                + "that offer NPN and no ALPN; without netty-tcnative only ALPN is offered")
        boolean npn() default true;

        @AttributeDefinition(description = "Let BoringSSL (the ALPN engine OPENSSL, and NPN) issue TLS session "
                + "tickets, so that a returning client resumes its session (TLS 1.3: a new key exchange, but no "
                + "certificate and no signature). The ticket keys are BoringSSL's own: random, in memory only, "
                + "rotated; tickets live 1 hour. false: no tickets (TLS 1.3 clients then always get a full handshake; "
                + "TLS 1.2 clients may still resume from the server's session cache)")
        boolean sessionTickets() default true;
    }

    /** Service property: {@code Boolean.TRUE} when NPN clients get NPN. */
    public static final String NPN_PROPERTY = "ferry.tls.npn";
    /** Service property: a sentence saying which engine does NPN, or why there is none. */
    public static final String NPN_STATUS_PROPERTY = "ferry.tls.npn.status";
    /** Service property: {@code JDK} or {@code BCJSSE}. */
    public static final String ALPN_PROVIDER_PROPERTY = "ferry.tls.alpn.provider";

    private static final Logger LOG = LoggerFactory.getLogger(TlsNegotiator.class);

    /** Where a generated certificate lives; null in tests, which always name their certificate files. */
    private final BundleContext bundleContext;
    /** Read once per connection, whose router keeps them through its handshake. */
    private volatile TlsContexts contexts;
    private ServiceRegistration<ProtocolNegotiator> registration;

    @Activate
    public TlsNegotiator(BundleContext bundleContext, Config config) {
        this.bundleContext = bundleContext;
        // Fail at activation, not at the first client, when the files are unusable.
        this.contexts = newContexts(TlsSettings.of(config), List.of());
        logSummary("TLS protocol negotiation: ");
    }

    @Activate
    void register(BundleContext bundleContext) {
        registration = bundleContext.registerService(ProtocolNegotiator.class, this, serviceProperties());
        // Connections outlive this revision: every class they may need is loaded now, see RevisionClasses.
        RevisionClasses.loadAll(bundleContext.getBundle());
    }

    @Modified
    void modified(Config config) {
        TlsContexts next;
        try {
            next = newContexts(TlsSettings.of(config), contexts.protocolLists());
        } catch (IllegalArgumentException e) {
            LOG.error("dev.ferry.tls: {}; keeping the TLS settings in use ({})", e.getMessage(), contexts.summary());
            return;
        }
        contexts = next;
        if (registration != null) {
            registration.setProperties(serviceProperties());
        }
        logSummary("TLS protocol negotiation for new connections: ");
    }

    @Deactivate
    void unregister() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
    }

    /**
     * The certificate named by the settings (or the generated one) and the contexts built with it.
     *
     * @throws IllegalArgumentException naming the setting that keeps them from being built
     */
    private TlsContexts newContexts(TlsSettings settings, Collection<List<String>> protocolLists) {
        File certificate;
        File privateKey;
        if (!settings.certificateFile().isEmpty()) {
            certificate = new File(settings.certificateFile());
            privateKey = new File(settings.privateKeyFile());
            String fingerprint;
            try {
                fingerprint = SelfSignedCertificate.fingerprint(certificate.toPath());
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("certificateFile " + certificate + " cannot be read: " + e, e);
            }
            TlsContexts built = TlsContexts.build(settings, certificate, privateKey, protocolLists);
            LOG.info("TLS certificate {} (SHA-256 {})", certificate, fingerprint);
            return built;
        }
        Path dir = dataDirectory(bundleContext);
        SelfSignedCertificate generated;
        String fingerprint;
        try {
            generated = SelfSignedCertificate.ensure(dir, settings.alpnProvider().equals(TlsSettings.BCJSSE)
                    ? SelfSignedCertificate.KeyType.RSA_2048 : SelfSignedCertificate.KeyType.EC_P256);
            fingerprint = SelfSignedCertificate.fingerprint(generated.certificate());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("certificateFile is empty and no self-signed certificate can be made "
                    + "or read in " + dir + ": " + e, e);
        }
        certificate = generated.certificate().toFile();
        privateKey = generated.privateKey().toFile();
        LOG.info("{} self-signed TLS certificate {} (SHA-256 {})", generated.created() ? "Generated" : "Using",
                certificate, fingerprint);
        return TlsContexts.build(settings, certificate, privateKey, protocolLists);
    }

    private void logSummary(String prefix) {
        TlsContexts now = contexts;
        if (now.wantedMissing()) {
            LOG.warn(prefix + now.summary());
        } else {
            LOG.info(prefix + now.summary());
        }
    }

    /** The properties the service is registered with. */
    Dictionary<String, Object> serviceProperties() {
        return contexts.serviceProperties();
    }

    static Path dataDirectory(BundleContext bundleContext) {
        String data = bundleContext.getProperty("ferry.data");
        if (data != null && !data.isEmpty()) {
            return Path.of(data, "tls");
        }
        return bundleContext.getDataFile("tls").toPath();
    }

    /** Whether NPN clients are sent to BoringSSL. */
    boolean npn() {
        return contexts.npn();
    }

    @Override
    public void configure(ChannelPipeline pipeline, List<String> protocols, Listener listener) {
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("no protocol to offer");
        }
        List<String> offered = List.copyOf(protocols);
        TlsContexts now = contexts;
        TlsContexts.Routes r = now.routes(offered);
        // A client that names no protocol speaks HTTP/1.1 when we offer it (curl to an HTTPS proxy does this).
        String fallback = offered.contains(ApplicationProtocolNames.HTTP_1_1) ? ApplicationProtocolNames.HTTP_1_1
                : offered.get(0);
        pipeline.addLast("tls", new ClientHelloRouter(r, now.handshakeTimeoutMillis()));
        pipeline.addLast("negotiation", new ApplicationProtocolNegotiationHandler(fallback) {
            @Override
            protected void configurePipeline(ChannelHandlerContext ctx, String ignored) {
                String protocol = negotiated(ctx.pipeline().get(SslHandler.class));
                if (protocol == null) {
                    protocol = fallback;
                } else if (!offered.contains(protocol)) {
                    // NPN lets the client pick; when it shares no protocol with us it names one of its own.
                    LOG.debug("TLS client {} chose {}, which is not offered {}; closing",
                            ctx.channel().remoteAddress(), protocol, offered);
                    ctx.close();
                    return;
                }
                listener.negotiated(ctx.channel(), protocol);
            }

            @Override
            protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
                LOG.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
                ctx.close();
            }
        });
    }

    /**
     * The protocol the handshake settled on, or {@code null} for none: from Netty's engine wrappers (JDK and Bouncy
     * Castle ALPN, BoringSSL ALPN and NPN), else from the engine's own {@link javax.net.ssl.SSLEngine
     * #getApplicationProtocol()}.
     */
    static String negotiated(SslHandler tls) {
        String protocol = tls.applicationProtocol();
        if (protocol == null) {
            try {
                protocol = tls.engine().getApplicationProtocol();
            } catch (UnsupportedOperationException e) {
                protocol = null;
            }
        }
        return protocol == null || protocol.isEmpty() ? null : protocol;
    }
}
