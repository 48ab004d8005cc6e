package dev.ferry.tls.impl;

import static dev.ferry.tls.impl.TlsPeers.HTTP;
import static dev.ferry.tls.impl.TlsPeers.SPDY_AND_HTTP;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.codec.ProtocolNegotiator;
import dev.ferry.testing.LeakCheck;
import dev.ferry.tls.impl.TlsPeers.Connection;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Configuration changes applied by {@link TlsNegotiator#modified}: real handshakes show which contexts each
 * connection got, before and after the change, on the same negotiator.
 */
public class TlsLiveChangeTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private final List<Connection> connections = new ArrayList<>();

    @After
    public void closeConnections() {
        connections.forEach(Connection::close);
    }

    private Connection connection(TlsNegotiator negotiator, List<String> offered, SslContext client) {
        Connection c = new Connection(negotiator, offered, client);
        connections.add(c);
        return c;
    }

    /** Settings naming {@code certificate}'s files, plus {@code more} as key, value pairs. */
    private static TlsNegotiator.Config settings(SelfSignedCertificate certificate, Object... more) throws Exception {
        Map<String, Object> settings = new HashMap<>();
        settings.put("certificateFile", certificate.certificate().toString());
        settings.put("privateKeyFile", certificate.privateKey().toString());
        for (int i = 0; i < more.length; i += 2) {
            settings.put((String) more[i], more[i + 1]);
        }
        return TlsPeers.config(settings);
    }

    private static Certificate pem(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private static Certificate served(Connection c) throws Exception {
        assertTrue("handshake: " + c.clientTls().handshakeFuture().cause(),
                c.clientTls().handshakeFuture().isSuccess());
        return c.clientTls().engine().getSession().getPeerCertificates()[0];
    }

    @Test
    public void aNewCertificateServesNewConnectionsAndAHandshakeInFlightFinishesWithTheOld() throws Exception {
        SelfSignedCertificate first = SelfSignedCertificate.ensure(folder.newFolder("first").toPath());
        SelfSignedCertificate second = SelfSignedCertificate.ensure(folder.newFolder("second").toPath());
        assertNotEquals(pem(first.certificate()), pem(second.certificate()));
        TlsNegotiator negotiator = new TlsNegotiator(null, settings(first));
        Connection inFlight = connection(negotiator, SPDY_AND_HTTP, TlsPeers.jdkClient("spdy/3.1")).sendHello();

        negotiator.modified(settings(second));

        Connection alpn = connection(negotiator, SPDY_AND_HTTP, TlsPeers.jdkClient("spdy/3.1")).pump();
        Connection npn = connection(negotiator, SPDY_AND_HTTP, TlsPeers.npnClient("spdy/3.1")).pump();
        inFlight.pump();
        assertEquals("the handshake begun before the change", pem(first.certificate()), served(inFlight));
        assertEquals(pem(second.certificate()), served(alpn));
        assertEquals("the BoringSSL context was rebuilt too", pem(second.certificate()), served(npn));
        assertTrue(npn.serverUsesBoringSsl());
        assertEquals(List.of("spdy/3.1"), inFlight.negotiated);
        assertEquals(List.of("spdy/3.1"), alpn.negotiated);
        assertEquals(List.of("spdy/3.1"), npn.negotiated);
    }

    @Test
    public void aChangedHandshakeTimeoutAppliesToConnectionsAcceptedAfterIt() throws Exception {
        TlsNegotiator negotiator = TlsPeers.negotiator(Map.of("handshakeTimeoutMillis", 10_000L));
        Connection before = connection(negotiator, HTTP, null);
        negotiator.modified(TlsPeers.config(Map.of("handshakeTimeoutMillis", 500L)));
        Connection after = connection(negotiator, HTTP, null);

        for (Connection c : List.of(before, after)) {
            c.server.advanceTimeBy(600, TimeUnit.MILLISECONDS);
            c.server.runScheduledPendingTasks();
        }
        assertFalse("500 ms for the connection accepted after the change", after.server.isOpen());
        assertTrue("10 s for the one accepted before", before.server.isOpen());
        before.server.advanceTimeBy(10_000, TimeUnit.MILLISECONDS);
        before.server.runScheduledPendingTasks();
        assertFalse(before.server.isOpen());
    }

    @Test
    public void npnSwitchedOffLiveSendsNpnClientsToTheAlpnEngineAndUpdatesTheServiceProperties() throws Exception {
        // (the JDK engine for ALPN, so that which engine served shows whether NPN did)
        TlsNegotiator negotiator = TlsPeers.negotiator(Map.of("alpnProvider", "JDK"));
        List<Dictionary<String, ?>> updates = new ArrayList<>();
        negotiator.register(recordingContext(updates));

        negotiator.modified(TlsPeers.config(Map.of("npn", false, "alpnProvider", "JDK")));

        Connection c = connection(negotiator, SPDY_AND_HTTP, TlsPeers.npnClient("spdy/3.1", "http/1.1")).pump();
        assertTrue(c.clientTls().handshakeFuture().isSuccess());
        assertFalse(c.serverUsesBoringSsl());
        assertEquals(List.of("http/1.1"), c.negotiated);
        assertEquals(1, updates.size());
        assertEquals(Boolean.FALSE, updates.get(0).get(TlsNegotiator.NPN_PROPERTY));
        assertEquals(Boolean.FALSE, negotiator.serviceProperties().get(TlsNegotiator.NPN_PROPERTY));
    }

    @Test
    public void aChangeTheContextsCannotBeBuiltWithIsRefusedAndTheContextsInUseStay() throws Exception {
        SelfSignedCertificate first = SelfSignedCertificate.ensure(folder.newFolder("first").toPath());
        TlsNegotiator negotiator = new TlsNegotiator(null, settings(first));
        List<Dictionary<String, ?>> updates = new ArrayList<>();
        negotiator.register(recordingContext(updates));
        Path garbage = folder.newFile("garbage.pem").toPath();
        Files.writeString(garbage, "not a certificate");

        negotiator.modified(TlsPeers.config(Map.of("certificateFile", folder.getRoot() + "/missing.pem")));
        negotiator.modified(TlsPeers.config(Map.of("certificateFile", garbage.toString(), "npn", false)));
        negotiator.modified(settings(first, "tlsVersions", new String[] {"TLSv9"}, "npn", false));
        negotiator.modified(settings(first, "alpnProvider", "Conscrypt", "npn", false));
        negotiator.modified(settings(first, "handshakeTimeoutMillis", 0L, "npn", false));

        assertEquals("no refused change reached the service properties", List.of(), updates);
        Connection c = connection(negotiator, SPDY_AND_HTTP, TlsPeers.npnClient("spdy/3.1")).pump();
        assertEquals(pem(first.certificate()), served(c));
        assertTrue("npn = false came with bad settings and was not applied", c.serverUsesBoringSsl());
        assertEquals(1, c.serverEvents.stream().filter(e -> e instanceof SslHandshakeCompletionEvent).count());
    }

    /** A bundle context whose one registration records the properties it is given later. */
    @SuppressWarnings("unchecked")
    private static BundleContext recordingContext(List<Dictionary<String, ?>> updates) {
        ClassLoader loader = TlsLiveChangeTest.class.getClassLoader();
        ServiceRegistration<?> registration = (ServiceRegistration<?>) Proxy.newProxyInstance(loader,
                new Class<?>[] {ServiceRegistration.class}, (proxy, method, args) -> {
                    if (method.getName().equals("setProperties")) {
                        updates.add((Dictionary<String, ?>) args[0]);
                    }
                    return null;
                });
        return (BundleContext) Proxy.newProxyInstance(loader, new Class<?>[] {BundleContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getBundle")) {
                        // For RevisionClasses: a bundle with no class entries of its own.
                        return Proxy.newProxyInstance(loader, new Class<?>[] {Bundle.class}, (b, m, a) -> null);
                    }
                    assertEquals("registerService", method.getName());
                    assertEquals(ProtocolNegotiator.class, args[0]);
                    return registration;
                });
    }
}
