package io.ensm.core.testing;

import java.time.Instant;

/** Path tokens for tests, signed by an SVID's key the way NSM signs them, or deliberately not. */
public final class Tokens {
    private static final String ES256 = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";

    private Tokens() {}

    /** sub = the SVID's id, aud = [audience], exp as given. */
    public static String signed(TestCa.Svid by, String audience, Instant exp) {
        return IndependentJwt.sign(ES256, "{\"sub\":\"" + by.spiffeId() + "\",\"aud\":[\"" + audience + "\"],\"exp\":"
                + exp.getEpochSecond() + "}", by.key());
    }

    /** As {@link #signed} but with {@code aud} as a plain string, as some JWT libraries write a single audience. */
    public static String stringAudience(TestCa.Svid by, String audience, Instant exp) {
        return IndependentJwt.sign(ES256, "{\"sub\":\"" + by.spiffeId() + "\",\"aud\":\"" + audience + "\",\"exp\":"
                + exp.getEpochSecond() + "}", by.key());
    }

    /** Claims of {@code claimed} but signed with the key of {@code signer}. */
    public static String signedByOther(TestCa.Svid claimed, TestCa.Svid signer, String audience, Instant exp) {
        return IndependentJwt.sign(ES256, "{\"sub\":\"" + claimed.spiffeId() + "\",\"aud\":[\"" + audience + "\"],\"exp\":"
                + exp.getEpochSecond() + "}", signer.key());
    }
}
