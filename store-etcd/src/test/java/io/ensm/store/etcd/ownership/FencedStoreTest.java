package io.ensm.store.etcd.ownership;

import io.ensm.core.store.Phase;
import io.ensm.core.store.StoreException;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Fixtures;
import io.ensm.store.etcd.EtcdConnectionStore;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdSettings;
import io.ensm.store.etcd.client.Fence;
import io.ensm.store.etcd.client.Lease;
import io.ensm.store.etcd.client.TxnOutcome;
import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A replica that lost its endpoint without noticing (paused past its lease while another took the
 * endpoint over) writes with its old fence: etcd refuses every such write and the record stays as
 * the new holder left it.
 */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class FencedStoreTest {
    private final EtcdCluster cluster;
    private EtcdClient client;
    private String prefix;
    private String ownerKey;

    FencedStoreTest(EtcdCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void setUp() {
        client = EtcdClient.connect(EtcdSettings.of(cluster.endpoints()));
        prefix = "/test/fenced/" + System.nanoTime();
        ownerKey = prefix + "/ensm-test/owners/" + Fixtures.ENDPOINT;
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    private long own(String replica) {
        Lease lease = client.grant(Duration.ofSeconds(30));
        TxnOutcome r = client.createIfAbsent(ownerKey, replica.getBytes(StandardCharsets.UTF_8), lease.id());
        assertThat(r).isInstanceOf(TxnOutcome.Done.class);
        return ((TxnOutcome.Done) r).revision();
    }

    private EtcdConnectionStore storeWith(long fence) {
        return new EtcdConnectionStore(client, prefix, "ensm-test", false, Clock.systemUTC(),
                endpoint -> Optional.of(new Fence(ownerKey, fence)));
    }

    @Test
    void everyWriteOfTheOldHolderIsRefusedOnceTheEndpointChangedHands() {
        long old = own("ensm-a");
        EtcdConnectionStore stale = storeWith(old);
        StoredConnection c = Fixtures.stored("conn-1", Phase.APPLIED, Instant.now().plusSeconds(600));
        stale.put(c);

        client.delete(ownerKey); // ensm-a's lease ran out while it was paused
        long now = own("ensm-b");
        EtcdConnectionStore current = storeWith(now);
        StoredConnection refreshedByB = c.refreshed(Instant.now().plusSeconds(900), c.connection());
        current.put(refreshedByB);

        assertThatThrownBy(() -> stale.put(c.withPhase(Phase.RELEASING))).isInstanceOf(StoreException.class)
                .hasMessageContaining("no longer holds").hasMessageContaining("at fence " + now);
        assertThatThrownBy(() -> stale.refresh("conn-1", Instant.now(), c.connection())).isInstanceOf(StoreException.class)
                .hasMessageContaining("no longer holds");
        assertThatThrownBy(() -> stale.delete("conn-1")).isInstanceOf(StoreException.class).hasMessageContaining("no longer holds");
        StoredConnection left = current.get("conn-1").orElseThrow();
        assertThat(left.phase()).as("as the new holder left it").isEqualTo(Phase.APPLIED);
        assertThat(left.expires()).isEqualTo(refreshedByB.expires().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    @Test
    void refreshesHandedOverTogetherByTheOldHolderAreAllRefusedAndNoneIsWritten() {
        long old = own("ensm-a");
        EtcdConnectionStore stale = storeWith(old);
        List<StoredConnection> rows = java.util.stream.IntStream.range(0, 5)
                .mapToObj(i -> Fixtures.stored("conn-" + i, Phase.APPLIED, Instant.now().plusSeconds(600))).toList();
        rows.forEach(stale::put);

        client.delete(ownerKey);
        own("ensm-b");
        var refused = stale.refreshAll(rows.stream().map(r -> r.refreshed(Instant.now().plusSeconds(900), r.connection())).toList());

        assertThat(refused).as("every refresh of the batch refused").containsOnlyKeys(rows.stream().map(StoredConnection::id).toList());
        assertThat(refused.values()).allSatisfy(e -> assertThat(e).hasMessageContaining("no longer holds"));
        for (StoredConnection r : rows) {
            assertThat(stale.get(r.id()).orElseThrow().expires()).as("unchanged").isEqualTo(r.expires().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        }
    }

    @Test
    void aHoldIsConfirmedWhileItLastsAndRefusedOnceTheEndpointChangedHands() {
        long old = own("ensm-a");
        EtcdConnectionStore stale = storeWith(old);
        stale.confirmHold(Fixtures.ENDPOINT);

        client.delete(ownerKey);
        assertThatThrownBy(() -> stale.confirmHold(Fixtures.ENDPOINT)).isInstanceOf(StoreException.class)
                .hasMessageContaining("no longer holds endpoint '" + Fixtures.ENDPOINT + "'");
        long now = own("ensm-b");
        storeWith(now).confirmHold(Fixtures.ENDPOINT);
        assertThatThrownBy(() -> stale.confirmHold(Fixtures.ENDPOINT)).isInstanceOf(StoreException.class);
    }

    @Test
    void aReplicaThatHoldsNoFenceForTheEndpointWritesNothing() {
        EtcdConnectionStore none = new EtcdConnectionStore(client, prefix, "ensm-test", false, Clock.systemUTC(), endpoint -> Optional.empty());
        assertThatThrownBy(() -> none.put(Fixtures.stored("conn-2", Phase.PENDING, Instant.now().plusSeconds(60))))
                .isInstanceOf(StoreException.class).hasMessageContaining("does not hold endpoint '" + Fixtures.ENDPOINT + "'");
        assertThat(client.range(prefix + "/ensm-test/connections/").entries()).isEmpty();
    }
}
