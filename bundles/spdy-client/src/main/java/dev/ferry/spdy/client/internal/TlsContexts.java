package dev.ferry.spdy.client.internal;

import dev.ferry.spdy.client.Negotiation;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * One client {@link SslContext} per {@link Negotiation}. The contexts trust every certificate: this client talks to
 * test proxies with self-signed certificates, and must never be used where the proxy's identity matters.
 */
public final class TlsContexts {

    private final Map<Negotiation, SslContext> contexts = new ConcurrentHashMap<>();

    public SslContext context(Negotiation negotiation) throws IOException {
        try {
            return contexts.computeIfAbsent(negotiation, n -> {
                try {
                    return build(n);
                } catch (SSLException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static SslContext build(Negotiation negotiation) throws SSLException {
        SslProvider provider;
        if (negotiation.provider() == Negotiation.Provider.OPENSSL) {
            if (!OpenSsl.isAvailable()) {
                throw new SSLException(negotiation + " needs netty-tcnative (BoringSSL), which did not load: "
                        + OpenSsl.unavailabilityCause(), OpenSsl.unavailabilityCause());
            }
            provider = SslProvider.OPENSSL;
        } else {
            provider = SslProvider.JDK;
        }
        ApplicationProtocolConfig.Protocol extension = negotiation.extension() == Negotiation.Extension.NPN
                ? ApplicationProtocolConfig.Protocol.NPN : ApplicationProtocolConfig.Protocol.ALPN;
        return SslContextBuilder.forClient()
                .sslProvider(provider)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .protocols(negotiation.tlsVersions())
                .applicationProtocolConfig(new ApplicationProtocolConfig(extension,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        negotiation.protocols()))
                .build();
    }
}
