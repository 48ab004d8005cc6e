package dev.ferry.tls.impl;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The proxy's own certificate when none is configured: an ECDSA P-256 key (RSA 2048 for Bouncy Castle JSSE) and a
 * self-signed certificate for localhost and 127.0.0.1, made once and kept as PEM files (the key readable by the owner
 * only). P-256 by default: signing is most of a TLS 1.3 handshake's cost on the server, and an RSA 2048 signature
 * costs many times a P-256 one.
 */
final class SelfSignedCertificate {

    /** The key a generated certificate has, and the files it is kept in. */
    enum KeyType {
        /** The default. */
        EC_P256("proxy-cert.pem", "proxy-key.pem"),
        /** For Bouncy Castle JSSE (alpnProvider = BCJSSE), which cannot sign with the JDK's EC keys. */
        RSA_2048("proxy-rsa-cert.pem", "proxy-rsa-key.pem");

        final String certFile;
        final String keyFile;

        KeyType(String certFile, String keyFile) {
            this.certFile = certFile;
            this.keyFile = keyFile;
        }
    }
    private static final Duration VALIDITY = Duration.ofDays(825);

    private final Path certificate;
    private final Path privateKey;
    private final boolean created;

    private SelfSignedCertificate(Path certificate, Path privateKey, boolean created) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.created = created;
    }

    /**
     * Returns the default certificate in {@code dir}, making it (P-256) first when it is not there; one an older
     * Ferry made there is RSA 2048 and is kept (delete both files for a P-256 one).
     */
    static SelfSignedCertificate ensure(Path dir) throws IOException, GeneralSecurityException {
        return ensure(dir, KeyType.EC_P256);
    }

    /** Returns the certificate with a {@code type} key in {@code dir}, making it first when it is not there. */
    static SelfSignedCertificate ensure(Path dir, KeyType type) throws IOException, GeneralSecurityException {
        Path cert = dir.resolve(type.certFile);
        Path key = dir.resolve(type.keyFile);
        if (Files.isRegularFile(cert) && Files.isRegularFile(key)) {
            return new SelfSignedCertificate(cert, key, false);
        }
        Files.createDirectories(dir);
        KeyPair pair = generate(type);
        X509Certificate x509 = sign(pair, type == KeyType.EC_P256 ? "SHA256withECDSA" : "SHA256withRSA");
        Path keyTmp = Files.createTempFile(dir, type.keyFile, ".tmp");
        restrictToOwner(keyTmp);
        writePem(keyTmp, new JcaPKCS8Generator(pair.getPrivate(), null));
        Path certTmp = Files.createTempFile(dir, type.certFile, ".tmp");
        writePem(certTmp, x509);
        Files.move(keyTmp, key, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.move(certTmp, cert, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return new SelfSignedCertificate(cert, key, true);
    }

    private static KeyPair generate(KeyType type) throws GeneralSecurityException {
        if (type == KeyType.EC_P256) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(KeyPair pair, String algorithm) throws GeneralSecurityException, IOException {
        X500Name subject = new X500Name("CN=Ferry proxy (self-signed)");
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"),
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.iPAddress, "::1")
        }));
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(pair.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the self-signed certificate", e);
        }
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object);
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the platform's default permissions apply
        }
    }

    /** The SHA-256 fingerprint of a PEM certificate file, as colon-separated hex. */
    static String fingerprint(Path certificateFile) throws IOException, GeneralSecurityException {
        X509Certificate cert;
        try (var in = Files.newInputStream(certificateFile)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        StringBuilder hex = new StringBuilder(digest.length * 3);
        for (byte b : digest) {
            if (hex.length() > 0) {
                hex.append(':');
            }
            hex.append(String.format("%02X", b));
        }
        return hex.toString();
    }

    Path certificate() {
        return certificate;
    }

    Path privateKey() {
        return privateKey;
    }

    boolean created() {
        return created;
    }
}
