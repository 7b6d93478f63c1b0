package io.ensm.core.token;

import com.google.gson.JsonArray;
import io.ensm.core.testing.IndependentJwt;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.StaticIdentity;
import io.ensm.core.testing.TestCa;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenMinterTest {
    private static final TestCa CA = TestCa.create("example.org");
    private static final String PEER = "spiffe://example.org/nsmgr";

    @Test
    void mintsAnEs256JwtThatAnIndependentImplementationVerifies() {
        TestCa.Svid svid = CA.issue("ensm", Duration.ofHours(1));
        TokenMinter minter = new TokenMinter(StaticIdentity.of(svid), Duration.ofMinutes(10), java.time.Clock.systemUTC());

        TokenMinter.Minted minted = minter.mint(PEER);

        IndependentJwt jwt = IndependentJwt.parse(minted.token());
        assertThat(jwt.verifiesWith(svid.leaf().getPublicKey())).isTrue();
        assertThat(jwt.verifiesWith(CA.issue("ensm", Duration.ofHours(1)).leaf().getPublicKey())).as("another key").isFalse();
        assertThat(jwt.header().get("alg").getAsString()).isEqualTo("ES256");
        assertThat(jwt.header().get("typ").getAsString()).isEqualTo("JWT");
        assertThat(jwt.claim("sub").getAsString()).isEqualTo("spiffe://example.org/ensm");
        assertThat(jwt.claim("exp").getAsLong()).isEqualTo(minted.expires().getEpochSecond());
        assertThat(jwt.claims().keySet()).containsExactlyInAnyOrder("sub", "aud", "exp");
    }

    @Test
    void aSingleAudienceIsStillAJsonArray() {
        TokenMinter minter = new TokenMinter(StaticIdentity.of(CA.issue("ensm", Duration.ofHours(1))), Duration.ofMinutes(10),
                java.time.Clock.systemUTC());
        var aud = IndependentJwt.parse(minter.mint(PEER).token()).claim("aud");
        assertThat(aud.isJsonArray()).as("aud is %s", aud).isTrue();
        assertThat(((JsonArray) aud).get(0).getAsString()).isEqualTo(PEER);
    }

    @Test
    void noPeerLeavesAudOut() {
        TokenMinter minter = new TokenMinter(StaticIdentity.of(CA.issue("ensm", Duration.ofHours(1))), Duration.ofMinutes(10),
                java.time.Clock.systemUTC());
        assertThat(IndependentJwt.parse(minter.mint(null).token()).claims().has("aud")).isFalse();
    }

    @Test
    void expiryIsNowPlusMaxLifetimeInWholeSeconds() {
        MutableClock clock = new MutableClock();
        Instant now = Instant.now().plusMillis(700);
        clock.set(now);
        TokenMinter minter = new TokenMinter(StaticIdentity.of(CA.issue("ensm", Duration.ofHours(1))), Duration.ofMinutes(10), clock);
        assertThat(minter.mint(PEER).expires()).isEqualTo(Instant.ofEpochSecond(now.plusSeconds(600).getEpochSecond()));
    }

    @Test
    void expiryNeverPassesTheSvidsOwn() {
        TestCa.Svid svid = CA.issue("ensm", Duration.ofSeconds(30));
        TokenMinter minter = new TokenMinter(StaticIdentity.of(svid), Duration.ofMinutes(10), java.time.Clock.systemUTC());
        assertThat(minter.mint(PEER).expires()).isEqualTo(svid.leaf().getNotAfter().toInstant());
    }

    @Test
    void signsWithTheSvidInUseAfterARotation() {
        StaticIdentity identity = StaticIdentity.of(CA.issue("ensm", Duration.ofHours(1)));
        TokenMinter minter = new TokenMinter(identity, Duration.ofMinutes(10), java.time.Clock.systemUTC());
        TestCa.Svid next = CA.issue("ensm", Duration.ofHours(1));
        identity.rotate(next);
        assertThat(IndependentJwt.parse(minter.mint(PEER).token()).verifiesWith(next.leaf().getPublicKey())).isTrue();
    }

    @Test
    void aTokenWithTheSameClaimsIsReusedWithinTheSameSecondOnly() {
        MutableClock clock = new MutableClock();
        clock.set(Instant.parse("2026-06-01T10:00:00.100Z"));
        StaticIdentity identity = StaticIdentity.of(CA.issue("ensm", Duration.ofDays(3650)));
        TokenMinter minter = new TokenMinter(identity, Duration.ofMinutes(10), clock);
        String first = minter.mint(PEER).token();
        clock.advance(Duration.ofMillis(800));
        assertThat(minter.mint(PEER).token()).as("same second, same claims").isEqualTo(first);
        assertThat(minter.mint("spiffe://example.org/other").token()).as("another audience").isNotEqualTo(first);
        clock.advance(Duration.ofMillis(200));
        String next = minter.mint(PEER).token();
        assertThat(next).as("next second").isNotEqualTo(first);
        assertThat(IndependentJwt.parse(next).claim("exp").getAsLong())
                .isEqualTo(IndependentJwt.parse(first).claim("exp").getAsLong() + 1);
        identity.rotate(CA.issue("ensm", Duration.ofDays(3650)));
        assertThat(minter.mint(PEER).token()).as("after a rotation").isNotEqualTo(next);
    }

    @Test
    void anRsaSvidIsRefusedBecauseEs256NeedsAnEcKey() {
        StaticIdentity identity = StaticIdentity.of(CA.issue("ensm", Duration.ofHours(1), TestCa.rsaKeyPair()));
        assertThatThrownBy(() -> new TokenMinter(identity, Duration.ofMinutes(10), java.time.Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RSA").hasMessageContaining("ES256");
    }

    @Test
    void mintedNeverShowsTheTokenInItsStringForm() {
        TokenMinter minter = new TokenMinter(StaticIdentity.of(CA.issue("ensm", Duration.ofHours(1))), Duration.ofMinutes(10),
                java.time.Clock.systemUTC());
        TokenMinter.Minted m = minter.mint(PEER);
        assertThat(m.toString()).doesNotContain(m.token().split("\\.")[2]).contains("expires");
    }
}
