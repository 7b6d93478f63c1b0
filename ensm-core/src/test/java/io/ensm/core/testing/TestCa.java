package io.ensm.core.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A SPIFFE certificate authority for tests: a self-signed P-256 root for one trust domain that
 * issues X.509-SVIDs shaped like SPIRE's (one URI SAN, digitalSignature + keyEncipherment +
 * keyAgreement, server and client auth, CA:false, notBefore 10 s back) with any lifetime down
 * to seconds, and writes them as the PEM files ensm reads.
 */
public final class TestCa {
    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xffffffffL);

    private final String trustDomain;
    private final KeyPair key;
    private final X509Certificate certificate;

    private TestCa(String trustDomain) {
        this.trustDomain = trustDomain;
        this.key = ecKeyPair();
        try {
            Instant now = Instant.now();
            X500Name name = new X500Name("O=ensm tests,CN=" + trustDomain + " test CA");
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, nextSerial(), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(Duration.ofDays(1))), name, key.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key.getPublic()))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + trustDomain)));
            this.certificate = sign(b, key.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create the test CA", e);
        }
    }

    public static TestCa create(String trustDomain) {
        return new TestCa(trustDomain);
    }

    public String trustDomain() {
        return trustDomain;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** spiffe://TRUST-DOMAIN/PATH */
    public String id(String path) {
        return "spiffe://" + trustDomain + (path.startsWith("/") ? path : "/" + path);
    }

    /** An SVID for {@code spiffe://TRUST-DOMAIN/PATH} valid from 10 s ago for {@code lifetime} from now. */
    public Svid issue(String path, Duration lifetime) {
        return issue(path, lifetime, ecKeyPair());
    }

    /** As {@link #issue(String, Duration)} with the given key pair (e.g. an RSA one, which ES256 cannot use). */
    public Svid issue(String path, Duration lifetime, KeyPair leafKey) {
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, nextSerial(),
                    Date.from(now.minusSeconds(10)), Date.from(now.plus(lifetime)), new X500Name("O=SPIRE"), leafKey.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyAgreement))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(new KeyPurposeId[]{KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id(path))));
            return new Svid(id(path), sign(b, key.getPrivate()), leafKey.getPrivate(), this);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue an SVID for " + path, e);
        }
    }

    public static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The trust bundle: this CA's certificate as PEM. */
    public String bundlePem() {
        return pem("CERTIFICATE", encoded(certificate));
    }

    /** Writes the bundle to {@code file} (replacing it). */
    public Path writeBundle(Path file) {
        return write(file, bundlePem());
    }

    private static BigInteger nextSerial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            ContentSigner s = new JcaContentSignerBuilder("SHA256withECDSA").build(signer);
            return new JcaX509CertificateConverter().getCertificate(b.build(s));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    static Path write(Path file, String text) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, text);
            return Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An issued SVID: its leaf, key and the CA that signed it. */
    public record Svid(String spiffeId, X509Certificate leaf, PrivateKey key, TestCa ca) {
        public String certificatePem() {
            return pem("CERTIFICATE", encoded(leaf));
        }

        /** PKCS#8, as SPIFFE tools write it. */
        public String keyPem() {
            return pem("PRIVATE KEY", key.getEncoded());
        }

        /** The parts of the key PEM that must never show up in output: every base64 line of it. */
        public List<String> keyPemLines() {
            return keyPem().lines().filter(l -> !l.startsWith("-----")).toList();
        }

        /** Writes svid.pem, key.pem and bundle.pem into {@code dir} (each replaced atomically) and returns the files. */
        public Files3 writeTo(Path dir) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path svid = write(dir.resolve("svid.pem"), certificatePem());
            Path keyFile = write(dir.resolve("key.pem"), keyPem());
            Path bundle = ca.writeBundle(dir.resolve("bundle.pem"));
            return new Files3(svid, keyFile, bundle);
        }

        @Override
        public String toString() {
            return "Svid[" + spiffeId + ", serial=" + leaf.getSerialNumber() + "]";
        }
    }

    /** The three PEM files of an identity. */
    public record Files3(Path svid, Path key, Path bundle) {}
}
