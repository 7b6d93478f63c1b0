package io.ensm.core.identity;

import io.spiffe.svid.x509svid.X509Svid;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Small facts read from SVID certificates. */
public final class Svids {
    /** GeneralName type of a URI in subjectAltName (RFC 5280). */
    private static final int URI_NAME = 6;

    private Svids() {}

    public static SvidInfo info(X509Svid svid) {
        X509Certificate leaf = svid.getLeaf();
        return new SvidInfo(svid.getSpiffeId().toString(), leaf.getNotAfter().toInstant(), leaf.getSerialNumber());
    }

    /**
     * True when the SVID's private key belongs to its leaf certificate: a test signature made with
     * the key verifies with the certificate's public key.
     */
    public static boolean keyMatchesLeaf(X509Svid svid) {
        String algorithm = switch (svid.getPrivateKey().getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> svid.getPrivateKey().getAlgorithm();
        };
        byte[] probe = "ensm key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(svid.getPrivateKey());
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(svid.getLeaf().getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** The spiffe:// URI SAN of a certificate, if it has exactly one, as SPIFFE requires. */
    public static Optional<String> spiffeId(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
        if (names == null) {
            return Optional.empty();
        }
        List<String> ids = names.stream()
                .filter(n -> n.size() >= 2 && Integer.valueOf(URI_NAME).equals(n.get(0)) && n.get(1) instanceof String)
                .map(n -> (String) n.get(1))
                .filter(u -> u.startsWith("spiffe://"))
                .toList();
        return ids.size() == 1 ? Optional.of(ids.getFirst()) : Optional.empty();
    }
}
