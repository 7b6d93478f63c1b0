package io.ensm.core.endpoint.monitor;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.connection.Path;
import io.ensm.api.connection.PathSegment;
import io.ensm.core.authz.Policy;
import io.ensm.core.authz.Refusal;
import io.ensm.core.chain.Caller;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.TestCa;
import io.ensm.core.testing.Tokens;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MonitorAuthorizationTest {
    private static final TestCa CA = TestCa.create("example.org");
    private static final TestCa.Svid NSC = CA.issue("nsc", Duration.ofHours(1));
    private static final TestCa.Svid OTHER = CA.issue("other", Duration.ofHours(1));
    private static final String ENSM = CA.id("ensm");
    private static final String OPERATOR = CA.id("ops/ensmctl");

    private final ConnectionTable table = new ConnectionTable(InMemoryConnectionStore.with());
    private final ConnectionOwners owners = new ConnectionOwners(table);
    private final MonitorAuthorization authz = MonitorAuthorization.enforced(owners, Set.of(OPERATOR), () -> ENSM);

    private static Optional<Caller> caller(TestCa.Svid svid) {
        return Optional.of(new Caller(svid.spiffeId(), svid.leaf()));
    }

    private static Optional<Caller> caller(String id) {
        return Optional.of(new Caller(id, NSC.leaf()));
    }

    private static MonitorScopeSelector scope(String... ids) {
        MonitorScopeSelector.Builder b = MonitorScopeSelector.newBuilder();
        for (String id : ids) {
            b.addPathSegments(PathSegment.newBuilder().setId(id));
        }
        return b.build();
    }

    @Test
    void theCallerMayWatchAConnectionItRequestedAndNobodyElseMay() {
        owners.own("conn-1", NSC.spiffeId());

        assertThat(authz.check(caller(NSC), scope("nsc-segment", "conn-1"))).isEmpty();
        Optional<Refusal> other = authz.check(caller(OTHER), scope("conn-1"));
        assertThat(other).get().extracting(Refusal::policy).isEqualTo(Policy.SERVICE_CONNECTION);
        assertThat(other.get().toStatus().getStatus().getDescription())
                .isEqualTo("authorization policy service_connection failed: caller " + OTHER.spiffeId()
                        + " holds none of the connections the scope selector names [conn-1]");
    }

    @Test
    void aClosedConnectionCanNoLongerBeWatched() {
        owners.own("conn-1", NSC.spiffeId());
        owners.forget("conn-1");
        assertThat(authz.check(caller(NSC), scope("conn-1"))).isPresent();
    }

    @Test
    void watchingEverythingIsForEnsmItselfAndTheConfiguredOperatorsOnly() {
        assertThat(authz.check(caller(ENSM), scope())).isEmpty();
        assertThat(authz.check(caller(OPERATOR), scope())).isEmpty();
        assertThat(authz.check(caller(NSC), scope())).get().extracting(Refusal::reason).asString()
                .contains("without naming a connection id", "monitor-all-callers");
        assertThat(authz.check(Optional.empty(), scope("conn-1"))).get().extracting(Refusal::reason)
                .isEqualTo("the caller presented no SPIFFE ID");
    }

    @Test
    void afterARestartTheOwnerIsTheSubjectOfTheCallersTokenInTheStoredConnection() {
        Connection stored = Connection.newBuilder().setId("conn-9").setPath(Path.newBuilder().setIndex(1)
                .addPathSegments(PathSegment.newBuilder().setId("nsc-seg").setToken(
                        Tokens.signed(NSC, ENSM, Instant.now().plusSeconds(600))))
                .addPathSegments(PathSegment.newBuilder().setId("conn-9"))).build();
        StoredConnection base = Fixtures.stored("conn-9", Phase.APPLIED, Instant.now().plusSeconds(600));
        table.put(new StoredConnection(base.id(), base.endpoint(), base.service(), base.phase(), base.plan(), base.allocation(),
                base.peer(), base.mtu(), base.attachment(), base.expires(), stored.toByteArray()));

        assertThat(authz.check(caller(NSC), scope("conn-9"))).isEmpty();
        assertThat(authz.check(caller(OTHER), scope("conn-9"))).isPresent();
    }

    @Test
    void withoutMutualTlsNothingIsChecked() {
        assertThat(MonitorAuthorization.off().check(Optional.empty(), scope())).isEmpty();
    }
}
