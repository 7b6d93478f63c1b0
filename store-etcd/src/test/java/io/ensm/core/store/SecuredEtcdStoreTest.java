package io.ensm.core.store;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.replica.Ownership;
import io.ensm.core.spi.SettingsReader;
import io.ensm.core.testing.OutputCapture;
import io.ensm.core.testing.SecretScan;
import io.ensm.store.etcd.EtcdStoreProvider;
import io.ensm.store.etcd.ownership.EtcdOwnership;
import io.ensm.store.etcd.client.LeaseKeeper;
import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import io.ensm.store.etcd.testbed.EtcdClusterExtension.Secured;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@code ensm.store.type: etcd} opened as ensm opens it, against the test bed's cluster with TLS
 * (client certificates required) and etcd's auth: records, holds and the lease work, also after
 * the token expired while the replica only kept its lease alive.
 */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class SecuredEtcdStoreTest {
    private final EtcdCluster cluster;
    @TempDir
    Path dataDir;

    SecuredEtcdStoreTest(@Secured EtcdCluster cluster) {
        this.cluster = cluster;
    }

    private Map<String, String> settings(TestInfo test) {
        Map<String, String> m = new HashMap<>();
        m.put("endpoints", cluster.endpointList());
        m.put("prefix", EtcdCluster.AUTH_PREFIX + "-store-test/" + test.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime());
        m.put("lease-ttl", "3s");
        m.put("ca-file", cluster.caFile().toString());
        m.put("cert-file", cluster.clientCert().toString());
        m.put("key-file", cluster.clientKey().toString());
        m.put("username", cluster.user());
        m.put("password-file", cluster.passwordFile().toString());
        return m;
    }

    private Persistence open(Map<String, String> settings, String replica) {
        return new EtcdStoreProvider().open(new StoreContext(dataDir, new SettingsReader("the etcd store", settings), "cluster-a",
                new Ownership.Replica(replica, "tcp://" + replica + ":5003"), new SimpleMeterRegistry(), Clock.systemUTC()));
    }

    @Test
    void recordsHoldsAndTheLeaseWorkOverMutualTlsWithAuthAlsoAfterTheTokenExpired(TestInfo test) throws Exception {
        try (Persistence p = open(settings(test), "ensm-a")) {
            List<String> heard = new CopyOnWriteArrayList<>();
            p.ownership().start(List.of("box-1"), new Ownership.Listener() {
                @Override
                public void acquired(Ownership.Hold hold) {
                    heard.add("+" + hold.endpoint());
                }

                @Override
                public void lost(String endpoint, String reason) {
                    heard.add("-" + endpoint);
                }
            });
            await(() -> p.ownership().hold("box-1").isPresent(), Duration.ofSeconds(10), "the hold of box-1");
            StoredConnection row = new StoredConnection("c1", "box-1", "svc", Phase.PENDING, PlanKind.FABRIC_VLAN,
                    Allocation.NONE.withVlan("uplink-0", 200), null, 1500, null, Instant.ofEpochMilli(5), null);
            p.connections().put(row);
            assertThat(p.connections().get("c1")).isPresent();

            // Nothing but the lease's keep-alive for longer than the token lives unused.
            Thread.sleep(EtcdCluster.TOKEN_TTL.plusSeconds(1).toMillis());

            Instant later = Instant.ofEpochMilli(1_900_000_000_000L);
            p.connections().refresh("c1", later, SampleConnections.reply("refreshed"));
            assertThat(p.connections().get("c1").orElseThrow().expires()).isEqualTo(later);
            assertThat(((EtcdOwnership) p.ownership()).leaseState()).isEqualTo(LeaseKeeper.State.VALID);
            assertThat(p.ownership().hold("box-1")).isPresent();
            assertThat(heard).containsExactly("+box-1");
            p.connections().delete("c1");
            assertThat(p.connections().get("c1")).isEmpty();
        }
    }

    @Test
    void aWrongPasswordFailsTheStartNamingTheUserButNeverThePassword(TestInfo test) throws Exception {
        String wrong = SecretScan.randomSecret();
        Path file = dataDir.resolve("wrong.password");
        Files.writeString(file, wrong + "\n");
        Map<String, String> settings = settings(test);
        settings.put("password-file", file.toString());
        SecretScan scan = SecretScan.of().password("wrong password", wrong).password("right password", cluster.password().reveal());
        try (OutputCapture out = OutputCapture.start()) {
            StoreException e = catchThrowableOfType(StoreException.class, () -> open(settings, "ensm-b"));
            assertThat(e).hasMessageContaining("user '" + cluster.user() + "'")
                    .hasMessageContaining("invalid user ID or password");
            scan.assertClean("the exception", SecretScan.chain(e));
            scan.assertClean("the log", out.text());
        }
    }

    private static void await(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
