package dev.ferry.tls.impl;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.io.File;
import java.security.Provider;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/**
 * The TLS server contexts of one configuration: per offered protocol list, the ALPN context (BoringSSL, the JDK
 * engine or Bouncy Castle JSSE, {@code tlsVersions}) and, when NPN is available, the NPN context (BoringSSL, TLS
 * 1.2). Built and checked completely before anyone uses them, so the negotiator can switch from one instance to the
 * next in one step; a connection keeps the contexts its {@link ClientHelloRouter} was given.
 */
final class TlsContexts {

    static final String NPN_VERSION = "TLSv1.2";
    private static final String H2 = "h2";
    private static final List<String> HTTP_11 = List.of(ApplicationProtocolNames.HTTP_1_1);

    /** The contexts one offered protocol list is negotiated with; {@code npn} is {@code null} without NPN. */
    static final class Routes {
        final SslContext alpn;
        final SslContext npn;

        /** Whether BoringSSL's engines may issue session tickets. */
        final boolean sessionTickets;

        Routes(SslContext alpn, SslContext npn, boolean sessionTickets) {
            this.alpn = alpn;
            this.npn = npn;
            this.sessionTickets = sessionTickets;
        }
    }

    private final TlsSettings settings;
    private final File certificate;
    private final File privateKey;
    /** The engine ALPN clients get: {@code alpnProvider}, or JDK where OPENSSL was asked for and did not load. */
    private final String alpnEngine;
    /** Why OPENSSL was asked for and the JDK engine serves instead; {@code null} otherwise. */
    private final String alpnFallback;
    /** Bouncy Castle JSSE over the Bouncy Castle JCA provider; {@code null} with the other engines. */
    private final Provider bcJsse;
    private final boolean npn;
    private final String npnStatus;
    /** Per offered protocol list: the list changes only when codecs come and go. */
    private final Map<List<String>, Routes> routes = new ConcurrentHashMap<>();

    private TlsContexts(TlsSettings settings, File certificate, File privateKey) {
        this.settings = settings;
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.alpnFallback = settings.alpnProvider().equals(TlsSettings.OPENSSL) ? openSslUnavailable() : null;
        this.alpnEngine = alpnFallback == null ? settings.alpnProvider() : TlsSettings.JDK;
        this.bcJsse = alpnEngine.equals(TlsSettings.BCJSSE)
                ? new BouncyCastleJsseProvider(new BouncyCastleProvider()) : null;
        SslContext alpn = newAlpn(HTTP_11);
        checkVersions(alpn);
        String why = npnUnavailable();
        SslContext npnTls = null;
        if (why == null) {
            try {
                npnTls = newNpn(HTTP_11);
            } catch (IllegalArgumentException e) {
                why = "BoringSSL cannot use the certificate: " + e.getMessage();
            }
        }
        this.npn = why == null;
        this.npnStatus = npn ? "NPN with " + OpenSsl.versionString() + " (netty-tcnative) on " + NPN_VERSION
                : "NPN unavailable: " + why;
        routes.put(HTTP_11, new Routes(alpn, npnTls, settings.sessionTickets()));
    }

    /**
     * Builds the contexts for HTTP/1.1 and for each of {@code protocolLists}, so that the listeners' first
     * connections after a switch find theirs ready.
     *
     * @throws IllegalArgumentException naming the setting the contexts cannot be built with
     */
    static TlsContexts build(TlsSettings settings, File certificate, File privateKey,
            Collection<List<String>> protocolLists) {
        TlsContexts contexts = new TlsContexts(settings, certificate, privateKey);
        protocolLists.forEach(contexts::routes);
        return contexts;
    }

    /** The contexts for {@code offered}, built on first use. */
    Routes routes(List<String> offered) {
        return routes.computeIfAbsent(offered, this::newRoutes);
    }

    /** The protocol lists contexts were built for. */
    Set<List<String>> protocolLists() {
        return new LinkedHashSet<>(routes.keySet());
    }

    long handshakeTimeoutMillis() {
        return settings.handshakeTimeoutMillis();
    }

    /** Whether NPN clients are sent to BoringSSL. */
    boolean npn() {
        return npn;
    }

    /** Whether NPN or the OPENSSL engine was wanted and is not available: worth a warning. */
    boolean wantedMissing() {
        return settings.npn() && !npn || alpnFallback != null;
    }

    /** The service properties that describe these contexts. */
    Dictionary<String, Object> serviceProperties() {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(TlsNegotiator.NPN_PROPERTY, npn);
        properties.put(TlsNegotiator.NPN_STATUS_PROPERTY, npnStatus);
        properties.put(TlsNegotiator.ALPN_PROVIDER_PROPERTY, alpnEngine);
        return properties;
    }

