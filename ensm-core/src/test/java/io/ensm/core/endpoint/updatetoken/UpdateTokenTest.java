package io.ensm.core.endpoint.updatetoken;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Caller;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.registry.ProtoTime;
import io.ensm.core.testing.IndependentJwt;
import io.ensm.core.testing.RecordingTail;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.StaticIdentity;
import io.ensm.core.testing.TestCa;
import io.ensm.core.token.TokenMetadata;
import io.ensm.core.token.TokenMinter;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static org.assertj.core.api.Assertions.assertThat;

class UpdateTokenTest {
    private static final TestCa CA = TestCa.create("example.org");
    private static final TestCa.Svid ENSM = CA.issue("ensm", Duration.ofHours(1));
    private static final TestCa.Svid NSC = CA.issue("nsc", Duration.ofMinutes(5));

    private final RecordingTail tail = new RecordingTail();
    private final Endpoint endpoint = new Endpoint(List.of(
            new UpdateToken(new TokenMinter(StaticIdentity.of(ENSM), Duration.ofMinutes(10), Clock.systemUTC())), tail));

    /** As it arrives below UpdatePath: [nsc, ensm] at index 1. */
    private static Connection below() {
        return Requests.request().connection().toBuilder().setId("own-1")
                .setPath(Path.newBuilder().setIndex(1)
                        .addPathSegments(PathSegment.newBuilder().setName("nsc").setId("nsc-1").setToken("old"))
                        .addPathSegments(PathSegment.newBuilder().setName("ensm").setId("own-1")))
                .build();
    }

    private static CallContext context(Map<String, String> metadata) {
        CallContext c = new CallContext(metadata, NSC.spiffeId(), CallContext.Cause.CLIENT);
        c.put(CallContext.CALLER, new Caller(NSC.spiffeId(), NSC.leaf()));
        return c;
    }

    private static NetworkServiceRequest request(Connection c) {
        return Requests.simple().toBuilder().setConnection(c).build();
    }

    @Test
    void callersMetadataTokenAndExpiryGoIntoThePreviousSegment() {
        Instant expires = Instant.parse("2030-01-01T00:05:00.5Z");
        endpoint.request(request(below()), context(Map.of(TokenMetadata.TOKEN_KEY, "caller-token",
                TokenMetadata.EXPIRES_KEY, "2030-01-01T00:05:00.5Z")));
        PathSegment prev = tail.lastRequest().getConnection().getPath().getPathSegments(0);
        assertThat(prev.getToken()).isEqualTo("caller-token");
        assertThat(ProtoTime.toInstant(prev.getExpires())).isEqualTo(expires);
    }

    @Test
    void withoutMetadataThePreviousSegmentKeepsItsToken() {
        endpoint.request(request(below()), context(Map.of()));
        assertThat(tail.lastRequest().getConnection().getPath().getPathSegments(0).getToken()).isEqualTo("old");
    }

    @Test
    void ownSegmentGetsATokenForTheCallerThatExpiresWithTheCallersCertificate() {
        endpoint.request(request(below()), context(Map.of()));
        PathSegment own = tail.lastRequest().getConnection().getPath().getPathSegments(1);
        IndependentJwt jwt = IndependentJwt.parse(own.getToken());
        assertThat(jwt.verifiesWith(ENSM.leaf().getPublicKey())).isTrue();
        assertThat(jwt.claim("sub").getAsString()).isEqualTo(ENSM.spiffeId());
        assertThat(jwt.claim("aud").getAsJsonArray().get(0).getAsString()).isEqualTo(NSC.spiffeId());
        // the NSC's certificate (5 min) expires before ensm's token (10 min): the segment promises no more
        Instant nscNotAfter = NSC.leaf().getNotAfter().toInstant();
        assertThat(ProtoTime.toInstant(own.getExpires())).isEqualTo(nscNotAfter);
        assertThat(tail.lastContext().get(UpdateToken.OWN_TOKEN_EXPIRES)).isEqualTo(nscNotAfter);
        assertThat(jwt.claim("exp").getAsLong()).isGreaterThan(nscNotAfter.getEpochSecond());
    }

    @Test
    void unreadableExpiryMetadataIsInvalidArgumentNamingTheKey() {
        assertStatus(() -> endpoint.request(request(below()), context(Map.of(TokenMetadata.TOKEN_KEY, "t",
                TokenMetadata.EXPIRES_KEY, "soon"))), INVALID_ARGUMENT, "nsm-client-token-expires");
        assertThat(tail.calls()).isZero();
    }

    @Test
    void clientCloseIsUpdatedToo() {
        endpoint.close(below(), context(Map.of(TokenMetadata.TOKEN_KEY, "close-token")));
        Path path = tail.closes().getLast().getPath();
        assertThat(path.getPathSegments(0).getToken()).isEqualTo("close-token");
        assertThat(path.getPathSegments(1).getToken()).isNotEmpty();
    }

    @Test
    void closesEnsmStartsItselfPassUntouched() {
        Connection c = below();
        endpoint.close(c, CallContext.internal(CallContext.Cause.EXPIRY));
        assertThat(tail.closes().getLast()).isEqualTo(c);
    }
}
