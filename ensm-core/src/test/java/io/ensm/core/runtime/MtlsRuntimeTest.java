package io.ensm.core.runtime;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.authz.Policy;
import io.ensm.core.registry.Await;
import io.ensm.core.registry.ProtoTime;
import io.ensm.core.testing.IndependentJwt;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.SecureClient;
import io.ensm.core.testing.StaticIdentity;
import io.ensm.core.testing.TestCa;
import io.ensm.core.testing.Tokens;
import io.ensm.core.token.TokenMetadata;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/** ensm over real mutual TLS on loopback with SVIDs from a test CA: tokens, policies, rotation, handshakes. */
class MtlsRuntimeTest {
    private static final TestCa CA = TestCa.create("example.org");
    private static final TestCa.Svid NSC = CA.issue("nsc", Duration.ofHours(1));

    @TempDir
    Path dir;
    private SecureRuntimes ensm;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        ensm = new SecureRuntimes(CA.issue("ensm", Duration.ofHours(1)), dir, Duration.ZERO, Set.of());
    }

    @AfterEach
    void stop() {
        if (channel != null) {
            SecureClient.close(channel);
        }
        ensm.close();
    }

    private static NetworkServiceGrpc.NetworkServiceBlockingStub ns(ManagedChannel c) {
        return NetworkServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static NetworkServiceRequest request() {
        return Requests.request().service(SecureRuntimes.SERVICE).mechanisms(Requests.vlan()).build();
    }

    @Test
    void requestRefreshAndCloseCarryTokensBothWays() {
        SecureClient nsc = new SecureClient(StaticIdentity.of(NSC), ensm.target());
        channel = nsc.withTokens();

        Connection reply = ns(channel).request(request());

        var callerSegment = reply.getPath().getPathSegments(0);
        IndependentJwt callerToken = IndependentJwt.parse(callerSegment.getToken());
        assertThat(callerToken.verifiesWith(NSC.leaf().getPublicKey())).isTrue();
        assertThat(callerToken.claim("aud").getAsJsonArray().get(0).getAsString()).isEqualTo(CA.id("ensm"));
        assertThat(ProtoTime.toInstant(callerSegment.getExpires()).getEpochSecond()).isEqualTo(callerToken.claim("exp").getAsLong());

        var ensmSegment = reply.getPath().getPathSegments(1);
        IndependentJwt ensmToken = IndependentJwt.parse(ensmSegment.getToken());
        assertThat(ensmToken.verifiesWith(ensm.identity.getX509Svid().getLeaf().getPublicKey())).as("ensm's token").isTrue();
        assertThat(ensmToken.claim("sub").getAsString()).isEqualTo(CA.id("ensm"));
        assertThat(ensmToken.claim("aud").getAsJsonArray().get(0).getAsString()).isEqualTo(NSC.spiffeId());
        assertThat(ProtoTime.toInstant(ensmSegment.getExpires()).getEpochSecond()).isLessThanOrEqualTo(ensmToken.claim("exp").getAsLong());

        Connection refreshed = ns(channel).request(Requests.refreshOf(request(), reply, Instant.now().plusSeconds(600)));
        assertThat(refreshed.getMechanism()).isEqualTo(reply.getMechanism());
        ns(channel).close(refreshed);
        assertThat(ensm.runtime.connections().size()).isZero();
        assertThat(ensm.refusals).isEmpty();
    }

    @Test
    void aCallerWatchesOnlyTheConnectionsItRequested() {
        SecureClient nsc = new SecureClient(StaticIdentity.of(NSC), ensm.target());
        channel = nsc.withTokens();
        Connection reply = ns(channel).request(request());
        // As NSM's clients do: the scope is the connection's path, which holds ensm's segment id.
        var scope = io.ensm.api.connection.MonitorScopeSelector.newBuilder()
                .addAllPathSegments(reply.getPath().getPathSegmentsList().stream()
                        .map(seg -> io.ensm.api.connection.PathSegment.newBuilder().setName(seg.getName()).setId(seg.getId()).build())
                        .toList()).build();
        String ensmSegment = reply.getPath().getPathSegments(1).getId();

        var events = io.ensm.api.connection.MonitorConnectionGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .monitorConnections(scope);
        assertThat(events.next().getConnectionsMap()).containsKey(ensmSegment);

        ManagedChannel other = new SecureClient(StaticIdentity.of(CA.issue("other-nsc", Duration.ofHours(1))), ensm.target()).withTokens();
        try {
            var stub = io.ensm.api.connection.MonitorConnectionGrpc.newBlockingStub(other).withDeadlineAfter(20, TimeUnit.SECONDS);
            assertStatus(() -> stub.monitorConnections(scope).next(), Status.Code.PERMISSION_DENIED,
                    "authorization policy service_connection failed", "holds none of the connections", ensmSegment);
            assertStatus(() -> stub.monitorConnections(io.ensm.api.connection.MonitorScopeSelector.getDefaultInstance()).next(),
                    Status.Code.PERMISSION_DENIED, "service_connection", "without naming a connection id");
        } finally {
            SecureClient.close(other);
        }
        assertThat(ensm.refusals).containsExactly(Policy.SERVICE_CONNECTION, Policy.SERVICE_CONNECTION);
        ns(channel).close(reply);
    }

    /** The token cases the issue lists, each refused naming its policy. */
    enum BadToken {
        NONE(Policy.TOKENS_VALID),
        EXPIRED(Policy.TOKENS_EXPIRED),
        WRONG_KEY(Policy.PREV_TOKEN_SIGNED),
        BROKEN_CHAIN(Policy.TOKENS_CHAINED),
        STRING_AUD(Policy.TOKENS_CHAINED);

        final Policy policy;

        BadToken(Policy policy) {
            this.policy = policy;
        }
    }

    @ParameterizedTest
    @EnumSource(BadToken.class)
    void badTokensArePermissionDeniedNamingThePolicyAndCounted(BadToken bad) {
        SecureClient nsc = new SecureClient(StaticIdentity.of(NSC), ensm.target());
        Instant later = Instant.now().plusSeconds(600);
        String ensmId = CA.id("ensm");
        String expires = TokenMetadata.formatExpires(later);
        channel = switch (bad) {
            case NONE -> nsc.withoutTokens();
            case EXPIRED -> nsc.withToken(Tokens.signed(NSC, ensmId, Instant.now().minusSeconds(5)), expires);
            case WRONG_KEY -> nsc.withToken(Tokens.signedByOther(NSC, CA.issue("nsc", Duration.ofHours(1)), ensmId, later), expires);
            case BROKEN_CHAIN -> nsc.withToken(Tokens.signed(NSC, CA.id("somebody-else"), later), expires);
            case STRING_AUD -> nsc.withToken(Tokens.stringAudience(NSC, ensmId, later), expires);
        };

        assertStatus(() -> ns(channel).request(request()), Status.Code.PERMISSION_DENIED,
                "authorization policy " + bad.policy.policyName() + " failed");

        assertThat(ensm.refusals).containsExactly(bad.policy);
        assertThat(ensm.runtime.connections().size()).isZero();
    }

    @Test
    void closeWithoutAValidTokenIsRefusedAndKeepsTheConnection() {
        SecureClient nsc = new SecureClient(StaticIdentity.of(NSC), ensm.target());
        channel = nsc.withTokens();
        Connection reply = ns(channel).request(request());
        ManagedChannel bare = nsc.withoutTokens();
        try {
            Connection stripped = reply.toBuilder().setPath(reply.getPath().toBuilder()
                    .setPathSegments(0, reply.getPath().getPathSegments(0).toBuilder().clearToken())).build();
            assertStatus(() -> ns(bare).close(stripped), Status.Code.PERMISSION_DENIED, "tokens_valid");
        } finally {
            SecureClient.close(bare);
        }
        assertThat(ensm.runtime.connections().size()).isEqualTo(1);
    }

    @Test
    void aClientOfAnotherTrustDomainFailsTheHandshake() {
        TestCa other = TestCa.create("other.org");
        SecureClient stranger = new SecureClient(StaticIdentity.of(other.issue("nsc", Duration.ofHours(1)), List.of(other, CA)),
                ensm.target());
        channel = stranger.withTokens();
        assertStatus(() -> ns(channel).request(request()), Status.Code.UNAVAILABLE);
        assertThat(ensm.runtime.connections().size()).isZero();
    }

    @Test
    void aPlaintextClientIsRefused() {
        channel = Grpc.newChannelBuilder(ensm.target(), InsecureChannelCredentials.create()).build();
        assertStatus(() -> ns(channel).request(request()), Status.Code.UNAVAILABLE);
    }

    @Test
    void healthAnswersAProbeThatPresentsAnSvid() {
        channel = new SecureClient(StaticIdentity.of(CA.issue("health-probe", Duration.ofHours(1))), ensm.target()).withoutTokens();
        var health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        assertThat(health.check(HealthCheckRequest.newBuilder().setService("networkservice.NetworkService").build()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void ensmRegistersItselfInItsEmbeddedRegistryOverMtlsWithTokens() {
        Await.until("registered", () -> ensm.runtime.status().registered());
        assertThat(ensm.refusals).isEmpty();
    }

    @Test
    void runtimeReportsTheSvidInUse() {
        assertThat(ensm.runtime.svid()).get().satisfies(s -> {
            assertThat(s.spiffeId()).isEqualTo(CA.id("ensm"));
            assertThat(s.serial()).isEqualTo(ensm.identity.getX509Svid().getLeaf().getSerialNumber());
        });
    }
}