    /** One line saying how clients negotiate. */
    String summary() {
        String engine = alpnEngine.equals(TlsSettings.OPENSSL) ? "OPENSSL (" + OpenSsl.versionString() + ")"
                : alpnFallback != null ? "JDK (alpnProvider OPENSSL unavailable: " + alpnFallback + ")" : alpnEngine;
        return "ALPN with " + engine + " on " + settings.tlsVersions() + "; " + npnStatus
                + "; handshake timeout " + settings.handshakeTimeoutMillis() + " ms; session tickets "
                + (settings.sessionTickets() ? "on" : "off") + " (BoringSSL)";
    }

    /** Why NPN cannot be offered, or {@code null} when it can. */
    private String npnUnavailable() {
        if (!settings.npn()) {
            return "disabled by configuration (npn = false)";
        }
        if (!settings.tlsVersions().contains(NPN_VERSION)) {
            return "tlsVersions does not include " + NPN_VERSION;
        }
        return openSslUnavailable();
    }

    /** Why BoringSSL cannot serve, or {@code null} when it can. */
    private static String openSslUnavailable() {
        if (!OpenSsl.isAvailable()) {
            Throwable cause = OpenSsl.unavailabilityCause();
            return "netty-tcnative (BoringSSL) did not load: " + (cause == null ? "unknown cause" : cause.toString());
        }
        return null;
    }

    private Routes newRoutes(List<String> protocols) {
        List<String> overNpn = npnProtocols(protocols);
        return new Routes(newAlpn(protocols), npn && !overNpn.isEmpty() ? newNpn(overNpn) : null,
                settings.sessionTickets());
    }

    /**
     * What NPN clients are offered: everything but {@code h2}, which RFC 9113 negotiates with ALPN only (NPN clients
     * are older SPDY clients; they keep getting SPDY).
     */
    static List<String> npnProtocols(List<String> protocols) {
        return protocols.stream().filter(p -> !H2.equals(p)).collect(Collectors.toList());
    }

    /**
     * BoringSSL, the JDK engine, or Bouncy Castle JSSE as the JDK-style engine's provider; Netty wraps each for ALPN.
     * The server's preference decides; a client offering none of {@code protocols} gets no ALPN (and the fallback)
     * rather than a {@code no_application_protocol} alert.
     */
    private SslContext newAlpn(List<String> protocols) {
        SslContextBuilder builder = forServer()
                .sslProvider(alpnEngine.equals(TlsSettings.OPENSSL) ? SslProvider.OPENSSL : SslProvider.JDK)
                .protocols(settings.tlsVersions())
                .sessionTimeout(TimeUnit.HOURS.toSeconds(1))
                .applicationProtocolConfig(advertise(ApplicationProtocolConfig.Protocol.ALPN, protocols));
        if (bcJsse != null) {
            builder.sslContextProvider(bcJsse);
        }
        return withTickets(build(builder));
    }

    /** BoringSSL, TLS 1.2 only: it does NPN on nothing newer. */
    private SslContext newNpn(List<String> protocols) {
        return withTickets(build(forServer()
                .sslProvider(SslProvider.OPENSSL)
                .protocols(NPN_VERSION)
                .sessionTimeout(TimeUnit.HOURS.toSeconds(1))
                .applicationProtocolConfig(advertise(ApplicationProtocolConfig.Protocol.NPN, protocols))));
    }

    private SslContext withTickets(SslContext context) {
        return settings.sessionTickets() ? SessionTickets.enable(context) : context;
    }

    /** The engine takes the versions only when it is made: make one now rather than fail the first client. */
    private void checkVersions(SslContext alpn) {
        SSLEngine engine;
        try {
            engine = alpn.newEngine(ByteBufAllocator.DEFAULT);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("tlsVersions " + settings.tlsVersions() + " cannot be used with "
                    + settings.alpnProvider() + ": " + e.getMessage(), e);
        }
        ReferenceCountUtil.release(engine);
    }

    private static ApplicationProtocolConfig advertise(ApplicationProtocolConfig.Protocol protocol,
            List<String> protocols) {
        return new ApplicationProtocolConfig(protocol, ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, protocols);
    }

    /** Reads the certificate chain and the key. */
    private SslContextBuilder forServer() {
        try {
            return SslContextBuilder.forServer(certificate, privateKey);
        } catch (IllegalArgumentException e) {
            throw unusable(e);
        }
    }

    private SslContext build(SslContextBuilder builder) {
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw unusable(e);
        }
    }

    private IllegalArgumentException unusable(Exception e) {
        return new IllegalArgumentException("certificateFile " + certificate + " / privateKeyFile " + privateKey
                + " cannot be used: " + e.getMessage(), e);
    }
}
