package dev.ferry.pool.impl;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A self-signed certificate (made with Bouncy Castle) for test TLS servers, and its PEM file for the pool. */
final class TestCertificates {

    final X509Certificate certificate;
    final SSLContext serverContext;

    /** @param dnsName the certificate's DNS name; it also names 127.0.0.1 when {@code withLoopbackIp} */
    TestCertificates(String dnsName, boolean withLoopbackIp) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=" + dnsName);
        long now = System.currentTimeMillis();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now),
                new Date(now - 60_000), new Date(now + 86_400_000L), name, keys.getPublic());
        GeneralName dns = new GeneralName(GeneralName.dNSName, dnsName);
        GeneralNames names = withLoopbackIp
                ? new GeneralNames(new GeneralName[] {dns, new GeneralName(GeneralName.iPAddress, "127.0.0.1")})
                : new GeneralNames(dns);
        builder.addExtension(Extension.subjectAlternativeName, false, names);
        certificate = new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", keys.getPrivate(), "changeit".toCharArray(),
                new java.security.cert.Certificate[] {certificate});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
    }

    Path writePem(Path dir) throws IOException, java.security.cert.CertificateEncodingException {
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        Path file = dir.resolve("trusted.pem");
        Files.write(file, pem.getBytes(StandardCharsets.US_ASCII));
        return file;
    }
}
