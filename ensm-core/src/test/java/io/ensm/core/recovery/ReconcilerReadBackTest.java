package io.ensm.core.recovery;

import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.provision.Provision;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.serialize.SerializeById;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.ReadBack;
import io.ensm.core.spi.Verification;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.SimpleAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** A reconciliation pass reads each backend once for all its connections, and acts only on what a read of its own confirms. */
class ReconcilerReadBackTest {
    private static final Instant LATER = MutableClock.START.plusSeconds(600);

    private final MutableClock clock = new MutableClock();
    private final OneReadBackend box1 = new OneReadBackend();
    private final OneReadBackend box2 = new OneReadBackend();
    private final ExpiryTimers timers = new ExpiryTimers(clock);
    private final List<StoredConnection> rows = new ArrayList<>();
    // Two endpoints on box1's backend, one on box2's: reads are per backend, not per endpoint.
    private final Catalog catalog = Fixtures.catalog(List.of(Fixtures.service()), List.of(
            Fixtures.endpoint("box1-a", Requests.SERVICE, box1), Fixtures.endpoint("box1-b", Requests.SERVICE, box1),
            Fixtures.endpoint("box2", Requests.SERVICE, box2)), null);
    private InMemoryConnectionStore store;

    @AfterEach
    void stop() {
        timers.close();
    }

    private Reconciler reconciler() {
        store = InMemoryConnectionStore.with(rows.toArray(StoredConnection[]::new));
        ConnectionTable table = new ConnectionTable(store);
        return new Reconciler(table, catalog, new SimpleAllocator(), new Provisioner(null), timers, clock, id -> {},
                new SerializeById(Duration.ofSeconds(5))::exclusive);
    }

    /** A stored connection of {@code endpoint}, and (when {@code landed}) its objects on the endpoint's backend. */
    private StoredConnection connection(String id, String endpoint, Phase phase, boolean landed) {
        StoredConnection f = Fixtures.stored(id, phase, LATER);
        StoredConnection c = new StoredConnection(id, endpoint, f.service(), phase, PlanKind.FABRIC_VLAN, f.allocation(), null,
                f.mtu(), phase == Phase.PENDING ? null : new Attachment.FabricVlan(100), LATER, new byte[0]);
        rows.add(c);
        if (landed) {
            backendOf(endpoint).recording.preload(intentOf(c));
        }
        return c;
    }

    private ProvisionIntent intentOf(StoredConnection c) {
        return Provision.intentOf(c, catalog.endpoint(c.endpoint()).orElseThrow());
    }

    private OneReadBackend backendOf(String endpoint) {
        return (OneReadBackend) catalog.endpoint(endpoint).orElseThrow().backend();
    }

    private void landedOnEveryEndpoint(int perEndpoint) {
        for (ExposedEndpoint e : catalog.endpoints()) {
            for (int i = 0; i < perEndpoint; i++) {
                connection(e.name() + "-" + i, e.name(), Phase.APPLIED, true);
            }
        }
    }

    @Test
    void everyPassReadsEachBackendOnceAndTheSweepSharesThatRead() {
        landedOnEveryEndpoint(20);
        Reconciler rec = reconciler();

        Reconciler.Report start = rec.startup();
        Reconciler.Report again = rec.pass();

        assertThat(start.verified()).isEqualTo(60);
        assertThat(again.verified()).isEqualTo(60);
        for (OneReadBackend b : List.of(box1, box2)) {
            assertThat(b.reads.get()).as("one read per backend and pass").isEqualTo(2);
            assertThat(b.recording.verifyCalls()).as("no read per connection").isZero();
            assertThat(b.recording.calls()).as("the sweep found nothing unknown in the pass's read").doesNotContain("sweep");
        }
    }

    @Test
    void aMissingAnswerOfTheSharedReadIsReadAgainBeforeARepair() {
        StoredConnection late = connection("late", "box2", Phase.APPLIED, false);
        connection("lost", "box2", Phase.APPLIED, false);
        // "late" lands just after the shared read, as a Request finishing meanwhile would.
        box2.afterRead = () -> box2.recording.preload(intentOf(late));

        Reconciler.Report r = reconciler().startup();

        assertThat(r.verified()).isEqualTo(1);
        assertThat(r.repaired()).isEqualTo(1);
        assertThat(box2.recording.calls()).containsExactly("verify late", "verify lost", "provision lost");
    }

