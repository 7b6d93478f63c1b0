package io.ensm.store.etcd.client;

import io.grpc.ChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextChannelCredentials;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLS to the members ({@code https://} endpoints): whom to trust, and what to present for mutual
 * TLS (etcd's {@code --client-cert-auth}). The member's certificate must name the host of its
 * endpoint (an IP address endpoint needs an IP SAN), as etcd's own clients require.
 *
 * @param caFile   PEM bundle of the CAs that sign the members' certificates; null: the JDK's trusted CAs
 * @param certFile PEM client certificate (chain), or null for none; given together with {@code keyFile}
 * @param keyFile  its unencrypted PKCS#8 PEM private key ({@code BEGIN PRIVATE KEY}), or null
 */
public record EtcdTls(Path caFile, Path certFile, Path keyFile) {
    /** The JDK's trusted CAs, no client certificate. */
    public static final EtcdTls DEFAULT = new EtcdTls(null, null, null);

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    public EtcdTls {
        if ((certFile == null) != (keyFile == null)) {
            throw new BadFile(certFile == null ? Role.CERT : Role.KEY, certFile == null ? keyFile : certFile,
                    "a client certificate needs both its certificate and its key file");
        }
    }

    /** Which file a problem is about, for the caller to name its setting. */
    public enum Role { CA, CERT, KEY }

    /**
     * A file that cannot serve: unreadable, not PEM, or a key that does not belong to the
     * certificate. The message names the file, never its contents.
     */
    public static final class BadFile extends IllegalArgumentException {
        private final Role role;
        private final Path file;
        private final String problem;

        BadFile(Role role, Path file, String problem) {
            super(file + ": " + problem);
            this.role = role;
            this.file = file;
            this.problem = problem;
        }

        public Role role() {
            return role;
        }

        public Path file() {
            return file;
        }

        public String problem() {
            return problem;
        }
    }

    /**
     * Reads and checks every file, and builds the channel credentials from what it read. The files
     * are read again at a handshake after they changed (see {@link ReloadingTls}).
     */
    ChannelCredentials credentials() {
        try {
            SslContextBuilder builder = GrpcSslContexts.forClient();
            if (caFile != null) {
                builder.trustManager(new ReloadingTls.TrustManager(caFile, () -> certificates(Role.CA, caFile)));
            }
            if (certFile != null) {
                builder.keyManager(new ReloadingTls.KeyManager(certFile, keyFile, () -> {
                    X509Certificate[] chain = certificates(Role.CERT, certFile);
                    return new ReloadingTls.KeyMaterial(privateKey(chain[0]), chain);
                }));
            }
            return NettySslContextChannelCredentials.create(builder.build());
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS to etcd: " + e.getMessage(), e);
        }
    }

    /** Checks every file now, so that a bad one fails the start and not the first call. */
    public void check() {
        credentials();
    }

    private static X509Certificate[] certificates(Role role, Path file) {
        byte[] bytes = read(role, file);
        try {
            var certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
            if (certs.isEmpty()) {
                throw new BadFile(role, file, "holds no PEM certificate");
            }
            X509Certificate[] out = certs.stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
            if (role == Role.CERT) {
                out[0].checkValidity();
            }
            return out;
        } catch (java.security.cert.CertificateExpiredException | java.security.cert.CertificateNotYetValidException e) {
            throw new BadFile(role, file, "the certificate is not valid now (" + e.getMessage() + ")");
        } catch (CertificateException e) {
            throw new BadFile(role, file, "not a PEM certificate");
        }
    }

    private PrivateKey privateKey(X509Certificate cert) {
        String text = new String(read(Role.KEY, keyFile), StandardCharsets.US_ASCII);
        Matcher m = PKCS8.matcher(text);
        if (!m.find()) {
            String hint = text.contains("ENCRYPTED PRIVATE KEY") ? "an encrypted key (give it unencrypted)"
                    : text.contains("PRIVATE KEY") ? "not PKCS#8 (convert it with: openssl pkcs8 -topk8 -nocrypt)"
                    : "no PEM private key";
            throw new BadFile(Role.KEY, keyFile, "holds " + hint);
        }
        PrivateKey key;
        try {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            key = KeyFactory.getInstance(cert.getPublicKey().getAlgorithm()).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // No detail of the parser: it could quote what it read.
            throw new BadFile(Role.KEY, keyFile, "is not a " + cert.getPublicKey().getAlgorithm() + " private key like the certificate's in "
                    + certFile);
        }
        if (!matches(key, cert)) {
            throw new BadFile(Role.KEY, keyFile, "does not belong to the certificate in " + certFile);
        }
        return key;
    }

    /** Whether the key signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (cert.getPublicKey().getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            return true; // an algorithm this check does not know: the handshake will tell
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            return verify.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] read(Role role, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadFile(role, file, "no such file");
        } catch (AccessDeniedException e) {
            throw new BadFile(role, file, "permission denied");
        } catch (IOException e) {
            throw new BadFile(role, file, "cannot read it (" + e.getClass().getSimpleName() + ")");
        }
    }
}
