package io.ensm.core.endpoint.authorize;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.core.authz.Policy;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Caller;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.testing.RecordingTail;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.TestCa;
import io.ensm.core.testing.Tokens;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static io.grpc.Status.Code.PERMISSION_DENIED;
import static org.assertj.core.api.Assertions.assertThat;

class AuthorizeTest {
    private static final TestCa CA = TestCa.create("example.org");
    private static final TestCa.Svid ENSM = CA.issue("ensm", Duration.ofHours(1));
    private static final TestCa.Svid NSC = CA.issue("nsc", Duration.ofHours(1));
    private static final Instant LATER = Instant.now().plusSeconds(600);

    private final RecordingTail tail = new RecordingTail();
    private final List<Policy> refused = new CopyOnWriteArrayList<>();
    private final Endpoint endpoint = new Endpoint(List.of(new Authorize(refused::add, Clock.systemUTC()), tail));

    private static Connection withCallerToken(String token) {
        return Requests.request().connection().toBuilder().setId("own-1")
                .setPath(Path.newBuilder().setIndex(1)
                        .addPathSegments(PathSegment.newBuilder().setName("nsc").setId("nsc-1").setToken(token))
                        .addPathSegments(PathSegment.newBuilder().setName("ensm").setId("own-1")
                                .setToken(Tokens.signed(ENSM, NSC.spiffeId(), LATER))))
                .build();
    }

    private static CallContext fromNsc() {
        CallContext c = new CallContext(Map.of(), NSC.spiffeId(), CallContext.Cause.CLIENT);
        c.put(CallContext.CALLER, new Caller(NSC.spiffeId(), NSC.leaf()));
        return c;
    }

    @Test
    void authorizedRequestReachesTheRestOfTheChain() {
        Connection c = withCallerToken(Tokens.signed(NSC, ENSM.spiffeId(), LATER));
        endpoint.request(Requests.simple().toBuilder().setConnection(c).build(), fromNsc());
        assertThat(tail.requests()).hasSize(1);
        assertThat(refused).isEmpty();
    }

    @Test
    void refusedRequestIsPermissionDeniedNamingThePolicyCountedAndStopsHere() {
        Connection c = withCallerToken(Tokens.signed(NSC, "spiffe://example.org/not-ensm", LATER));
        assertStatus(() -> endpoint.request(Requests.simple().toBuilder().setConnection(c).build(), fromNsc()),
                PERMISSION_DENIED, "authorization policy tokens_chained failed");
        assertThat(tail.calls()).isZero();
        assertThat(refused).containsExactly(Policy.TOKENS_CHAINED);
    }

    @Test
    void clientCloseIsAuthorized() {
        assertStatus(() -> endpoint.close(withCallerToken(""), fromNsc()), PERMISSION_DENIED, "tokens_valid");
        assertThat(tail.calls()).isZero();
    }

    @Test
    void expiryCloseIsNotAuthorized() {
        endpoint.close(withCallerToken(""), CallContext.internal(CallContext.Cause.EXPIRY));
        assertThat(tail.closes()).hasSize(1);
    }
}
