package io.ensm.netconf.backend;

import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.serialize.SerializeById;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.recovery.Reconciler;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Contexts;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.SimpleAllocator;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.NetconfTestbedExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A box of the test bed booted with a fleet's sub-interfaces in its startup file (as the restart
 * benchmark prepares its boxes) holds what ensm would have written: ensm's start-up pass finds
 * every connection as it expects, repairs nothing and sweeps nothing, and the test bed's own
 * configuration is there beside them. A box without a file starts as before.
 */
@Tag("netconf-testbed")
class StartupFleetTest {
    private static final int CONNECTIONS = 40;
    private static final String SERVICE = "fleet";
    private static final String PORT = "eth1";

    @TempDir
    static Path dir;
    private static NetconfTestbed bed;
    private static List<StoredConnection> fleet;
    private static Map<String, String> settings;

    @BeforeAll
    static void bootBoxFromItsStartupFile() throws Exception {
        AppliedFleet.Endpoint box = new AppliedFleet.Endpoint("box-1", "uplink:up-1", 100);
        fleet = AppliedFleet.connections(CONNECTIONS, SERVICE, "10.80.0.0/16", List.of(box), Instant.now().plus(Duration.ofHours(1)));
        // The driver and port are what the entries depend on; the device's address comes once it runs.
        Map<String, String> rendering = Map.of("driver", "ietf", "port-name", PORT);
        Path entries = dir.resolve("box-1.xml");
        Files.writeString(entries, AppliedFleet.startupEntries(box.name(), rendering, Contexts.OWNER.name(), fleet));
        bed = NetconfTestbedExtension.startOrSkip(() -> NetconfTestbed.startOwn("startup", 2, "candidate", 18880, Map.of(1, entries)));
        settings = NetconfBackendTest.settings(bed.device(1), PORT);
        settings.put("uplink", "up-1");
        settings.put("vlans", "100-199");
    }

    @AfterAll
    static void stopBoxes() {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void theBootedBoxHoldsEveryEntryBesideTheOperatorsOwn() {
        String running = bed.independentInterfaces(1);

        assertThat(count(Pattern.compile("<description>ensm@" + Contexts.OWNER.name() + ":fleet-box-1-\\d+</description>"), running))
                .isEqualTo(CONNECTIONS);
        assertThat(running).contains("<name>eth1.4000</name>").contains("operator: management VLAN").contains("<name>eth2</name>");
        assertThat(running).doesNotContain("operation");
    }

    @Test
    void aBoxWithoutAFileStartsAsBefore() {
        String running = bed.independentInterfaces(2);

        assertThat(running).contains("<name>eth1.4000</name>").doesNotContain("ensm@");
    }

    @Test
    void ensmsStartUpPassFindsEveryConnectionAsItWroteIt() {
        EndpointSpec spec = new EndpointSpec("box-1", SERVICE, Map.of());
        ExposedEndpoint endpoint = new ExposedEndpoint(spec, new NetconfBackendProvider().create(Contexts.backend(spec, settings)));
        try (ExpiryTimers timers = new ExpiryTimers(Clock.systemUTC())) {
            Catalog catalog = new Catalog(List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of("10.80.0.0/16"), List.of())),
                    List.of(endpoint), null);
            ConnectionTable table = new ConnectionTable(InMemoryConnectionStore.with(fleet.toArray(StoredConnection[]::new)));
            table.load();
            Reconciler reconciler = new Reconciler(table, catalog, new SimpleAllocator(), new Provisioner(null), timers,
                    Clock.systemUTC(), id -> {}, new SerializeById(Duration.ofSeconds(30))::exclusive);

            Reconciler.Report start = reconciler.startup();

            assertThat(start.verified()).isEqualTo(CONNECTIONS);
            assertThat(start.repaired() + start.failed() + start.orphansRemoved()).isZero();
            assertThat(((NetconfBackend) endpoint.backend()).reads()).as("get-configs of the box's port").isEqualTo(1);
        } finally {
            endpoint.backend().close();
        }
    }

    private static long count(Pattern p, String text) {
        Matcher m = p.matcher(text);
        long n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
