package io.ensm.netconf.backend;

import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.provision.Provision;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.serialize.SerializeById;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.recovery.Reconciler;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.SimpleAllocator;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.session.SessionPool;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.NetconfTestbedExtension;
import io.ensm.netconf.testbed.TestSubInterface;
import io.ensm.netconf.testbed.TestSubInterfaceCodec;
import io.ensm.netconf.transaction.TransactionRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reconciliation passes over 200 connections on two real netconfd boxes: each pass reads each box
 * once (one get-config of its port, shared by the read-backs and the orphan sweep), not once per
 * connection. The short form of the restart benchmark (docs/benchmarks.md).
 */
@Tag("netconf-testbed")
class ReconcileReadsTest {
    private static final int CONNECTIONS = 200;
    private static final String SERVICE = "fleet";
    private static final String PORT = "eth0";

    private static NetconfTestbed bed;
    private final List<ExposedEndpoint> endpoints = new ArrayList<>();
    private final ExpiryTimers timers = new ExpiryTimers(Clock.systemUTC());
    private List<StoredConnection> fleet;
    private Catalog catalog;

    @BeforeAll
    static void startBoxes() {
        // A test bed of its own: nothing of other tests on the boxes, so every read is this test's.
        bed = NetconfTestbedExtension.startOrSkip(() -> NetconfTestbed.startOwn("reads", 2, "candidate", 18820));
    }

    @AfterAll
    static void stopBoxes() {
        if (bed != null) {
            bed.close();
        }
    }

    @BeforeEach
    void landFleet() throws Exception {
        List<AppliedFleet.Endpoint> layout = new ArrayList<>();
        List<Map<String, String>> settings = new ArrayList<>();
        for (int box = 1; box <= 2; box++) {
            Map<String, String> s = NetconfBackendTest.settings(bed.device(box), PORT);
            s.put("uplink", "up-" + box);
            s.put("vlans", "2000-2199");
            EndpointSpec spec = new EndpointSpec("box-" + box, SERVICE, Map.of());
            endpoints.add(new ExposedEndpoint(spec, new NetconfBackendProvider().create(io.ensm.core.testing.Contexts.backend(spec, s))));
            layout.add(new AppliedFleet.Endpoint(spec.name(), "uplink:up-" + box, 2000));
            settings.add(s);
        }
        catalog = new Catalog(List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of("10.80.0.0/16"), List.of())), endpoints, null);
        fleet = AppliedFleet.connections(CONNECTIONS, SERVICE, "10.80.0.0/16", layout, Instant.now().plus(Duration.ofHours(1)));
        for (int i = 0; i < endpoints.size(); i++) {
            AppliedFleet.land(endpoints.get(i).name(), settings.get(i), io.ensm.core.testing.Contexts.OWNER.name(), fleet);
        }
    }

    @AfterEach
    void clearBoxes() throws Exception {
        timers.close();
        try {
            for (ExposedEndpoint e : endpoints) {
                e.backend().removeOrphans(id -> false);
            }
        } finally {
            endpoints.forEach(e -> e.backend().close());
        }
    }

    /** A reconciler over these stored connections, loaded as start-up loads them. */
    private Reconciler reconciler(List<StoredConnection> stored) {
        ConnectionTable table = new ConnectionTable(InMemoryConnectionStore.with(stored.toArray(StoredConnection[]::new)));
        table.load();
        return new Reconciler(table, catalog, new SimpleAllocator(), new Provisioner(null), timers, Clock.systemUTC(), id -> {},
                new SerializeById(Duration.ofSeconds(30))::exclusive);
    }

    /** The get-configs of each box's port so far, box 1 first. */
    private long[] reads() {
        return endpoints.stream().mapToLong(e -> ((NetconfBackend) e.backend()).reads()).toArray();
    }

    private static long[] since(long[] now, long[] before) {
        long[] d = new long[now.length];
        for (int i = 0; i < now.length; i++) {
            d[i] = now[i] - before[i];
        }
        return d;
    }

    @Test
    void everyPassReadsEachBoxOnceWhateverItsConnections() {
        Reconciler rec = reconciler(fleet);

        long[] before = reads();
        Reconciler.Report start = rec.startup();
        long[] afterStart = reads();
        Reconciler.Report periodic = rec.pass();
        long[] afterPass = reads();

        assertThat(start.verified()).isEqualTo(CONNECTIONS);
        assertThat(periodic.verified()).isEqualTo(CONNECTIONS);
        assertThat(start.repaired() + start.failed() + start.orphansRemoved()).isZero();
        assertThat(since(afterStart, before)).as("get-configs per box in the start-up pass").containsExactly(1, 1);
        assertThat(since(afterPass, afterStart)).as("get-configs per box in a periodic pass").containsExactly(1, 1);
    }

    @Test
    void aLostSubInterfaceIsRepairedAndAnOrphanRemovedWithAFewMoreReadsOfThatBoxOnly() throws Exception {
        StoredConnection lost = fleet.get(0);
        StoredConnection orphan = fleet.get(2);
        List<StoredConnection> stored = new ArrayList<>(fleet);
        stored.remove(orphan);
        // Someone deletes box 1's sub-interface of "lost" behind ensm's back.
        int vlan = lost.allocation().vlanId();
        SshConnector connector = new SshConnector();
        try (SessionPool other = new SessionPool(bed.config(1), connector::connect)) {
            other.withSession(s -> new TransactionRunner().run(s, List.of(new TestSubInterface(PORT, vlan, "10.80.0.1", 30, lost.id())),
                    TestSubInterfaceCodec.removing()));
        } finally {
            connector.close();
        }
        Reconciler rec = reconciler(stored);

        long[] before = reads();
        Reconciler.Report r = rec.pass();
        long[] inPass = since(reads(), before);

        assertThat(r.repaired()).isEqualTo(1);
        assertThat(r.orphansRemoved()).isEqualTo(1);
        assertThat(r.verified()).isEqualTo(CONNECTIONS - 2);
        ExposedEndpoint box1 = endpoints.getFirst();
        assertThat(box1.backend().verify(Provision.intentOf(lost, box1))).hasToString("PRESENT");
        assertThat(TestSubInterfaceCodec.parse(bed.independentInterfaces(1))).doesNotContainKey(PORT + "." + orphan.allocation().vlanId());
        assertThat(inPass).as("box 1: the pass's read, the lost one's own read, the sweep's read; box 2: one")
                .containsExactly(3, 1);
    }
}
