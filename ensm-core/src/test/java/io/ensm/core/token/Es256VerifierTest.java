package io.ensm.core.token;

import io.ensm.core.testing.TestCa;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The fast ES256 check agrees with the JDK's on good, tampered and malformed signatures. */
class Es256VerifierTest {
    private static final byte[] INPUT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0".getBytes(StandardCharsets.US_ASCII);

    private static byte[] sign(java.security.PrivateKey key, byte[] input) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(key);
        s.update(input);
        return s.sign();
    }

    @Test
    void acceptsWhatTheJdkSignedAndRejectsTampering() throws Exception {
        var kp = TestCa.ecKeyPair();
        ECPublicKey pub = (ECPublicKey) kp.getPublic();
        for (int i = 0; i < 20; i++) {
            byte[] sig = sign(kp.getPrivate(), INPUT);
            assertThat(Es256Verifier.verify(pub, INPUT, sig)).isTrue();
            byte[] other = INPUT.clone();
            other[i] ^= 1;
            assertThat(Es256Verifier.verify(pub, other, sig)).isFalse();
            byte[] bad = sig.clone();
            bad[i * 3 % 64] ^= 0x40;
            assertThat(Es256Verifier.verify(pub, INPUT, bad)).isFalse();
        }
        assertThat(Es256Verifier.verify((ECPublicKey) TestCa.ecKeyPair().getPublic(), INPUT, sign(kp.getPrivate(), INPUT))).isFalse();
    }

    @Test
    void rejectsMalformedSignaturesAndOtherCurves() throws Exception {
        var kp = TestCa.ecKeyPair();
        ECPublicKey pub = (ECPublicKey) kp.getPublic();
        byte[] sig = sign(kp.getPrivate(), INPUT);
        assertThat(Es256Verifier.verify(pub, INPUT, Arrays.copyOf(sig, 63))).isFalse();
        assertThat(Es256Verifier.verify(pub, INPUT, new byte[64])).as("r = s = 0").isFalse();
        byte[] big = new byte[64];
        Arrays.fill(big, (byte) 0xff);
        assertThat(Es256Verifier.verify(pub, INPUT, big)).as("r, s >= n").isFalse();
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp384r1"));
        assertThat(Es256Verifier.verify((ECPublicKey) g.generateKeyPair().getPublic(), INPUT, sig)).isFalse();
        assertThat(new BigInteger(1, Arrays.copyOfRange(sig, 0, 32)).signum()).isPositive();
    }
}
