package dev.ferry.spdy.client;

import java.util.List;
import java.util.Objects;

/**
 * How a session negotiates SPDY inside TLS: the TLS extension (ALPN or NPN), the TLS engine, the TLS versions and the
 * protocols offered. Immutable; usable as a map key.
 * <p>
 * {@link #ALPN}: the JDK engine, TLS 1.3 and 1.2, ALPN offering {@code spdy/3.1, http/1.1}. {@link #NPN}: BoringSSL
 * (netty-tcnative), TLS 1.2 only — NPN does not exist in TLS 1.3 — offering {@code spdy/3.1, http/1.1}.
 */
public final class Negotiation {

    /** The protocol a session needs TLS to select. */
    public static final String SPDY_3_1 = "spdy/3.1";

    /** The TLS extension that carries the protocol choice. */
    public enum Extension { ALPN, NPN }

    /** The TLS engine: the JDK's, or BoringSSL through netty-tcnative (the only one here that does NPN). */
    public enum Provider { JDK, OPENSSL }

    public static final Negotiation ALPN = new Negotiation(Extension.ALPN, Provider.JDK,
            List.of("TLSv1.3", "TLSv1.2"), List.of(SPDY_3_1, "http/1.1"));

    public static final Negotiation NPN = new Negotiation(Extension.NPN, Provider.OPENSSL,
            List.of("TLSv1.2"), List.of(SPDY_3_1, "http/1.1"));

    private final Extension extension;
    private final Provider provider;
    private final List<String> tlsVersions;
    private final List<String> protocols;

    private Negotiation(Extension extension, Provider provider, List<String> tlsVersions, List<String> protocols) {
        this.extension = Objects.requireNonNull(extension, "extension");
        this.provider = Objects.requireNonNull(provider, "provider");
        this.tlsVersions = List.copyOf(tlsVersions);
        this.protocols = List.copyOf(protocols);
        if (this.tlsVersions.isEmpty()) {
            throw new IllegalArgumentException("tlsVersions must not be empty");
        }
        if (this.protocols.isEmpty()) {
            throw new IllegalArgumentException("protocols must not be empty");
        }
        if (extension == Extension.NPN && provider != Provider.OPENSSL) {
            throw new IllegalArgumentException(
                    "NPN needs provider OPENSSL (netty-tcnative); the JDK engine does ALPN only");
        }
        if (extension == Extension.NPN && this.tlsVersions.contains("TLSv1.3")) {
            throw new IllegalArgumentException("NPN works on TLS 1.2 only (on TLS 1.3 it silently negotiates nothing): "
                    + this.tlsVersions);
        }
    }

    /** The same negotiation with another TLS engine. */
    public Negotiation withProvider(Provider provider) {
        return new Negotiation(extension, provider, tlsVersions, protocols);
    }

    /** The same negotiation with other TLS versions, e.g. {@code "TLSv1.2"}. */
    public Negotiation withTlsVersions(String... tlsVersions) {
        return new Negotiation(extension, provider, List.of(tlsVersions), protocols);
    }

    /**
     * The same negotiation offering other protocols, in order of preference; a session still needs {@code spdy/3.1}
     * to be selected (useful to test what a proxy does when the client offers only {@code http/1.1}).
     */
    public Negotiation withProtocols(String... protocols) {
        return new Negotiation(extension, provider, tlsVersions, List.of(protocols));
    }

    public Extension extension() {
        return extension;
    }

    public Provider provider() {
        return provider;
    }

    public List<String> tlsVersions() {
        return tlsVersions;
    }

    public List<String> protocols() {
        return protocols;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Negotiation)) {
            return false;
        }
        Negotiation other = (Negotiation) o;
        return extension == other.extension && provider == other.provider && tlsVersions.equals(other.tlsVersions)
                && protocols.equals(other.protocols);
    }

    @Override
    public int hashCode() {
        return Objects.hash(extension, provider, tlsVersions, protocols);
    }

    @Override
    public String toString() {
        return extension + " " + protocols + " over " + tlsVersions + " (" + provider + ")";
    }
}
