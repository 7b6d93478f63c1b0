package io.ensm.core.endpoint.provision;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.State;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.allocate.Allocate;
import io.ensm.core.endpoint.expiry.Expiry;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.endpoint.negotiate.Negotiate;
import io.ensm.core.endpoint.select.SelectEndpoint;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.OutputCapture;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.RecordingForwarder;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.Seed;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Instant;
import java.util.List;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

class ProvisionTest {
    private static final String ID = "own-1";
    private static final Instant EXPIRES = MutableClock.START.plusSeconds(600);
    private static final VxlanPeer PEER = new VxlanPeer(Requests.CLIENT_IP, Requests.CLIENT_PORT);

    private final InMemoryConnectionStore store = new InMemoryConnectionStore();
    private final ConnectionTable table = new ConnectionTable(store);
    private final RecordingBackend backend = RecordingBackend.serving(PlanKind.FORWARDER_VXLAN);
    private final RecordingForwarder forwarder = new RecordingForwarder();
    private final ExposedEndpoint endpoint = Fixtures.endpoint(backend);
    private final Provision provision = new Provision(table, new Provisioner(forwarder));

    private Seed seed(VxlanPeer peer, Instant expires) {
        return Seed.with(SelectEndpoint.ENDPOINT, endpoint).and(Negotiate.PLAN, PlanKind.FORWARDER_VXLAN)
                .and(Negotiate.PEER, peer).and(Allocate.ALLOCATION, Fixtures.allocation()).and(Allocate.MTU, 1450)
                .and(Expiry.EXPIRES, expires);
    }

    private Connection request(VxlanPeer peer, Instant expires) {
        return request(ID, peer, expires);
    }

    private Connection request(String id, VxlanPeer peer, Instant expires) {
        Seed s = seed(peer, expires);
        Seed known = Seed.of(c -> table.get(id).ifPresent(k -> c.put(LoadKnown.KNOWN, k)));
        return new Endpoint(List.of(s, known, provision)).request(request(id), CallContext.client());
    }

    private static NetworkServiceRequest request(String id) {
        return Requests.simple().toBuilder().setConnection(Requests.request().connection().toBuilder().setId(id)).build();
    }

    private void close() {
        close(ID);
    }

    private void close(String id) {
        StoredConnection k = table.get(id).orElseThrow();
        new Endpoint(List.of(Seed.with(LoadKnown.KNOWN, k).and(SelectEndpoint.ENDPOINT, endpoint), provision))
                .close(Connection.newBuilder().setId(id).build(), CallContext.client());
    }

    @Test
    void storeHoldsPendingWhileTheBackendRunsAndAppliedAfter() {
        backend.duringProvision(i -> assertThat(store.phaseOf(ID)).isEqualTo(Phase.PENDING));
        Connection reply = request(PEER, EXPIRES);
        assertThat(reply.getState()).isEqualTo(State.UP);
        assertThat(store.phaseOf(ID)).isEqualTo(Phase.APPLIED);
        StoredConnection s = store.get(ID).orElseThrow();
        assertThat(s.attachment()).isEqualTo(new io.ensm.core.spi.Attachment.Vlan(RecordingBackend.UPLINK, 100));
        assertThat(s.expires()).isEqualTo(EXPIRES);
        assertThat(backend.intentOf(ID)).isPresent();
        assertThat(forwarder.crossConnectOf(ID)).hasValueSatisfying(cc -> {
            assertThat(cc.vni()).isEqualTo(5000);
            assertThat(cc.remoteIp()).isEqualTo(Requests.CLIENT_IP);
        });
        assertThat(store.writes()).containsExactly("put own-1 PENDING", "put own-1 APPLIED");
    }

    @Test
    void refreshWithUnchangedIntentDoesNoIoAndOnlyUpdatesExpiry() {
        request(PEER, EXPIRES);
        Instant later = EXPIRES.plusSeconds(300);
        request(PEER, later);
        assertThat(backend.writeCalls()).isEqualTo(1);
        assertThat(forwarder.connectCalls()).isEqualTo(1);
        assertThat(forwarder.disconnectCalls()).isZero();
        assertThat(table.get(ID).orElseThrow().expires()).isEqualTo(later);
        assertThat(table.flush(java.time.Duration.ofSeconds(5))).as("refreshes left unwritten").isZero();
        assertThat(store.get(ID).orElseThrow().expires()).isEqualTo(later);
        assertThat(store.writes()).last().isEqualTo("refresh own-1");
    }

    @Test
    void changedIntentUndoesTheOldAndProvisionsTheNew() {
        request(PEER, EXPIRES);
        VxlanPeer moved = new VxlanPeer("192.0.2.99", 4789);
        request(moved, EXPIRES);
        assertThat(backend.calls()).containsExactly("provision own-1", "release own-1", "provision own-1");
        assertThat(forwarder.calls()).containsExactly("connect own-1", "disconnect own-1", "connect own-1");
        assertThat(forwarder.crossConnectOf(ID).orElseThrow().remoteIp()).isEqualTo("192.0.2.99");
        assertThat(store.get(ID).orElseThrow().peer()).isEqualTo(moved);
        assertThat(store.phaseOf(ID)).isEqualTo(Phase.APPLIED);
    }

