package io.ensm.core.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import io.ensm.core.identity.Identity;
import io.spiffe.svid.x509svid.X509Svid;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs ensm's NSM path tokens, as NSM's {@code spiffejwt} does: ES256 with the current SVID's
 * key, header {@code {"alg":"ES256","typ":"JWT"}}, claims {@code sub} (ensm's SPIFFE ID),
 * {@code aud} (a JSON array holding the peer's SPIFFE ID, even when it is the only one: NSM's
 * {@code tokens_chained} policy iterates it) and {@code exp} (whole seconds: now plus the maximum
 * lifetime, but never after the SVID's own expiry).
 *
 * <p>Tokens with the same claims (same audience, key and {@code exp} second) are interchangeable,
 * so a token minted earlier in the same second is handed out again instead of signing anew: a
 * busy manager refreshing thousands of connections then costs one ES256 signature per second.
 */
public final class TokenMinter {
    private static final JWSHeader HEADER = new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).build();

    /** Distinct (audience, key) pairs kept for the current second; more are signed without caching. */
    private static final int CACHE_LIMIT = 256;

    private final Identity identity;
    private final Duration maxLifetime;
    private final Clock clock;
    private final ConcurrentHashMap<CacheKey, Minted> minted = new ConcurrentHashMap<>();
    private volatile long cachedExp;

    private record CacheKey(String audience, X509Certificate leaf) {}

    /** A signed token and when it expires. Its string form never shows the token. */
    public record Minted(String token, Instant expires) {
        @Override
        public String toString() {
            return "Minted[expires=" + expires + "]";
        }
    }

    /** @throws IllegalArgumentException when the lifetime is not positive or the SVID key cannot sign ES256 */
    public TokenMinter(Identity identity, Duration maxLifetime, Clock clock) {
        if (maxLifetime.isNegative() || maxLifetime.isZero()) {
            throw new IllegalArgumentException("the maximum token lifetime must be positive: " + maxLifetime);
        }
        this.identity = identity;
        this.maxLifetime = maxLifetime;
        this.clock = clock;
        ecKey(identity.getX509Svid());
    }

    /** ensm's own SPIFFE ID, the {@code sub} of its tokens. */
    public String ownId() {
        return identity.getX509Svid().getSpiffeId().toString();
    }

    public Duration maxLifetime() {
        return maxLifetime;
    }

    /**
     * A token for this hop.
     *
     * @param audience the peer's SPIFFE ID, or null to leave {@code aud} out (NSM does so without a TLS peer)
     */
    public Minted mint(String audience) {
        return mint(audience, null);
    }

    /**
     * A token signed with the key of {@code presented}, the certificate ensm showed on the
     * connection the token travels on (it may predate a rotation); the current SVID when null or
     * no longer known.
     */
    public Minted mint(String audience, X509Certificate presented) {
        X509Svid svid = presented == null ? identity.getX509Svid()
                : identity.svidFor(presented).orElseGet(identity::getX509Svid);
        Instant now = clock.instant();
        Instant until = now.plus(maxLifetime);
        Instant notAfter = svid.getLeaf().getNotAfter().toInstant();
        if (notAfter.isBefore(until)) {
            until = notAfter;
        }
        long exp = until.getEpochSecond();
        if (exp != cachedExp) {
            minted.clear();
            cachedExp = exp;
        }
        CacheKey key = new CacheKey(audience == null ? "" : audience, svid.getLeaf());
        Minted cached = minted.get(key);
        if (cached != null && cached.expires().getEpochSecond() == exp) {
            return cached;
        }
        Minted fresh = sign(svid, audience, exp);
        if (minted.size() < CACHE_LIMIT) {
            minted.put(key, fresh);
        }
        return fresh;
    }

    private static Minted sign(X509Svid svid, String audience, long exp) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", svid.getSpiffeId().toString());
        if (audience != null) {
            claims.put("aud", List.of(audience));
        }
        claims.put("exp", exp);
        JWSObject jws = new JWSObject(HEADER, new Payload(claims));
        try {
            jws.sign(new ECDSASigner(ecKey(svid)));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a path token with the SVID key of " + svid.getSpiffeId() + ": " + e.getMessage(), e);
        }
        return new Minted(jws.serialize(), Instant.ofEpochSecond(exp));
    }

    private static ECPrivateKey ecKey(X509Svid svid) {
        PrivateKey key = svid.getPrivateKey();
        if (!(key instanceof ECPrivateKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
            throw new IllegalArgumentException("the SVID of " + svid.getSpiffeId() + " has a " + key.getAlgorithm()
                    + " key; NSM path tokens are ES256 and need an EC P-256 key (SPIRE's default ec-p256)");
        }
        return ec;
    }
}
