package io.ensm.core.token;

import io.ensm.core.testing.IndependentJwt;
import io.ensm.core.testing.TestCa;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class PathTokenTest {
    private static final TestCa CA = TestCa.create("example.org");
    private static final TestCa.Svid NSC = CA.issue("nsc", Duration.ofHours(1));
    private static final String ES256 = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";

    @Test
    void readsTheClaimsThePoliciesUse() {
        String t = IndependentJwt.sign(ES256, "{\"sub\":\"spiffe://example.org/nsc\",\"aud\":[\"a\",\"b\"],\"exp\":2000000000}", NSC.key());
        PathToken p = PathToken.decode(t).orElseThrow();
        assertThat(p.subject()).contains("spiffe://example.org/nsc");
        assertThat(p.audience()).containsExactly("a", "b");
        assertThat(p.audienceIsArray()).isTrue();
        assertThat(p.expires()).contains(Instant.ofEpochSecond(2_000_000_000L));
        assertThat(p.signedBy(NSC.leaf().getPublicKey())).isTrue();
        assertThat(p.toString()).doesNotContain(t.split("\\.")[2]);
    }

    @Test
    void aStringAudienceIsNotAnArray() {
        String t = IndependentJwt.sign(ES256, "{\"sub\":\"x\",\"aud\":\"spiffe://example.org/ensm\",\"exp\":2000000000}", NSC.key());
        PathToken p = PathToken.decode(t).orElseThrow();
        assertThat(p.audienceIsArray()).isFalse();
        assertThat(p.audience()).isEmpty();
    }

    @Test
    void signedByRejectsAnotherKeyAndOtherAlgorithms() {
        String es = IndependentJwt.sign(ES256, "{\"sub\":\"x\",\"exp\":2000000000}", NSC.key());
        assertThat(PathToken.decode(es).orElseThrow().signedBy(CA.issue("other", Duration.ofHours(1)).leaf().getPublicKey())).isFalse();
        String none = es.replace(es.substring(0, es.indexOf('.')),
                java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes()));
        assertThat(PathToken.decode(none).map(p -> p.signedBy(NSC.leaf().getPublicKey())).orElse(false)).isFalse();
    }

    @Test
    void garbageDoesNotDecode() {
        assertThat(PathToken.decode("")).isEmpty();
        assertThat(PathToken.decode("not-a-jwt")).isEmpty();
        assertThat(PathToken.decode("a.b.c")).isEmpty();
        assertThat(PathToken.decode(null)).isEmpty();
    }
}