    @ParameterizedTest
    @CsvSource({"UNREACHABLE,UNAVAILABLE", "REJECTED,FAILED_PRECONDITION", "EXHAUSTED,RESOURCE_EXHAUSTED",
            "NOT_FOUND,NOT_FOUND", "BUSY,ABORTED", "DENIED,FAILED_PRECONDITION"})
    void backendFailureMapsToStatusAndLeavesNothing(Kind kind, Status.Code code) {
        backend.failNext(RecordingBackend.Op.PROVISION, kind, "router-1 said no");
        assertStatus(() -> request(PEER, EXPIRES), code, "endpoint '" + Fixtures.ENDPOINT + "'", "backend provision failed",
                "router-1 said no");
        assertThat(store.isEmpty()).isTrue();
        assertThat(table.size()).isZero();
        assertThat(backend.provisioned()).isEmpty();
        assertThat(forwarder.connected()).isEmpty();
    }

    @Test
    void forwarderFailureReleasesTheBackend() {
        forwarder.failNext(RecordingForwarder.Op.CONNECT, Kind.UNREACHABLE, "bridge missing");
        assertStatus(() -> request(PEER, EXPIRES), Status.Code.UNAVAILABLE, "forwarder cross-connect failed", "bridge missing");
        assertThat(backend.releaseCalls()).isEqualTo(1);
        assertThat(backend.provisioned()).isEmpty();
        assertThat(store.isEmpty()).isTrue();
    }

    @Test
    void storeFailureOnPendingWriteIsUnavailableAndTheBackendIsNeverCalled() {
        store.failNextWrites(1, "disk full");
        assertStatus(() -> request(PEER, EXPIRES), Status.Code.UNAVAILABLE, "store intent failed", "disk full");
        assertThat(backend.calls()).isEmpty();
        assertThat(forwarder.calls()).isEmpty();
    }

    @Test
    void storeFailureOnAppliedWriteUndoesTheIo() {
        backend.duringProvision(i -> store.failNextWrites(1, "disk full"));
        assertStatus(() -> request(PEER, EXPIRES), Status.Code.UNAVAILABLE, "store applied state failed", "disk full");
        assertThat(backend.provisioned()).isEmpty();
        assertThat(forwarder.connected()).isEmpty();
        assertThat(table.size()).isZero();
    }

    @Test
    void closeReleasesForwarderThenBackendAndForgets() {
        request(PEER, EXPIRES);
        close();
        assertThat(forwarder.calls()).last().isEqualTo("disconnect own-1");
        assertThat(backend.calls()).last().isEqualTo("release own-1");
        assertThat(store.writes()).containsSubsequence("put own-1 RELEASING", "delete own-1");
        assertThat(store.isEmpty()).isTrue();
        assertThat(table.size()).isZero();
        assertThat(backend.provisioned()).isEmpty();
        assertThat(forwarder.connected()).isEmpty();
    }

    @Test
    void failedReleaseLeavesTheRecordReleasingAndNamesTheStep() {
        request(PEER, EXPIRES);
        backend.failNext(RecordingBackend.Op.RELEASE, Kind.UNREACHABLE, "router-1 timed out");
        assertStatus(this::close, Status.Code.UNAVAILABLE, "backend release failed", "router-1 timed out");
        assertThat(store.phaseOf(ID)).isEqualTo(Phase.RELEASING);

        forwarder.failNext(RecordingForwarder.Op.DISCONNECT, Kind.BUSY, "bridge locked");
        assertStatus(this::close, Status.Code.ABORTED, "forwarder disconnect failed");
        assertThat(store.phaseOf(ID)).isEqualTo(Phase.RELEASING);

        close();
        assertThat(store.isEmpty()).isTrue();
    }

    @Test
    void releasesFailingOnABoxThatIsDownAreOneWarningUntilOneWorks() {
        List<String> ids = List.of("own-a", "own-b", "own-c", "own-d", "own-e", "own-f");
        ids.forEach(id -> request(id, PEER, EXPIRES));
        backend.failNext(RecordingBackend.Op.RELEASE, 2 * ids.size(), Kind.UNREACHABLE, "router-1 unreachable");
        try (OutputCapture out = OutputCapture.start()) {
            for (int round = 0; round < 2; round++) {
                for (String id : ids) {
                    assertStatus(() -> close(id), Status.Code.UNAVAILABLE, "backend release failed", "router-1 unreachable");
                }
            }
            assertThat(warnings(out)).as("12 failed releases on one box").hasSize(1);
            assertThat(warnings(out).getFirst()).contains("endpoint=" + Fixtures.ENDPOINT, "connection=own-a", "router-1 unreachable");

            close("own-a");
            assertThat(out.text()).contains("event=release-recovered endpoint=" + Fixtures.ENDPOINT + " failed_meanwhile=12");

            backend.failNext(RecordingBackend.Op.RELEASE, Kind.UNREACHABLE, "router-1 unreachable again");
            assertStatus(() -> close("own-b"), Status.Code.UNAVAILABLE, "backend release failed");
            assertThat(warnings(out)).as("down again after a release worked").hasSize(2);
        }
        ids.stream().skip(1).forEach(id -> assertThat(store.phaseOf(id)).isEqualTo(Phase.RELEASING));
    }

    private static List<String> warnings(OutputCapture out) {
        return out.text().lines().filter(l -> l.contains("WARN") && l.contains("event=release-failed")).toList();
    }

    @Test
    void closeOfAConnectionWhoseEndpointLeftKeepsTheRecord() {
        request(PEER, EXPIRES);
        StoredConnection k = table.get(ID).orElseThrow();
        assertStatus(() -> new Endpoint(List.of(Seed.with(LoadKnown.KNOWN, k), provision))
                        .close(Connection.newBuilder().setId(ID).build(), CallContext.client()),
                Status.Code.FAILED_PRECONDITION, "no longer configured");
        assertThat(store.phaseOf(ID)).isEqualTo(Phase.APPLIED);
    }
}
