package io.ensm.core.recovery;

import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.provision.Provision;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.serialize.SerializeById;
import io.ensm.core.model.PlanKind;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The orphan policy as the reconciler applies it, against a recording backend and forwarder. */
class OrphanFilterTest {
    private static final Instant LATER = MutableClock.START.plusSeconds(600);

    private final MutableClock clock = new MutableClock();
    private final RecordingBackend backend = RecordingBackend.serving(PlanKind.FORWARDER_VXLAN);
    private final RecordingForwarder forwarder = new RecordingForwarder();
    private final Catalog catalog = Fixtures.catalog(backend, forwarder);
    private final ExposedEndpoint endpoint = catalog.endpoint(Fixtures.ENDPOINT).orElseThrow();
    private final ExpiryTimers timers = new ExpiryTimers(clock);
    private InMemoryConnectionStore store;

    @AfterEach
    void stop() {
        timers.close();
    }

    private Reconciler reconciler(OrphanFilter orphans, InMemoryConnectionStore with) {
        store = with;
        return new Reconciler(new ConnectionTable(store), catalog, new SimpleAllocator(), new Provisioner(forwarder), timers, clock,
                id -> {}, new SerializeById(Duration.ofSeconds(5))::exclusive, orphans);
    }

    /** Makes backend and forwarder hold what the connection describes, as a previous run would have left it. */
    private void onDevices(StoredConnection c) throws Exception {
        var intent = Provision.intentOf(c, endpoint);
        backend.preload(intent);
        forwarder.connect(new CrossConnect(c.id(), c.allocation().vni(), c.peer().ip(), c.peer().port(),
                RecordingBackend.attachmentFor(intent), c.mtu()));
    }

    @ParameterizedTest
    @EnumSource(value = OrphanPolicy.class, names = {"KEEP", "ADOPT"})
    void keepAndAdoptLeaveMarkedObjectsOfUnknownConnectionsAndReportThem(OrphanPolicy policy) throws Exception {
        StoredConnection held = Fixtures.stored("a1", Phase.APPLIED, LATER);
        onDevices(held);
        onDevices(Fixtures.stored("lost-1", Phase.APPLIED, LATER));
        Reconciler reconciler = reconciler(OrphanFilter.decide(policy, true), InMemoryConnectionStore.with(held));

        Reconciler.Report r = reconciler.startup();

        assertThat(r.orphansRemoved()).isZero();
        assertThat(r.verified()).isEqualTo(1);
        assertThat(backend.provisioned()).containsOnlyKeys("a1", "lost-1");
        assertThat(forwarder.connected()).containsOnlyKeys("a1", "lost-1");
        assertThat(backend.calls()).as("the sweep still reads what is there").contains("sweep");
        assertThat(reconciler.orphansKept()).containsExactly("lost-1");

        backend.lose("lost-1");
        forwarder.disconnect(forwarder.crossConnectOf("lost-1").orElseThrow());
        reconciler.pass();
        assertThat(reconciler.orphansKept()).as("once gone, no longer reported").isEmpty();
    }

    @Test
    void sweepRemovesThem() throws Exception {
        onDevices(Fixtures.stored("lost-1", Phase.APPLIED, LATER));
        Reconciler reconciler = reconciler(OrphanFilter.decide(OrphanPolicy.SWEEP, false), InMemoryConnectionStore.with());

        assertThat(reconciler.startup().orphansRemoved()).isEqualTo(2);
        assertThat(backend.provisioned()).isEmpty();
        assertThat(forwarder.connected()).isEmpty();
        assertThat(reconciler.orphansKept()).isEmpty();
    }

    @Test
    void withoutASettingAStoreThatNeverHeldAConnectionKeepsAndAUsedOneSweeps() {
        assertThat(OrphanFilter.decide(null, false).policy()).isEqualTo(OrphanPolicy.KEEP);
        assertThat(OrphanFilter.decide(null, true).policy()).isEqualTo(OrphanPolicy.SWEEP);
        assertThat(OrphanFilter.decide(OrphanPolicy.SWEEP, false).policy()).isEqualTo(OrphanPolicy.SWEEP);
        assertThat(OrphanFilter.decide(OrphanPolicy.KEEP, true).policy()).isEqualTo(OrphanPolicy.KEEP);
    }

    @Test
    void objectsOfARecordTheStoreCouldNotReadAreNeverSwept() throws Exception {
        onDevices(Fixtures.stored("damaged-1", Phase.APPLIED, LATER));
        onDevices(Fixtures.stored("lost-1", Phase.APPLIED, LATER));
        Reconciler reconciler = reconciler(OrphanFilter.decide(OrphanPolicy.SWEEP, true),
                InMemoryConnectionStore.with().used().quarantine("damaged-1"));

        assertThat(reconciler.startup().orphansRemoved()).isEqualTo(2);
        assertThat(backend.provisioned()).containsOnlyKeys("damaged-1");
        assertThat(forwarder.connected()).containsOnlyKeys("damaged-1");
    }

    @Test
    void aPolicyIsParsedFromItsSettingOrRefusedNamingTheValidOnes() {
        assertThat(OrphanPolicy.parse("keep")).isEqualTo(OrphanPolicy.KEEP);
        assertThat(OrphanPolicy.parse(" Adopt ")).isEqualTo(OrphanPolicy.ADOPT);
        assertThatThrownBy(() -> OrphanPolicy.parse("delete")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'delete'").hasMessageContaining("[sweep, keep, adopt]");
    }
}
