package io.ensm.core.recovery;

import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.provision.Provision;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.RecordingForwarder;
import io.ensm.core.testing.SimpleAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class ReconcilerTest {
    private static final Instant LATER = MutableClock.START.plusSeconds(600);

    private final MutableClock clock = new MutableClock();
    private final RecordingBackend backend = RecordingBackend.serving(PlanKind.FORWARDER_VXLAN);
    private final RecordingForwarder forwarder = new RecordingForwarder();
    private final Catalog catalog = Fixtures.catalog(backend, forwarder);
    private final ExposedEndpoint endpoint = catalog.endpoint(Fixtures.ENDPOINT).orElseThrow();
    private final SimpleAllocator allocator = new SimpleAllocator();
    private final ExpiryTimers timers = new ExpiryTimers(clock);
    private final List<String> expired = new CopyOnWriteArrayList<>();
    private InMemoryConnectionStore store;
    private ConnectionTable table;

    @AfterEach
    void stop() {
        timers.close();
    }

    private Reconciler reconciler(StoredConnection... rows) {
        store = InMemoryConnectionStore.with(rows);
        table = new ConnectionTable(store);
        return new Reconciler(table, catalog, allocator, new Provisioner(forwarder), timers, clock, expired::add,
                new io.ensm.core.endpoint.serialize.SerializeById(java.time.Duration.ofSeconds(5))::exclusive);
    }

    /** Makes backend and forwarder hold exactly what the stored connection describes. */
    private void landed(StoredConnection c) {
        var intent = Provision.intentOf(c, endpoint);
        backend.preload(intent);
        try {
            forwarder.connect(new CrossConnect(c.id(), c.allocation().vni(), c.peer().ip(), c.peer().port(),
                    RecordingBackend.attachmentFor(intent), c.mtu()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void pendingIsRolledBackWhenReadBackShowsMissing() {
        StoredConnection c = Fixtures.stored("p1", Phase.PENDING, LATER);
        Reconciler.Report r = reconciler(c).startup();
        assertThat(r.rolledBack()).isEqualTo(1);
        assertThat(store.isEmpty()).isTrue();
        assertThat(backend.provisionCalls()).isZero();
        assertThat(backend.releaseCalls()).isEqualTo(1);
        assertThat(forwarder.disconnectCalls()).as("no attachment to name the cross-connect by").isZero();
        assertThat(allocator.held()).isEmpty();
        assertThat(timers.armed()).isZero();
    }

    @Test
    void pendingRolledBackAfterItsCrossConnectLeavesTheLinksToTheOrphanSweep() throws Exception {
        // A crash after the cross-connect, and the box lost its part meanwhile: the record has no attachment.
        StoredConnection c = Fixtures.stored("p1", Phase.PENDING, LATER);
        forwarder.connect(new CrossConnect(c.id(), c.allocation().vni(), c.peer().ip(), c.peer().port(),
                RecordingBackend.attachmentFor(Provision.intentOf(c, endpoint)), c.mtu()));
        Reconciler.Report r = reconciler(c).startup();
        assertThat(r.rolledBack()).isEqualTo(1);
        assertThat(r.failed()).isZero();
        assertThat(forwarder.disconnectCalls()).isZero();
        assertThat(forwarder.connected()).as("swept as an orphan in the same pass").isEmpty();
        assertThat(store.isEmpty()).isTrue();
    }

    @Test
    void pendingIsRolledForwardWhenReadBackShowsPresent() {
        StoredConnection c = Fixtures.stored("p1", Phase.PENDING, LATER);
        landed(c);
        Reconciler.Report r = reconciler(c).startup();
        assertThat(r.rolledForward()).isEqualTo(1);
        assertThat(store.phaseOf("p1")).isEqualTo(Phase.APPLIED);
        assertThat(store.get("p1").orElseThrow().attachment()).isNotNull();
        assertThat(timers.armed()).isEqualTo(1);
        assertThat(allocator.held()).containsKey("p1");
    }

    @Test
    void releasingIsFinished() {
        StoredConnection c = Fixtures.stored("r1", Phase.RELEASING, LATER);
        landed(c);
        Reconciler.Report r = reconciler(c).startup();
        assertThat(r.released()).isEqualTo(1);
        assertThat(store.isEmpty()).isTrue();
        assertThat(backend.provisioned()).isEmpty();
        assertThat(forwarder.connected()).isEmpty();
        assertThat(allocator.held()).isEmpty();
    }

    @Test
    void appliedAndPresentIsVerifiedUntouched() {
        StoredConnection c = Fixtures.stored("a1", Phase.APPLIED, LATER);
        landed(c);
        Reconciler.Report r = reconciler(c).startup();
        assertThat(r.verified()).isEqualTo(1);
        assertThat(backend.provisionCalls()).isZero();
        assertThat(backend.releaseCalls()).isZero();
        assertThat(forwarder.connectCalls()).isEqualTo(1); // only the one made by the test
        assertThat(store.writes()).isEmpty();
    }

    @Test
    void appliedButMissingIsRepaired() {
        StoredConnection c = Fixtures.stored("a1", Phase.APPLIED, LATER);
        Reconciler.Report r = reconciler(c).startup();
        assertThat(r.repaired()).isEqualTo(1);
        assertThat(backend.intentOf("a1")).isPresent();
        assertThat(forwarder.crossConnectOf("a1")).isPresent();
        assertThat(store.phaseOf("a1")).isEqualTo(Phase.APPLIED);
    }

    @Test
    void appliedButDriftedIsRepaired() {
        StoredConnection c = Fixtures.stored("a1", Phase.APPLIED, LATER);
        landed(c);
        backend.drift("a1");
        Reconciler.Report r = reconciler(c).startup();
        assertThat(r.repaired()).isEqualTo(1);
        assertThat(backend.provisionCalls()).isEqualTo(1);
    }

    @Test
    void everyStoredAllocationIsRestoredAtStartup() {
        StoredConnection a = Fixtures.stored("a1", Phase.APPLIED, LATER);
        StoredConnection b = Fixtures.stored("a2", Phase.APPLIED, LATER);
        StoredConnection p = Fixtures.stored("p1", Phase.PENDING, LATER);
        landed(a);
        landed(b);
        reconciler(a, b, p).startup();
        assertThat(allocator.restoreCalls()).isEqualTo(3);
        assertThat(allocator.held()).containsOnlyKeys("a1", "a2");
    }

    @Test
    void expiryIsArmedWithRemainingTime() {
        StoredConnection c = Fixtures.stored("a1", Phase.APPLIED, LATER);
        landed(c);
        reconciler(c).startup();
        assertThat(timers.armed()).isEqualTo(1);
        assertThat(expired).isEmpty();
    }

    @Test
    void alreadyExpiredConnectionsAreClosedThroughTheExpireCallback() {
        StoredConnection c = Fixtures.stored("a1", Phase.APPLIED, MutableClock.START.minusSeconds(1));
        landed(c);
        Reconciler.Report r = reconciler(c).startup();
        assertThat(r.expired()).isEqualTo(1);
        assertThat(expired).containsExactly("a1");
        assertThat(timers.armed()).isZero();
    }

    @Test
    void backendUnreachableAtStartupKeepsAnAppliedConnection() {
        StoredConnection c = Fixtures.stored("a1", Phase.APPLIED, LATER);
        landed(c);
        backend.failNext(RecordingBackend.Op.VERIFY, 5, Kind.UNREACHABLE, "router-1 unreachable");
        Reconciler.Report r = reconciler(c).startup();
        assertThat(r.failed()).isEqualTo(1);
        assertThat(store.phaseOf("a1")).isEqualTo(Phase.APPLIED);
        assertThat(backend.releaseCalls()).isZero();
        assertThat(forwarder.disconnectCalls()).isZero();
        assertThat(backend.intentOf("a1")).isPresent();
        assertThat(timers.armed()).isEqualTo(1);
        assertThat(allocator.held()).containsKey("a1");
    }

    @Test
    void periodicPassDoesNotRearmOrExpire() {
        StoredConnection c = Fixtures.stored("a1", Phase.APPLIED, MutableClock.START.minusSeconds(1));
        landed(c);
        Reconciler rec = reconciler(c);
        table.load();
        Reconciler.Report r = rec.pass();
        assertThat(r.verified()).isEqualTo(1);
        assertThat(expired).isEmpty();
        assertThat(timers.armed()).isZero();
    }

    @Test
    void markedObjectsOfUnknownConnectionsAreRemovedAndKnownOnesKept() {
        StoredConnection kept = Fixtures.stored("a1", Phase.APPLIED, LATER);
        StoredConnection gone = Fixtures.stored("orphan-1", Phase.APPLIED, LATER);
        landed(kept);
        landed(gone);
        Reconciler.Report r = reconciler(kept).startup();
        assertThat(r.orphansRemoved()).isEqualTo(2); // one in the backend, one in the forwarder
        assertThat(backend.provisioned()).containsOnlyKeys("a1");
        assertThat(forwarder.connected()).containsOnlyKeys("a1");
        assertThat(store.phaseOf("a1")).isEqualTo(Phase.APPLIED);
    }

    @Test
    void aConnectionStillInTheStoreIsNeverSwept() {
        StoredConnection pending = Fixtures.stored("p1", Phase.PENDING, LATER);
        landed(pending);
        backend.failNext(RecordingBackend.Op.VERIFY, Kind.UNREACHABLE, "router-1 unreachable");
        Reconciler.Report r = reconciler(pending).startup();
        assertThat(r.failed()).isEqualTo(1);
        assertThat(r.orphansRemoved()).isZero();
        assertThat(backend.calls()).contains("sweep");
        assertThat(backend.provisioned()).containsOnlyKeys("p1");
        assertThat(forwarder.connected()).containsOnlyKeys("p1");
        assertThat(store.phaseOf("p1")).isEqualTo(Phase.PENDING);
    }

    @Test
    void aFailingSweepIsLoggedAndDoesNotStopTheOthers() {
        StoredConnection gone = Fixtures.stored("orphan-1", Phase.APPLIED, LATER);
        landed(gone);
        backend.failNext(RecordingBackend.Op.SWEEP, Kind.UNREACHABLE, "router-1 unreachable");
        Reconciler.Report r = reconciler().startup();
        assertThat(r.orphansRemoved()).isEqualTo(1);
        assertThat(backend.provisioned()).containsOnlyKeys("orphan-1");
        assertThat(forwarder.connected()).isEmpty();
        Reconciler.Report again = reconciler().pass();
        assertThat(again.orphansRemoved()).isEqualTo(1);
        assertThat(backend.provisioned()).isEmpty();
    }
}
