package io.ensm.core.recovery;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.core.chain.Failures;
import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.provision.Provision;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.serialize.SerializeById;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.spi.CrossConnect;
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
import io.ensm.core.testing.SimpleAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class ReconcilerTest {
    private static final Instant LATER = MutableClock.START.plusSeconds(600);

    private final MutableClock clock = new MutableClock();
    private final RecordingBackend backend = RecordingBackend.serving(PlanKind.FORWARDER_VXLAN);
    private final RecordingForwarder forwarder = new RecordingForwarder();
    private final Catalog catalog = Fixtures.catalog(backend, forwarder);
    private final ExposedEndpoint endpoint = catalog.endpoint(Fixtures.ENDPOINT).orElseThrow();
    private final SimpleAllocator allocator = new SimpleAllocator();
    private final List<ExpiryTimers> allTimers = new CopyOnWriteArrayList<>();
    private ExpiryTimers timers;
    private final SerializeById serializer = new SerializeById(Duration.ofMillis(200));
    private final List<String> expired = new CopyOnWriteArrayList<>();
    private InMemoryConnectionStore store;
    private ConnectionTable table;

    @AfterEach
    void stop() {
        allTimers.forEach(ExpiryTimers::close);
    }

    private Reconciler reconciler(StoredConnection... rows) {
        return reconciler(expired::add, rows);
    }

    /** @param expire what the runtime does to close a connection as an expiry (a Close through the chain) */
    private Reconciler reconciler(Consumer<String> expire, StoredConnection... rows) {
        store = InMemoryConnectionStore.with(rows);
        table = new ConnectionTable(store);
        timers = ExpiryTimers.following(table, clock);
        allTimers.add(timers);
        return new Reconciler(table, catalog, allocator, new Provisioner(forwarder), timers, clock, expire, serializer::exclusive);
    }

    /** An expiry that fails for {@code id} as the chain's Close does when the backend release fails, and succeeds otherwise. */
    private Consumer<String> releaseFailsFor(String id) {
        return c -> {
            if (c.equals(id)) {
                throw Failures.unavailable("endpoint 'router-1': backend release failed: router-1 unreachable");
            }
            expired.add(c);
        };
    }

    /** The WARN lines of the reconciler that name the endpoint. */
    private static List<String> reconcilerWarnings(OutputCapture out) {
        return out.text().lines().filter(l -> l.contains("WARN") && l.contains("core.recovery") && l.contains("router-1")).toList();
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
    void aRollbackWhoseReleaseFailsIsRecordedAsReleasingAndFinishedByAPass() {
        StoredConnection c = Fixtures.stored("p1", Phase.PENDING, LATER);
        backend.failNext(RecordingBackend.Op.RELEASE, Kind.UNREACHABLE, "router-1 unreachable");
        Reconciler rec = reconciler(c);
        Reconciler.Report r = rec.startup();
        assertThat(r.failed()).isEqualTo(1);
        assertThat(store.phaseOf("p1")).as("the decision to roll back is kept").isEqualTo(Phase.RELEASING);
        assertThat(allocator.held()).containsKey("p1");

        // The box now shows the change landed after all: a rollback once decided is finished, not rolled forward.
        landed(c);
        Reconciler.Report again = rec.pass();
        assertThat(again.released()).isEqualTo(1);
        assertThat(store.isEmpty()).isTrue();
        assertThat(backend.provisioned()).isEmpty();
        assertThat(allocator.held()).isEmpty();
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

    /** An APPLIED connection whose stored reply names the VXLAN end {@code dstIp}, VNI 42. */
    private static StoredConnection storedWithEnd(String id, String dstIp) {
        Connection made = Connection.newBuilder().setId(id).setMechanism(Mechanism.newBuilder().setCls("REMOTE").setType("VXLAN")
                .putParameters("src_ip", Requests.CLIENT_IP).putParameters("dst_ip", dstIp).putParameters("dst_port", "4789")
                .putParameters("vni", "42").putParameters("MTU", "1450")).build();
        StoredConnection c = Fixtures.stored(id, Phase.APPLIED, LATER);
        return new StoredConnection(c.id(), c.endpoint(), c.service(), c.phase(), c.plan(), c.allocation(), c.peer(), c.mtu(),
                c.attachment(), c.expires(), made.toByteArray());
    }

    @Test
    void anEndpointAdoptedFromAReplicaOnAnotherHostGetsItsLegsHereAndItsStoredReplyNamesThisEnd() throws Exception {
        // Made by a replica whose VXLAN ended on 198.51.100.7: the box has it, this host's kernel does not.
        StoredConnection c = storedWithEnd("a1", "198.51.100.7");
        backend.preload(Provision.intentOf(c, endpoint));
        Reconciler reconciler = reconciler();
        store.put(c);

        Reconciler.Report r = reconciler.adopt(Fixtures.ENDPOINT);

        assertThat(r.repaired()).isEqualTo(1);
        assertThat(forwarder.crossConnectOf("a1")).as("the leg made on this host").isPresent();
        assertThat(backend.provisionCalls()).as("the box's part re-applied as it was, not torn down").isEqualTo(1);
        assertThat(backend.releaseCalls()).isZero();
        Connection stored = Connection.parseFrom(store.get("a1").orElseThrow().connection());
        assertThat(stored.getMechanism().getParametersMap()).as("the reply names this forwarder's end, the rest as it was")
                .isEqualTo(java.util.Map.of("src_ip", Requests.CLIENT_IP, "dst_ip", RecordingForwarder.DEFAULT_INFO.localIp(),
                        "dst_port", Integer.toString(RecordingForwarder.DEFAULT_INFO.vxlanPort()), "vni", "42", "MTU", "1450"));
    }

    @Test
    void anEndpointTakenBackWithItsLegsStillOnThisHostIsVerifiedAndItsStoredReplyNamesThisEndAgain() throws Exception {
        // Refreshed at another replica while it held the endpoint; the legs made here before are still here.
        StoredConnection c = storedWithEnd("a1", "198.51.100.7");
        landed(c);
        Reconciler reconciler = reconciler();
        store.put(c);

        Reconciler.Report r = reconciler.adopt(Fixtures.ENDPOINT);

        assertThat(r.verified()).isEqualTo(1);
        assertThat(r.repaired()).isZero();
        assertThat(Connection.parseFrom(store.get("a1").orElseThrow().connection()).getMechanism().getParametersMap())
                .containsEntry("dst_ip", RecordingForwarder.DEFAULT_INFO.localIp()).containsEntry("vni", "42");
    }

    @Test
    void aReplicaThatNoLongerHoldsTheEndpointNeitherRepairsNorSweepsItsDevice() {
        StoredConnection c = Fixtures.stored("a1", Phase.APPLIED, LATER);
        landed(c);
        Reconciler reconciler = reconciler(c);
        reconciler.startup();
        backend.lose("a1");
        backend.preload(Provision.intentOf(Fixtures.stored("new-holders", Phase.APPLIED, LATER), endpoint));
        store.loseHold(Fixtures.ENDPOINT);
        int callsBefore = backend.calls().size();

        Reconciler.Report r = reconciler.pass();

        assertThat(backend.intentOf("a1")).as("not repaired by a replica that lost the endpoint").isEmpty();
        assertThat(backend.intentOf("new-holders")).as("the new holder's work is not swept").isPresent();
        assertThat(backend.calls().subList(callsBefore, backend.calls().size())).noneMatch(call -> call.startsWith("provision")
                || call.equals("sweep"));
        assertThat(r.failed()).isEqualTo(1);
        assertThat(r.repaired()).isZero();
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
        assertThat(backend.calls()).as("nothing to read back of what goes").doesNotContain("verify a1");
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
    void periodicPassDoesNotRearm() {
        StoredConnection c = Fixtures.stored("a1", Phase.APPLIED, LATER);
        landed(c);
        Reconciler rec = reconciler(c);
        table.load();
        Reconciler.Report r = rec.pass();
        assertThat(r.verified()).isEqualTo(1);
        assertThat(expired).isEmpty();
        assertThat(timers.armed()).isZero();
    }

    @Test
    void periodicPassExpiresAnOverdueAppliedConnectionWithoutReadingItBack() {
        // Its timer fired, but the Close failed before RELEASING was stored (a store write, a busy lock).
        StoredConnection overdue = Fixtures.stored("a1", Phase.APPLIED, MutableClock.START.minusSeconds(1));
        StoredConnection live = Fixtures.stored("a2", Phase.APPLIED, LATER);
        landed(overdue);
        landed(live);
        Reconciler rec = reconciler(overdue, live);
        table.load();
        Reconciler.Report r = rec.pass();
        assertThat(expired).containsExactly("a1");
        assertThat(r.expired()).isEqualTo(1);
        assertThat(r.verified()).isEqualTo(1);
        assertThat(backend.calls()).doesNotContain("verify a1");
    }

    @Test
    void anExpiryThatFailsInAPeriodicPassIsCountedAndThePassGoesOn() {
        StoredConnection overdue = Fixtures.stored("a1", Phase.APPLIED, MutableClock.START.minusSeconds(1));
        StoredConnection live = Fixtures.stored("a2", Phase.APPLIED, LATER);
        StoredConnection gone = Fixtures.stored("orphan-1", Phase.APPLIED, LATER);
        landed(overdue);
        landed(live);
        landed(gone);
        Reconciler rec = reconciler(releaseFailsFor("a1"), overdue, live);
        table.load();
        Reconciler.Report r = rec.pass();
        assertThat(r.failed()).isEqualTo(1);
        assertThat(r.verified()).isEqualTo(1);
        assertThat(r.orphansRemoved()).isEqualTo(2);
    }

    @Test
    void anExpiryWhoseReleaseFailsAtStartupIsCountedAndStartupGoesOn() {
        StoredConnection overdue = Fixtures.stored("a1", Phase.APPLIED, MutableClock.START.minusSeconds(1));
        StoredConnection live = Fixtures.stored("a2", Phase.APPLIED, LATER);
        landed(overdue);
        landed(live);
        Reconciler rec = reconciler(releaseFailsFor("a1"), overdue, live);
        Reconciler.Report[] r = new Reconciler.Report[1];
        assertThatCode(() -> r[0] = rec.startup()).as("start-up with a release that fails").doesNotThrowAnyException();
        assertThat(r[0].failed()).isEqualTo(1);
        assertThat(r[0].verified()).isEqualTo(1);
        assertThat(timers.armed()).as("the live connection's timer").isEqualTo(1);
        assertThat(allocator.held()).containsKeys("a1", "a2");
    }

    @Test
    void forgottenConnectionsLeaveNoTimerBehind() {
        StoredConnection pending = Fixtures.stored("p1", Phase.PENDING, LATER);
        StoredConnection releasing = Fixtures.stored("r1", Phase.RELEASING, LATER);
        Reconciler rec = reconciler(pending, releasing);
        // As the Requests that made them armed them before the crash or the failed Close.
        timers.arm("p1", LATER);
        timers.arm("r1", LATER);
        Reconciler.Report r = rec.startup();
        assertThat(r.rolledBack()).isEqualTo(1);
        assertThat(r.released()).isEqualTo(1);
        assertThat(timers.armed()).isZero();
    }

    @Test
    void aBusyConnectionIsSkippedAndTheRestOfThePassAndTheSweepGoOn() throws Exception {
        StoredConnection busy = Fixtures.stored("a1", Phase.APPLIED, LATER);
        StoredConnection lost = Fixtures.stored("a2", Phase.APPLIED, LATER);
        StoredConnection gone = Fixtures.stored("orphan-1", Phase.APPLIED, LATER);
        landed(busy);
        landed(gone);
        Reconciler rec = reconciler(busy, lost);
        table.load();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread holder = Thread.ofVirtual().start(() -> serializer.exclusive("a1", () -> {
            held.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        held.await();
        Reconciler.Report r;
        try {
            r = rec.pass();
        } finally {
            done.countDown();
            holder.join();
        }
        assertThat(r.busy()).isEqualTo(1);
        assertThat(r.failed()).isZero();
        assertThat(r.repaired()).as("the connection after the busy one").isEqualTo(1);
        assertThat(r.orphansRemoved()).isEqualTo(2);
        assertThat(backend.provisioned()).containsOnlyKeys("a1", "a2");
        assertThat(rec.pass().verified()).as("the next pass reaches the busy one").isEqualTo(2);
    }

    @Test
    void aBoxThatStaysDownIsOneWarningPerChangeNotOnePerConnectionPerPass() {
        StoredConnection[] rows = {Fixtures.stored("a1", Phase.APPLIED, LATER), Fixtures.stored("a2", Phase.APPLIED, LATER),
                Fixtures.stored("a3", Phase.APPLIED, LATER)};
        for (StoredConnection c : rows) {
            landed(c);
        }
        Reconciler rec = reconciler(rows);
        backend.failNext(RecordingBackend.Op.VERIFY, 1000, Kind.UNREACHABLE, "router-1 unreachable");
        backend.failNext(RecordingBackend.Op.SWEEP, 1000, Kind.UNREACHABLE, "router-1 unreachable");
        try (OutputCapture out = OutputCapture.start()) {
            rec.startup();
            rec.pass();
            rec.pass();
            assertThat(reconcilerWarnings(out)).as("three connections, three passes, one box down").hasSize(1);
            assertThat(reconcilerWarnings(out).getFirst()).contains("endpoint=router-1", "failed=3", "router-1 unreachable");
            backend.healed();
            rec.pass();
            rec.pass();
            assertThat(out.text()).containsOnlyOnce("event=reconcile-endpoint-recovered endpoint=router-1");
            backend.failNext(RecordingBackend.Op.VERIFY, 1000, Kind.UNREACHABLE, "router-1 unreachable");
            rec.pass();
            assertThat(reconcilerWarnings(out)).as("down again: a change").hasSize(2);
        }
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
