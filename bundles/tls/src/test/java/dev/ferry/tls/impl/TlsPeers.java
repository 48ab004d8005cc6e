package dev.ferry.tls.impl;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.osgi.util.converter.Converters;

/**
 * Test peers for the negotiator: real TLS clients (the JDK's engine with ALPN, BoringSSL with NPN and/or ALPN), a
 * server side on an {@link EmbeddedChannel}, and the bytes between them moved by hand, so every handshake is real
 * but deterministic and single-threaded.
 */
final class TlsPeers {

    static final List<String> SPDY_AND_HTTP = List.of("spdy/3.1", "http/1.1");
    static final List<String> HTTP = List.of("http/1.1");

    private static Path certificateDir;

    private TlsPeers() {
    }

    /**
     * The negotiator's configuration with a generated certificate (P-256; RSA for Bouncy Castle JSSE) and
     * {@code settings} on top.
     */
    static TlsNegotiator.Config config(Map<String, Object> settings) throws IOException, GeneralSecurityException {
        synchronized (TlsPeers.class) {
            if (certificateDir == null) {
                certificateDir = Files.createTempDirectory("ferry-tls-test");
                certificateDir.toFile().deleteOnExit();
            }
        }
        SelfSignedCertificate cert = SelfSignedCertificate.ensure(certificateDir,
                "BCJSSE".equals(settings.get("alpnProvider")) ? SelfSignedCertificate.KeyType.RSA_2048
                        : SelfSignedCertificate.KeyType.EC_P256);
        Map<String, Object> all = new HashMap<>();
        all.put("certificateFile", cert.certificate().toString());
        all.put("privateKeyFile", cert.privateKey().toString());
        all.putAll(settings);
        return Converters.standardConverter().convert(all).to(TlsNegotiator.Config.class);
    }

    /** The DER bytes of the certificate {@link #config} names for {@code settings}. */
    static byte[] certificateDer(Map<String, Object> settings) throws Exception {
        try (InputStream pem = Files.newInputStream(Path.of(config(settings).certificateFile()))) {
            return CertificateFactory.getInstance("X.509").generateCertificate(pem).getEncoded();
        }
    }

    static TlsNegotiator negotiator(Map<String, Object> settings) throws Exception {
        return new TlsNegotiator(null, config(settings));
    }

