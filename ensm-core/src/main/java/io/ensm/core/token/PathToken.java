package io.ensm.core.token;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A path token as the authorization policies read it: decoded without checking the signature
 * (like Rego's {@code io.jwt.decode}), with the claims NSM's policies use. {@link #signedBy}
 * checks the signature. Its string form never shows the token.
 */
public final class PathToken {
    private final JWSObject jws;
    private final Map<String, Object> claims;

    private PathToken(JWSObject jws, Map<String, Object> claims) {
        this.jws = jws;
        this.claims = claims;
    }

    /** The token decoded, or empty when it is not a compact JWS with a JSON object as payload. */
    public static Optional<PathToken> decode(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        try {
            JWSObject jws = JWSObject.parse(token);
            Map<String, Object> claims = jws.getPayload().toJSONObject();
            return claims == null ? Optional.empty() : Optional.of(new PathToken(jws, claims));
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code sub}, or empty when absent or not a string. */
    public Optional<String> subject() {
        return claims.get("sub") instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** True when {@code aud} is a JSON array; NSM's chain policy cannot read a single string. */
    public boolean audienceIsArray() {
        return claims.get("aud") instanceof List<?>;
    }

    /** The string members of an array {@code aud}; empty for a missing or string {@code aud}. */
    public List<String> audience() {
        if (claims.get("aud") instanceof List<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return List.of();
    }

    /** {@code exp} as an instant, or empty when absent or not a number. */
    public Optional<Instant> expires() {
        if (claims.get("exp") instanceof Number n) {
            return Optional.of(Instant.ofEpochSecond(n.longValue()));
        }
        return Optional.empty();
    }

    /** True when the token is ES256 and its signature verifies with this key. */
    public boolean signedBy(PublicKey key) {
        if (!(key instanceof ECPublicKey ec) || !JWSAlgorithm.ES256.equals(jws.getHeader().getAlgorithm())) {
            return false;
        }
        try {
            return Es256Verifier.verify(ec, jws.getSigningInput(), jws.getSignature().decode());
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "PathToken[sub=" + subject().orElse("") + ", aud=" + audience() + ", exp=" + expires().orElse(null) + "]";
    }
}
