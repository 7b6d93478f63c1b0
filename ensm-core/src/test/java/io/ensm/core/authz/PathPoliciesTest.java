package io.ensm.core.authz;

import io.ensm.core.testing.TestCa;
import io.ensm.core.testing.Tokens;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class PathPoliciesTest {
    private static final TestCa CA = TestCa.create("example.org");
    private static final TestCa.Svid NSC = CA.issue("nsc", Duration.ofHours(1));
    private static final TestCa.Svid ENSM = CA.issue("ensm", Duration.ofHours(1));
    private static final Instant NOW = Instant.now();
    private static final Instant LATER = NOW.plusSeconds(600);

    private static List<PathPolicies.Segment> path(String nscToken) {
        return List.of(new PathPolicies.Segment("nsc", nscToken),
                new PathPolicies.Segment("ensm", Tokens.signed(ENSM, NSC.spiffeId(), LATER)));
    }

    private static Optional<Refusal> check(List<PathPolicies.Segment> path) {
        return PathPolicies.check(path, NSC.leaf(), NOW);
    }

    @Test
    void aChainedSignedUnexpiredPathPasses() {
        assertThat(check(path(Tokens.signed(NSC, ENSM.spiffeId(), LATER)))).isEmpty();
    }

    @Test
    void missingTokenFailsTokensValid() {
        assertThat(check(path(""))).get().satisfies(r -> {
            assertThat(r.policy()).isEqualTo(Policy.TOKENS_VALID);
            assertThat(r.reason()).contains("path segment 0 (nsc)", "no token");
        });
    }

    @Test
    void garbageTokenFailsTokensValid() {
        assertThat(check(path("garbage"))).get().extracting(Refusal::policy).isEqualTo(Policy.TOKENS_VALID);
    }

    @Test
    void tokenOfAnotherKeyFailsPrevTokenSigned() {
        TestCa.Svid mallory = CA.issue("mallory", Duration.ofHours(1));
        assertThat(check(path(Tokens.signedByOther(NSC, mallory, ENSM.spiffeId(), LATER)))).get()
                .extracting(Refusal::policy).isEqualTo(Policy.PREV_TOKEN_SIGNED);
    }

    @Test
    void noCallerCertificateFailsPrevTokenSigned() {
        assertThat(PathPolicies.check(path(Tokens.signed(NSC, ENSM.spiffeId(), LATER)), null, NOW)).get()
                .satisfies(r -> assertThat(r.reason()).contains("mutual TLS"));
    }

    @Test
    void aPathWithOnlyThisHopFailsPrevTokenSigned() {
        assertThat(PathPolicies.check(List.of(new PathPolicies.Segment("ensm", Tokens.signed(ENSM, NSC.spiffeId(), LATER))),
                NSC.leaf(), NOW)).get().extracting(Refusal::policy).isEqualTo(Policy.PREV_TOKEN_SIGNED);
    }

    @Test
    void expiredTokenFailsTokensExpired() {
        assertThat(check(path(Tokens.signed(NSC, ENSM.spiffeId(), NOW.minusSeconds(1))))).get().satisfies(r -> {
            assertThat(r.policy()).isEqualTo(Policy.TOKENS_EXPIRED);
            assertThat(r.reason()).contains("path segment 0 (nsc)", "expired at");
        });
    }

    @Test
    void tokenExpiringNowIsExpired() {
        assertThat(check(path(Tokens.signed(NSC, ENSM.spiffeId(), Instant.ofEpochSecond(NOW.getEpochSecond())))))
                .get().extracting(Refusal::policy).isEqualTo(Policy.TOKENS_EXPIRED);
    }

    @Test
    void audienceWithoutTheNextHopFailsTokensChained() {
        assertThat(check(path(Tokens.signed(NSC, "spiffe://example.org/someone-else", LATER)))).get().satisfies(r -> {
            assertThat(r.policy()).isEqualTo(Policy.TOKENS_CHAINED);
            assertThat(r.reason()).contains("spiffe://example.org/someone-else", ENSM.spiffeId());
        });
    }

    @Test
    void stringAudienceFailsTokensChainedEvenWhenItNamesTheNextHop() {
        assertThat(check(path(Tokens.stringAudience(NSC, ENSM.spiffeId(), LATER)))).get().satisfies(r -> {
            assertThat(r.policy()).isEqualTo(Policy.TOKENS_CHAINED);
            assertThat(r.reason()).contains("not a JSON array");
        });
    }

    @Test
    void refusalIsPermissionDeniedNamingThePolicy() {
        var status = new Refusal(Policy.TOKENS_CHAINED, "why").toStatus().getStatus();
        assertThat(status.getCode()).isEqualTo(io.grpc.Status.Code.PERMISSION_DENIED);
        assertThat(status.getDescription()).isEqualTo("authorization policy tokens_chained failed: why");
    }
}
