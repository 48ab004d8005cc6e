package dev.ferry.pool.impl;

import static dev.ferry.pool.impl.PoolHarness.acquire;
import static dev.ferry.pool.impl.PoolHarness.await;
import static dev.ferry.pool.impl.PoolHarness.failure;
import static dev.ferry.pool.impl.PoolHarness.roundTrip;
import static dev.ferry.pool.impl.PoolHarness.tunnel;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import dev.ferry.api.proxy.HostAndPort;
import dev.ferry.api.proxy.ProxyErrorType;
import dev.ferry.api.proxy.ProxyServer;
import dev.ferry.api.upstream.ConnectJobException;
import dev.ferry.api.upstream.ConnectStage;
import dev.ferry.api.upstream.GroupId;
import dev.ferry.api.upstream.PoolKey;
import dev.ferry.api.upstream.UpstreamLease;
import dev.ferry.testing.LeakCheck;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/** PROXY_TLS with HTTPS upstream proxies and ORIGIN_TLS with https origins, against self-signed certificates. */
public class TlsStageTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private PoolHarness harness;
    private TestCertificates certificates;
    private Path pem;
    private Path dir;

    @Before
    public void setUp() throws Exception {
        harness = new PoolHarness();
        certificates = new TestCertificates("localhost", true);
        dir = Files.createTempDirectory("ferry-pool-tls");
        pem = certificates.writePem(dir);
    }

    @After
    public void tearDown() throws Exception {
        harness.close();
        Files.deleteIfExists(pem);
        Files.deleteIfExists(dir);
    }

    private static PoolKey httpsProxyTunnel(String host, int proxyPort, int originPort) {
        return new PoolKey(ProxyServer.of(ProxyServer.Scheme.HTTPS, host, proxyPort),
                new GroupId("https", HostAndPort.of("127.0.0.1", originPort), ""));
    }

    @Test
    public void tunnelsThroughAnHttpsProxyWithATrustedCertificate() throws Exception {
        try (EchoOrigin origin = new EchoOrigin(null);
                ScriptedProxy proxy = new ScriptedProxy(ScriptedProxy.Script.RELAY, certificates.serverContext)) {
            PooledConnections pool = harness.pool("trustCertificatesFile", pem.toString());
            PoolHarness.RecordingEvents events = new PoolHarness.RecordingEvents();
            UpstreamLease lease = await(tunnel(pool, httpsProxyTunnel("localhost", proxy.port(), origin.port()),
                    harness.loop, events));
            Channel ch = lease.channel();
            assertEquals("inside tls", roundTrip(ch, "inside tls"));
            assertNotNull("the proxy's TLS stays", ch.pipeline().get(TlsStage.PROXY_TLS_HANDLER));
            assertEquals(List.of("started TCP localhost:" + proxy.port(), "done TCP",
                    "started PROXY_TLS localhost:" + proxy.port(), "done PROXY_TLS",
                    "started TUNNEL localhost:" + proxy.port(), "response 200", "done TUNNEL"), events.seen);
            lease.close();
        }
    }

    @Test
    public void anUntrustedProxyCertificateFallsBack() throws Exception {
        try (ScriptedProxy proxy = new ScriptedProxy(ScriptedProxy.Script.RELAY, certificates.serverContext)) {
            ConnectJobException e = failure(tunnel(harness.pool(),
                    httpsProxyTunnel("127.0.0.1", proxy.port(), 9), harness.loop));
            assertEquals(ConnectStage.PROXY_TLS, e.stage());
            assertEquals(ProxyErrorType.TLS_CERTIFICATE_ERROR, e.errorType());
            assertTrue(e.fallback());
        }
    }

    @Test
    public void aCertificateForAnotherHostIsACertificateError() throws Exception {
        TestCertificates other = new TestCertificates("other.example", false);
        Path otherPem = other.writePem(Files.createTempDirectory("ferry-pool-other"));
        try (ScriptedProxy proxy = new ScriptedProxy(ScriptedProxy.Script.RELAY, other.serverContext)) {
            ConnectJobException e = failure(tunnel(harness.pool("trustCertificatesFile", otherPem.toString()),
                    httpsProxyTunnel("127.0.0.1", proxy.port(), 9), harness.loop));
            assertEquals(ProxyErrorType.TLS_CERTIFICATE_ERROR, e.errorType());
        } finally {
            Files.delete(otherPem);
            Files.delete(otherPem.getParent());
        }
    }

    @Test
    public void verifyCertificatesFalseAcceptsAnyCertificate() throws Exception {
        try (EchoOrigin origin = new EchoOrigin(null);
                ScriptedProxy proxy = new ScriptedProxy(ScriptedProxy.Script.RELAY, certificates.serverContext)) {
            UpstreamLease lease = await(tunnel(harness.pool("verifyCertificates", false),
                    httpsProxyTunnel("127.0.0.1", proxy.port(), origin.port()), harness.loop));
            assertEquals("unchecked", roundTrip(lease.channel(), "unchecked"));
            lease.close();
        }
    }

    @Test
    public void aPlainServerIsATlsProtocolError() throws Exception {
        try (ScriptedProxy plain = new ScriptedProxy(ScriptedProxy.Script.BANNER, null)) {
            ConnectJobException e = failure(tunnel(harness.pool("trustCertificatesFile", pem.toString()),
                    httpsProxyTunnel("127.0.0.1", plain.port(), 9), harness.loop));
            assertEquals(ConnectStage.PROXY_TLS, e.stage());
            assertEquals(ProxyErrorType.TLS_PROTOCOL_ERROR, e.errorType());
            assertTrue(e.fallback());
        }
    }

    @Test
    public void aSilentProxyTimesOutInTheHandshake() throws Exception {
        try (ScriptedProxy silent = new ScriptedProxy(ScriptedProxy.Script.SILENT, null)) {
            ConnectJobException e = failure(tunnel(harness.pool("proxyTlsTimeoutMillis", 300),
                    httpsProxyTunnel("127.0.0.1", silent.port(), 9), harness.loop));
            assertEquals(ProxyErrorType.CONNECTION_TIMEOUT, e.errorType());
            assertTrue(e.getMessage(), e.getMessage().contains("(dev.ferry.pool proxyTlsTimeoutMillis)"));
        }
    }

    @Test
    public void httpsOriginsGetTlsOnTopOfTheConnection() throws Exception {
        try (EchoOrigin origin = new EchoOrigin(certificates.serverContext)) {
            PoolKey key = new PoolKey(ProxyServer.DIRECT, new GroupId("https", HostAndPort.of("localhost",
                    origin.port()), ""));
            UpstreamLease lease = await(acquire(harness.pool("trustCertificatesFile", pem.toString()), key,
                    harness.loop));
            Channel ch = lease.channel();
            SslHandler tls = (SslHandler) ch.pipeline().get(TlsStage.ORIGIN_TLS_HANDLER);
            assertEquals("http/1.1", tls.applicationProtocol() == null ? "http/1.1" : tls.applicationProtocol());
            assertTrue(ch.pipeline().last() == tls);
            assertFalse("origin-form inside TLS", lease.absoluteForm());
            lease.close();
        }
    }

    @Test
    public void anUntrustedOriginIsTheOriginsFaultNotTheProxys() throws Exception {
        try (EchoOrigin origin = new EchoOrigin(certificates.serverContext)) {
            PoolKey key = new PoolKey(ProxyServer.DIRECT, new GroupId("https", HostAndPort.of("127.0.0.1",
                    origin.port()), ""));
            ConnectJobException e = failure(acquire(harness.pool(), key, harness.loop));
            assertEquals(ConnectStage.ORIGIN_TLS, e.stage());
            assertEquals(ProxyErrorType.TLS_CERTIFICATE_ERROR, e.errorType());
            assertFalse(e.fallback());
        }
    }

    @Test
    public void aMissingTrustFileNamesTheSetting() {
        try {
            harness.pool("trustCertificatesFile", dir.resolve("nope.pem").toString());
            throw new AssertionError("accepted a missing file");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage(), e.getMessage().startsWith("dev.ferry.pool trustCertificatesFile '"));
        }
    }
}
