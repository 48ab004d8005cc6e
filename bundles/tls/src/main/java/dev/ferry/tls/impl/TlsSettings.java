package dev.ferry.tls.impl;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The negotiator's configuration, checked once; a changed configuration is a new instance. */
final class TlsSettings {

    static final String OPENSSL = "OPENSSL";
    static final String JDK = "JDK";
    static final String BCJSSE = "BCJSSE";

    private final String certificateFile;
    private final String privateKeyFile;
    private final List<String> tlsVersions;
    private final long handshakeTimeoutMillis;
    private final String alpnProvider;
    private final boolean npn;
    private final boolean sessionTickets;

    private TlsSettings(TlsNegotiator.Config config) {
        if (config.handshakeTimeoutMillis() <= 0) {
            throw new IllegalArgumentException("handshakeTimeoutMillis must be positive: "
                    + config.handshakeTimeoutMillis());
        }
        this.handshakeTimeoutMillis = config.handshakeTimeoutMillis();
        this.alpnProvider = config.alpnProvider().trim().toUpperCase(Locale.ROOT);
        if (!alpnProvider.equals(OPENSSL) && !alpnProvider.equals(JDK) && !alpnProvider.equals(BCJSSE)) {
            throw new IllegalArgumentException("alpnProvider must be OPENSSL, JDK or BCJSSE, not "
                    + config.alpnProvider());
        }
        this.certificateFile = config.certificateFile().trim();
        this.privateKeyFile = config.privateKeyFile().trim();
        if (certificateFile.isEmpty() != privateKeyFile.isEmpty()) {
            throw new IllegalArgumentException("certificateFile and privateKeyFile must be set together");
        }
        this.tlsVersions = List.copyOf(Arrays.asList(config.tlsVersions()));
        if (tlsVersions.isEmpty()) {
            throw new IllegalArgumentException("tlsVersions must name at least one TLS version");
        }
        this.npn = config.npn();
        this.sessionTickets = config.sessionTickets();
    }

    /** @throws IllegalArgumentException naming the setting that is wrong */
    static TlsSettings of(TlsNegotiator.Config config) {
        return new TlsSettings(config);
    }

    /** Empty for a generated self-signed certificate. */
    String certificateFile() {
        return certificateFile;
    }

    String privateKeyFile() {
        return privateKeyFile;
    }

    List<String> tlsVersions() {
        return tlsVersions;
    }

    long handshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    /** {@link #OPENSSL}, {@link #JDK} or {@link #BCJSSE}: what was asked for (OPENSSL may not be available). */
    String alpnProvider() {
        return alpnProvider;
    }

    /** Whether NPN is wanted (it also needs netty-tcnative and TLS 1.2). */
    boolean npn() {
        return npn;
    }

    /** Whether BoringSSL's contexts issue session tickets. */
    boolean sessionTickets() {
        return sessionTickets;
    }
}
