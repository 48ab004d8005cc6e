package dev.ferry.spdy.client;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.security.cert.CertificateException;
import java.util.List;
import javax.net.ssl.SSLException;

/** Server-side TLS for the test peers: one self-signed certificate per JVM. */
final class TestTls {

    private static SelfSignedCertificate certificate;

    private TestTls() {
    }

    private static synchronized SelfSignedCertificate certificate() throws CertificateException {
        if (certificate == null) {
            certificate = new SelfSignedCertificate("localhost");
        }
        return certificate;
    }

    /** ALPN on the JDK engine, TLS 1.3 and 1.2, offering spdy/3.1 then http/1.1. */
    static SslContext alpn() throws Exception {
        return server(SslProvider.JDK, ApplicationProtocolConfig.Protocol.ALPN, List.of("TLSv1.3", "TLSv1.2"),
                "spdy/3.1", "http/1.1");
    }

    /** NPN on BoringSSL, TLS 1.2 only, advertising spdy/3.1 then http/1.1. */
    static SslContext npn() throws Exception {
        return server(SslProvider.OPENSSL, ApplicationProtocolConfig.Protocol.NPN, List.of("TLSv1.2"),
                "spdy/3.1", "http/1.1");
    }

    static SslContext server(SslProvider provider, ApplicationProtocolConfig.Protocol extension,
            List<String> tlsVersions, String... protocols) throws CertificateException, SSLException {
        SelfSignedCertificate cert = certificate();
        return SslContextBuilder.forServer(cert.certificate(), cert.privateKey())
                .sslProvider(provider)
                .protocols(tlsVersions)
                .applicationProtocolConfig(new ApplicationProtocolConfig(extension,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        protocols))
                .build();
    }
}
