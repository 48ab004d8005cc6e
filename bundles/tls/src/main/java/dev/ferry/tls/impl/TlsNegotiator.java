package dev.ferry.tls.impl;

import dev.ferry.api.codec.ProtocolNegotiator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
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

        @AttributeDefinition(description = "TLS engine for ALPN: JDK (the JDK's JSSE) or BCJSSE (Bouncy Castle "
                + "JSSE, needs an RSA key)", options = {
                    @Option(label = "JDK", value = "JDK"),
                    @Option(label = "Bouncy Castle JSSE", value = "BCJSSE")
                })
        String alpnProvider() default "JDK";

        @AttributeDefinition(description = "Offer NPN, on TLS 1.2 through BoringSSL (netty-tcnative), to clients "
                + "that offer NPN and no ALPN; without netty-tcnative only ALPN is offered")
        boolean npn() default true;
    }

    /** Service property: {@code Boolean.TRUE} when NPN clients get NPN. */
    public static final String NPN_PROPERTY = "ferry.tls.npn";
    /** Service property: a sentence saying which engine does NPN, or why there is none. */
    public static final String NPN_STATUS_PROPERTY = "ferry.tls.npn.status";
    /** Service property: {@code JDK} or {@code BCJSSE}. */
    public static final String ALPN_PROVIDER_PROPERTY = "ferry.tls.alpn.provider";

    static final String JDK = "JDK";
    static final String BCJSSE = "BCJSSE";
    private static final String NPN_VERSION = "TLSv1.2";

    private static final Logger LOG = LoggerFactory.getLogger(TlsNegotiator.class);

    private final File certificate;
    private final File privateKey;
    private final String[] tlsVersions;
    private final long handshakeTimeoutMillis;
    private final String alpnProvider;
    /** Bouncy Castle JSSE over the Bouncy Castle JCA provider; {@code null} with the JDK engine. */
    private final Provider bcJsse;
    private final boolean npn;
    private final String npnStatus;
    /** The two configurations per offered protocol list: the list changes only when codecs come and go. */
    private final Map<List<String>, Routes> routes = new ConcurrentHashMap<>();
    private ServiceRegistration<ProtocolNegotiator> registration;

    /** The contexts one offered protocol list is negotiated with; {@code npn} is {@code null} without NPN. */
    private static final class Routes {
        final SslContext alpn;
        final SslContext npn;

        Routes(SslContext alpn, SslContext npn) {
            this.alpn = alpn;
            this.npn = npn;
        }
    }

    @Activate
    public TlsNegotiator(BundleContext bundleContext, Config config) throws IOException, GeneralSecurityException {
        if (config.handshakeTimeoutMillis() <= 0) {
            throw new IllegalArgumentException("handshakeTimeoutMillis must be positive: "
                    + config.handshakeTimeoutMillis());
        }
        this.tlsVersions = config.tlsVersions();
        this.handshakeTimeoutMillis = config.handshakeTimeoutMillis();
        this.alpnProvider = config.alpnProvider().trim().toUpperCase(Locale.ROOT);
        if (alpnProvider.equals(BCJSSE)) {
            bcJsse = new BouncyCastleJsseProvider(new BouncyCastleProvider());
        } else if (alpnProvider.equals(JDK)) {
            bcJsse = null;
        } else {
            throw new IllegalArgumentException("alpnProvider must be JDK or BCJSSE, not " + config.alpnProvider());
        }
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
        List<String> http11 = List.of(ApplicationProtocolNames.HTTP_1_1);
        SslContext alpn = newAlpn(http11);
        String why = npnUnavailable(config.npn());
        SslContext npnTls = null;
        if (why == null) {
            try {
                npnTls = newNpn(http11);
            } catch (IllegalStateException e) {
                why = "BoringSSL cannot use the certificate: " + e.getMessage();
            }
        }
        this.npn = why == null;
        this.npnStatus = npn ? "NPN with " + OpenSsl.versionString() + " (netty-tcnative) on " + NPN_VERSION
                : "NPN unavailable: " + why;
        routes.put(http11, new Routes(alpn, npnTls));
        String summary = "TLS protocol negotiation: ALPN with " + alpnProvider + " on " + Arrays.toString(tlsVersions)
                + "; " + npnStatus;
        if (!npn && config.npn()) {
            LOG.warn(summary);
        } else {
            LOG.info(summary);
        }
    }

    /** Why NPN cannot be offered, or {@code null} when it can. */
    private String npnUnavailable(boolean configured) {
        if (!configured) {
            return "disabled by configuration (npn = false)";
        }
        if (!Arrays.asList(tlsVersions).contains(NPN_VERSION)) {
            return "tlsVersions does not include " + NPN_VERSION;
        }
        if (!OpenSsl.isAvailable()) {
            Throwable cause = OpenSsl.unavailabilityCause();
            return "netty-tcnative (BoringSSL) did not load: " + (cause == null ? "unknown cause" : cause.toString());
        }
        return null;
    }

    @Activate
    void register(BundleContext bundleContext) {
        registration = bundleContext.registerService(ProtocolNegotiator.class, this, serviceProperties());
    }

    @Deactivate
    void unregister() {
        if (registration != null) {
            registration.unregister();
            registration = null;
        }
        routes.clear();
    }

    /** The properties the service is registered with. */
    Dictionary<String, Object> serviceProperties() {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(NPN_PROPERTY, npn);
        properties.put(NPN_STATUS_PROPERTY, npnStatus);
        properties.put(ALPN_PROVIDER_PROPERTY, alpnProvider);
        return properties;
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
        return npn;
    }

    @Override
    public void configure(ChannelPipeline pipeline, List<String> protocols, Listener listener) {
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("no protocol to offer");
        }
        List<String> offered = List.copyOf(protocols);
        Routes r = routes.computeIfAbsent(offered, this::newRoutes);
        // A client that names no protocol speaks HTTP/1.1 when we offer it (curl to an HTTPS proxy does this).
        String fallback = offered.contains(ApplicationProtocolNames.HTTP_1_1) ? ApplicationProtocolNames.HTTP_1_1
                : offered.get(0);
        pipeline.addLast("tls", new ClientHelloRouter(r.alpn, r.npn, handshakeTimeoutMillis));
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

    private Routes newRoutes(List<String> protocols) {
        return new Routes(newAlpn(protocols), npn ? newNpn(protocols) : null);
    }

    /**
     * The JDK engine, or Bouncy Castle JSSE as the JDK-style engine's provider; Netty wraps either for ALPN. The
     * server's preference decides; a client offering none of {@code protocols} gets no ALPN (and the fallback)
     * rather than a {@code no_application_protocol} alert.
     */
    private SslContext newAlpn(List<String> protocols) {
        SslContextBuilder builder = SslContextBuilder.forServer(certificate, privateKey)
                .sslProvider(SslProvider.JDK)
                .protocols(tlsVersions)
                .sessionTimeout(TimeUnit.HOURS.toSeconds(1))
                .applicationProtocolConfig(advertise(ApplicationProtocolConfig.Protocol.ALPN, protocols));
        if (bcJsse != null) {
            builder.sslContextProvider(bcJsse);
        }
        return build(builder);
    }

    /** BoringSSL, TLS 1.2 only: it does NPN on nothing newer. */
    private SslContext newNpn(List<String> protocols) {
        return build(SslContextBuilder.forServer(certificate, privateKey)
                .sslProvider(SslProvider.OPENSSL)
                .protocols(NPN_VERSION)
                .sessionTimeout(TimeUnit.HOURS.toSeconds(1))
                .applicationProtocolConfig(advertise(ApplicationProtocolConfig.Protocol.NPN, protocols)));
    }

    private static ApplicationProtocolConfig advertise(ApplicationProtocolConfig.Protocol protocol,
            List<String> protocols) {
        return new ApplicationProtocolConfig(protocol, ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols);
    }

    private SslContext build(SslContextBuilder builder) {
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build a TLS context from " + certificate + " and " + privateKey
                    + ": " + e.getMessage(), e);
        }
    }
}
