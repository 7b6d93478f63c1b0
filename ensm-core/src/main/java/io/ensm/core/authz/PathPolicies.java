package io.ensm.core.authz;

import io.ensm.core.token.PathToken;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * NSM's default server policies over the left side of a path (segments 0 to this hop's index),
 * evaluated in NSM's order: tokens_valid, prev_token_signed, tokens_expired, tokens_chained. The
 * first that fails is the refusal.
 */
public final class PathPolicies {
    private PathPolicies() {}

    /** One path segment as the policies see it: a name for messages (may be empty) and its token. */
    public record Segment(String name, String token) {
        @Override
        public String toString() {
            return "Segment[" + name + "]";
        }
    }

    /**
     * @param segments the path's segments 0..index (this hop's own segment last)
     * @param peer     the caller's leaf certificate, or null when the call did not come over mutual TLS
     */
    public static Optional<Refusal> check(List<Segment> segments, X509Certificate peer, Instant now) {
        List<PathToken> tokens = new ArrayList<>(segments.size());
        for (int i = 0; i < segments.size(); i++) {
            Optional<PathToken> t = PathToken.decode(segments.get(i).token());
            if (t.isEmpty()) {
                return refuse(Policy.TOKENS_VALID, segments.get(i).token().isEmpty()
                        ? label(segments, i) + " carries no token"
                        : "the token of " + label(segments, i) + " is not a JWT");
            }
            tokens.add(t.get());
        }
        int prev = segments.size() - 2;
        if (prev < 0) {
            return refuse(Policy.PREV_TOKEN_SIGNED, "the path has no segment before this hop to carry the caller's token");
        }
        if (peer == null) {
            return refuse(Policy.PREV_TOKEN_SIGNED, "the call did not come over mutual TLS, so no caller certificate can check "
                    + label(segments, prev));
        }
        if (!tokens.get(prev).signedBy(peer.getPublicKey())) {
            return refuse(Policy.PREV_TOKEN_SIGNED, "the token of " + label(segments, prev)
                    + " is not an ES256 token signed by the caller's certificate");
        }
        for (int i = 0; i < tokens.size(); i++) {
            Optional<Instant> exp = tokens.get(i).expires();
            if (exp.isEmpty()) {
                return refuse(Policy.TOKENS_EXPIRED, "the token of " + label(segments, i) + " has no exp claim");
            }
            if (!now.isBefore(exp.get())) {
                return refuse(Policy.TOKENS_EXPIRED, "the token of " + label(segments, i) + " expired at " + exp.get());
            }
        }
        for (int i = 0; i + 1 < tokens.size(); i++) {
            PathToken t = tokens.get(i);
            if (!t.audienceIsArray()) {
                return refuse(Policy.TOKENS_CHAINED, "the aud claim of " + label(segments, i) + "'s token is not a JSON array");
            }
            Optional<String> next = tokens.get(i + 1).subject();
            if (next.isEmpty() || !t.audience().contains(next.get())) {
                return refuse(Policy.TOKENS_CHAINED, "the audience " + t.audience() + " of " + label(segments, i)
                        + "'s token does not contain " + next.map(s -> "'" + s + "'").orElse("a subject")
                        + ", the subject of " + label(segments, i + 1) + "'s token");
            }
        }
        return Optional.empty();
    }

    private static String label(List<Segment> segments, int i) {
        String name = segments.get(i).name();
        return "path segment " + i + (name == null || name.isEmpty() ? "" : " (" + name + ")");
    }

    private static Optional<Refusal> refuse(Policy policy, String reason) {
        return Optional.of(new Refusal(policy, reason));
    }
}
