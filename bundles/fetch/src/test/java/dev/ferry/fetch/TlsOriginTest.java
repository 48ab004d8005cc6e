package dev.ferry.fetch;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.ferry.testing.LeakCheck;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * An https origin with a self-signed certificate for "localhost": refused by default, accepted with -k, and accepted
 * with the certificate given to --cacert (the pool's trustCertificatesFile).
 */
public class TlsOriginTest {

    @ClassRule(order = Integer.MIN_VALUE)
    @Rule(order = Integer.MIN_VALUE)
    public static final LeakCheck LEAKS = new LeakCheck();

    private static SelfSignedCertificate certificate;
    private static Origin origin;

    @BeforeClass
    public static void startOrigin() throws Exception {
        certificate = new SelfSignedCertificate("localhost");
        char[] password = "test".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("origin", certificate.key(), password, new Certificate[] {certificate.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        origin = new Origin(tls);
    }

    @AfterClass
    public static void stopOrigin() {
        origin.close();
        certificate.delete();
    }

    private static String url(String path) {
        return "https://localhost:" + origin.port() + path;
    }

    @Test
    public void anUntrustedCertificateFailsTheFetch() {
        FetchRun run = FetchRun.of(url("/untrusted"));

        assertEquals(run.toString(), 1, run.exitStatus);
        assertTrue(run.stderr, run.stderr.startsWith("ferry-fetch: tls_certificate_error: "));
        assertEquals(0, run.stdout.length);
    }

    @Test
    public void insecureSkipsVerification() {
        FetchRun run = FetchRun.of("-k", "-v", url("/insecure"));

        assertEquals(run.toString(), 0, run.exitStatus);
        assertEquals("hello from /insecure", run.body());
        assertTrue(run.stderr, run.stderr.contains("* ORIGIN_TLS localhost:" + origin.port()));
    }

    @Test
    public void caCertTrustsTheOriginsCertificate() {
        FetchRun run = FetchRun.of("--cacert", certificate.certificate().getPath(), url("/trusted"));

        assertEquals(run.toString(), 0, run.exitStatus);
        assertEquals("hello from /trusted", run.body());
    }
}
