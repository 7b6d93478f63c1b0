package io.ensm.core.token;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verifies ES256 signatures (ECDSA P-256 with SHA-256, signature as 64 raw bytes R||S) on the
 * refresh path. Every call checks the caller's token against the same few caller certificates,
 * so the key's point is kept per key: BouncyCastle stores its multiplication tables on the point,
 * and verification then costs about a fifth of the JDK's.
 */
final class Es256Verifier {
    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(P256.getCurve(), P256.getG(), P256.getN(), P256.getH());
    /** Callers are few (managers, forwarders); a flood of distinct keys only costs the precomputation again. */
    private static final int KEYS_KEPT = 1024;
    private static final ConcurrentHashMap<ECPublicKey, ECPublicKeyParameters> KEYS = new ConcurrentHashMap<>();

    private Es256Verifier() {}

    /** True when {@code signature} (R||S) is a valid ES256 signature of {@code signingInput} by {@code key}. */
    static boolean verify(ECPublicKey key, byte[] signingInput, byte[] signature) {
        if (signature.length != 64 || !P256.getN().equals(key.getParams().getOrder())) {
            return false;
        }
        ECPublicKeyParameters params = parameters(key);
        if (params == null) {
            return false;
        }
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, 32));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, params);
        return verifier.verifySignature(sha256(signingInput), r, s);
    }

    private static ECPublicKeyParameters parameters(ECPublicKey key) {
        ECPublicKeyParameters cached = KEYS.get(key);
        if (cached != null) {
            return cached;
        }
        ECPublicKeyParameters fresh;
        try {
            fresh = new ECPublicKeyParameters(
                    DOMAIN.getCurve().validatePoint(key.getW().getAffineX(), key.getW().getAffineY()), DOMAIN);
        } catch (IllegalArgumentException e) {
            return null; // not a point of P-256
        }
        if (KEYS.size() >= KEYS_KEPT) {
            KEYS.clear();
        }
        KEYS.put(key, fresh);
        return fresh;
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