    @Test
    void aPendingConnectionIsRolledBackOnlyWhenItsOwnReadAlsoMissesIt() {
        StoredConnection landedLate = connection("p-late", "box2", Phase.PENDING, false);
        connection("p-never", "box2", Phase.PENDING, false);
        box2.afterRead = () -> box2.recording.preload(intentOf(landedLate));

        Reconciler.Report r = reconciler().startup();

        assertThat(r.rolledForward()).isEqualTo(1);
        assertThat(r.rolledBack()).isEqualTo(1);
        assertThat(store.phaseOf("p-late")).isEqualTo(Phase.APPLIED);
        assertThat(store.get("p-never")).isEmpty();
    }

    @Test
    void aFailedReadFailsItsConnectionsWithOneAttemptAndSkipsItsSweep() {
        landedOnEveryEndpoint(5);
        box1.failReads = true;

        Reconciler.Report r = reconciler().startup();

        assertThat(r.failed()).isEqualTo(10);
        assertThat(r.verified()).isEqualTo(5);
        assertThat(box1.reads.get()).isEqualTo(1);
        assertThat(box1.recording.calls()).isEmpty();
        assertThat(store.phaseOf("box1-a-0")).isEqualTo(Phase.APPLIED);
    }

    @Test
    void anObjectOfAnUnknownConnectionMakesTheSweepReadAndRemoveIt() {
        connection("kept", "box1-a", Phase.APPLIED, true);
        StoredConnection orphan = connection("orphan", "box1-a", Phase.APPLIED, true);
        rows.remove(orphan);

        Reconciler.Report r = reconciler().startup();

        assertThat(r.orphansRemoved()).isEqualTo(1);
        assertThat(box1.recording.provisioned()).containsOnlyKeys("kept");
        assertThat(box2.recording.calls()).as("box2 had no connection to share a read with").containsExactly("sweep");
    }

    @Test
    void aBackendWithoutItsOwnReadBackIsAskedPerConnection() {
        RecordingBackend plain = RecordingBackend.serving(PlanKind.FABRIC_VLAN);
        Catalog one = Fixtures.catalog(List.of(Fixtures.service()), List.of(Fixtures.endpoint("plain", Requests.SERVICE, plain)), null);
        ExposedEndpoint e = one.endpoint("plain").orElseThrow();
        List<StoredConnection> stored = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            StoredConnection c = new StoredConnection("c" + i, "plain", Requests.SERVICE, Phase.APPLIED, PlanKind.FABRIC_VLAN,
                    Fixtures.allocation(), null, 1450, new Attachment.FabricVlan(100), LATER, new byte[0]);
            plain.preload(Provision.intentOf(c, e));
            stored.add(c);
        }
        Reconciler rec = new Reconciler(new ConnectionTable(InMemoryConnectionStore.with(stored.toArray(StoredConnection[]::new))),
                one, new SimpleAllocator(), new Provisioner(null), timers, clock, id -> {}, new SerializeById(Duration.ofSeconds(5))::exclusive);

        assertThat(rec.startup().verified()).isEqualTo(3);
        assertThat(plain.calls()).containsExactly("verify c0", "verify c1", "verify c2", "sweep");
    }

    /**
     * A backend that reads everything in one go, like a box's port in one get-config: its read is a
     * copy of what the recording backend holds, taken when {@link #readBack} is called.
     */
    static final class OneReadBackend implements Backend {
        final RecordingBackend recording = RecordingBackend.serving(PlanKind.FABRIC_VLAN);
        final AtomicInteger reads = new AtomicInteger();
        volatile boolean failReads;
        volatile Runnable afterRead = () -> {};

        @Override
        public ReadBack readBack() throws BackendException {
            reads.incrementAndGet();
            if (failReads) {
                throw new BackendException(BackendException.Kind.UNREACHABLE, "box unreachable");
            }
            Map<String, ProvisionIntent> held = recording.provisioned();
            afterRead.run();
            return new ReadBack() {
                @Override
                public Verification verify(ProvisionIntent intent) {
                    ProvisionIntent have = held.get(intent.connectionId());
                    return have == null ? Verification.MISSING : have.equals(intent) ? Verification.PRESENT : Verification.DRIFTED;
                }

                @Override
                public Optional<Set<String>> markers() {
                    return Optional.of(held.keySet());
                }
            };
        }

        @Override
        public BackendCapabilities capabilities() {
            return recording.capabilities();
        }

        @Override
        public Attachment provision(ProvisionIntent intent) throws BackendException {
            return recording.provision(intent);
        }

        @Override
        public void release(ProvisionIntent intent) throws BackendException {
            recording.release(intent);
        }

        @Override
        public Verification verify(ProvisionIntent intent) throws BackendException {
            return recording.verify(intent);
        }

        @Override
        public Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
            return recording.removeOrphans(isKnown);
        }
    }
}