    static SslContext jdkClient(String... alpn) throws SSLException {
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE);
        if (alpn.length > 0) {
            b.applicationProtocolConfig(protocols(ApplicationProtocolConfig.Protocol.ALPN, alpn));
        }
        return b.build();
    }

    /** BoringSSL client offering NPN only (no ALPN). */
    static SslContext npnClient(String... npn) throws SSLException {
        return openSslClient(ApplicationProtocolConfig.Protocol.NPN, npn, "TLSv1.3", "TLSv1.2");
    }

    /** BoringSSL client offering both NPN and ALPN. */
    static SslContext npnAndAlpnClient(String... protocols) throws SSLException {
        return openSslClient(ApplicationProtocolConfig.Protocol.NPN_AND_ALPN, protocols, "TLSv1.3", "TLSv1.2");
    }

    private static SslContext openSslClient(ApplicationProtocolConfig.Protocol protocol, String[] names,
            String... versions) throws SSLException {
        return SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .protocols(versions)
                .applicationProtocolConfig(protocols(protocol, names))
                .build();
    }

    private static ApplicationProtocolConfig protocols(ApplicationProtocolConfig.Protocol protocol, String[] names) {
        return new ApplicationProtocolConfig(protocol, ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, names);
    }

    /** The client's first flight (its ClientHello record or records), as one buffer the caller must release. */
    static ByteBuf clientHello(SslContext client) {
        EmbeddedChannel ch = new EmbeddedChannel(client.newHandler(ByteBufAllocator.DEFAULT));
        try {
            ByteBuf all = Unpooled.buffer();
            for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
                all.writeBytes(b);
                b.release();
            }
            assertTrue("the client wrote no ClientHello", all.isReadable());
            return all;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    /** The ClientHello's handshake body (after the 5-byte record and 4-byte handshake headers), unpooled. */
    static ByteBuf clientHelloBody(SslContext client) {
        ByteBuf record = clientHello(client);
        try {
            assertTrue(record.getUnsignedByte(0) == 22 && record.getUnsignedByte(5) == 1);
            int recordLength = record.getUnsignedShort(3);
            int length = record.getUnsignedMedium(6);
            assertTrue("hello spans records", length + 4 <= recordLength);
            return Unpooled.copiedBuffer(record.slice(9, length));
        } finally {
            record.release();
        }
    }

    /** One connection: the negotiator's server pipeline, and optionally a real client wired to it. */
    static final class Connection implements AutoCloseable {
        static final String SERVER_NAME = "proxy.ferry.test";

        final EmbeddedChannel server = new EmbeddedChannel();
        final EmbeddedChannel client;
        final SslHandler clientTls;
        final List<String> negotiated = new ArrayList<>();
        final List<Object> serverEvents = new ArrayList<>();
        /** The server's TLS handler when the handshake ended (a closed channel's pipeline is empty). */
        SslHandler serverTlsAtHandshake;
        /** What the client's TLS handler failed with (kept here, not thrown). */
        final List<Throwable> clientErrors = new ArrayList<>();

        Connection(TlsNegotiator negotiator, List<String> offered, SslContext clientContext) {
            this(negotiator, offered, clientContext, false);
        }

        /**
         * {@code resuming}: the client's engine is made for a named server ({@value #SERVER_NAME}:443), so that its
         * context keeps the sessions it got and offers them on the next connection, as a browser does.
         */
        Connection(TlsNegotiator negotiator, List<String> offered, SslContext clientContext, boolean resuming) {
            // Scheduled tasks (the handshake timeouts) run only when a test moves the clock.
            server.freezeTime();
            negotiator.configure(server.pipeline(), offered, (channel, protocol) -> {
                assertTrue(channel == server);
                negotiated.add(protocol);
            });
            server.pipeline().addLast("events", new ChannelInboundHandlerAdapter() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                    serverEvents.add(evt);
                    if (evt instanceof SslHandshakeCompletionEvent) {
                        serverTlsAtHandshake = ctx.pipeline().get(SslHandler.class);
                    }
                }
            });
            clientTls = clientContext == null ? null : resuming
                    ? clientContext.newHandler(server.alloc(), SERVER_NAME, 443)
                    : clientContext.newHandler(server.alloc());
            client = clientContext == null ? null : new EmbeddedChannel(clientTls,
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            clientErrors.add(cause);
                        }
                    });
        }

        /** Moves the client's first flight (its ClientHello) to the server, and nothing back. */
        Connection sendHello() {
            move(client, server);
            return this;
        }

        /** Moves what the server has written to the client, and says how many bytes that was. */
        int serverFlightBytes() {
            int bytes = 0;
            for (ByteBuf b; (b = server.readOutbound()) != null; ) {
                bytes += b.readableBytes();
                client.writeInbound(b);
            }
            return bytes;
        }

        /** Moves bytes both ways until neither side has anything more to say. */
        Connection pump() {
            for (int i = 0; i < 50; i++) {
                boolean moved = move(client, server);
                moved |= move(server, client);
                if (!moved) {
                    return this;
                }
            }
            throw new AssertionError("handshake does not settle");
        }

        private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
            boolean moved = false;
            for (ByteBuf b; (b = from.readOutbound()) != null; ) {
                moved = true;
                if (to.isOpen()) {
                    to.writeInbound(b);
                } else {
                    b.release();
                }
            }
            return moved;
        }

        SslHandler serverTls() {
            SslHandler tls = server.pipeline().get(SslHandler.class);
            assertNotNull("no SslHandler in " + server.pipeline().names(), tls);
            return tls;
        }

        SslHandler clientTls() {
            return clientTls;
        }

        String serverVersion() {
            return serverTls().engine().getSession().getProtocol();
        }

        boolean serverUsesBoringSsl() {
            return serverTls().engine().getClass().getName().contains("OpenSsl");
        }

        @Override
        public void close() {
            server.finishAndReleaseAll();
            if (client != null) {
                client.finishAndReleaseAll();
            }
        }
    }
}
