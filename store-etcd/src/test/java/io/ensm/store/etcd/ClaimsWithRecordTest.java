package io.ensm.store.etcd;

import io.ensm.core.alloc.Claims.Claim;
import io.ensm.core.alloc.ClaimsRefused;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoreException;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Fixtures;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdSettings;
import io.ensm.store.etcd.client.Fence;
import io.ensm.store.etcd.ownership.EtcdClaims;
import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Claims that wait for their connection's record write ({@code EtcdClaims.claimWithRecord}) on the
 * real cluster: made in the record's transaction, all or nothing with it, refused as a whole when
 * another connection holds one of them, never made by a write the fence refuses.
 */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class ClaimsWithRecordTest {
    private static final Claim VLAN_7 = new Claim("vlan/uplink-0", "7");
    private static final Claim ADDR_1 = new Claim("addresses/svc", "10.0.0.1");
    private static final Claim ADDR_2 = new Claim("addresses/svc", "10.0.0.2");

    private final EtcdCluster cluster;
    private final List<EtcdClient> clients = new ArrayList<>();
    private String prefix;

    ClaimsWithRecordTest(EtcdCluster cluster) {
        this.cluster = cluster;
    }

    /** One replica's store and claims on the shared prefix, each with a client of its own. */
    private record Replica(EtcdConnectionStore store, EtcdClaims claims) {}

    @BeforeEach
    void setUp() {
        prefix = "/test/claims-with-record/" + System.nanoTime();
    }

    @AfterEach
    void tearDown() {
        clients.getFirst().deletePrefix(prefix + "/");
        clients.forEach(EtcdClient::close);
    }

    private Replica replica(Function<String, Optional<Fence>> fences) {
        EtcdClient client = EtcdClient.connect(EtcdSettings.of(cluster.endpoints()));
        clients.add(client);
        WaitingClaims waiting = new WaitingClaims();
        EtcdConnectionStore store = new EtcdConnectionStore(client, prefix, "cluster-a", false, Clock.systemUTC(), fences, waiting);
        return new Replica(store, new EtcdClaims(client, store.base(), waiting));
    }

    private Replica replica() {
        return replica(null);
    }

    private static StoredConnection pending(String id) {
        return Fixtures.stored(id, Phase.PENDING, Instant.now().plusSeconds(600));
    }

    private Optional<String> holder(Claim c) {
        return clients.getFirst().get(prefix + "/cluster-a/claims/" + c.pool() + "/" + c.value()).map(e -> e.valueUtf8());
    }

    private boolean stored(String id) {
        return clients.getFirst().get(prefix + "/cluster-a/connections/" + id).isPresent();
    }

    @Test
    void theClaimsAreMadeInTheRecordsOwnCommit() {
        Replica a = replica();
        a.store().put(pending("warm")); // the store's first record also marks it as having held one
        assertThat(a.claims().claimWithRecord("conn-a", List.of(VLAN_7, ADDR_1))).as("taken to wait for the record").isTrue();
        assertThat(holder(VLAN_7)).as("nothing is written before the record").isEmpty();

        long before = clients.getFirst().revision();
        a.store().put(pending("conn-a"));

        assertThat(clients.getFirst().revision() - before).as("commits of the record with its claims").isEqualTo(1);
        assertThat(holder(VLAN_7)).contains("conn-a");
        assertThat(holder(ADDR_1)).contains("conn-a");
        assertThat(stored("conn-a")).isTrue();
    }

    @Test
    void ofTwoReplicasRacingForOneValueOneWinsAndTheOtherIsRefusedWithNothingWritten() throws Exception {
        Replica a = replica();
        Replica b = replica();
        for (int t = 0; t < 10; t++) {
            int trial = t;
            Claim vlan = new Claim("vlan/uplink-0", Integer.toString(100 + trial));
            Claim own = new Claim("addresses/svc", "10.1.0." + trial);
            a.claims().claimWithRecord("a-" + trial, List.of(vlan));
            b.claims().claimWithRecord("b-" + trial, List.of(own, vlan));
            CyclicBarrier start = new CyclicBarrier(2);
            Future<?> fa;
            Future<?> fb;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                fa = pool.submit(() -> {
                    start.await();
                    a.store().put(pending("a-" + trial));
                    return null;
                });
                fb = pool.submit(() -> {
                    start.await();
                    b.store().put(pending("b-" + trial));
                    return null;
                });
            }
            Throwable ea = failure(fa);
            Throwable eb = failure(fb);
            assertThat(ea == null ^ eb == null).as("exactly one of the writes applies (trial %d: %s, %s)", trial, ea, eb).isTrue();
            String winner = ea == null ? "a-" + trial : "b-" + trial;
            String loser = ea == null ? "b-" + trial : "a-" + trial;
            Throwable lost = ea == null ? eb : ea;
            assertThat(lost).isInstanceOf(ClaimsRefused.class).hasMessageContaining(loser).hasMessageContaining("nothing was written");
            assertThat(((ClaimsRefused) lost).refused()).containsExactly(vlan);
            assertThat(holder(vlan)).contains(winner);
            assertThat(stored(winner)).isTrue();
            assertThat(stored(loser)).as("the refused record").isFalse();
            assertThat(holder(own)).as("the loser's other value").isEqualTo(winner.startsWith("b") ? Optional.of(winner) : Optional.empty());
        }
    }

    private static Throwable failure(Future<?> f) {
        try {
            f.get();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void valuesTheConnectionHoldsAlreadyAreItsOwnAndTheRestAreMadeWithTheRecord() {
        Replica a = replica();
        assertThat(a.claims().claim("conn-a", List.of(VLAN_7))).isEmpty();
        a.claims().claimWithRecord("conn-a", List.of(VLAN_7, ADDR_1));
        a.store().put(pending("conn-a"));
        assertThat(holder(VLAN_7)).contains("conn-a");
        assertThat(holder(ADDR_1)).contains("conn-a");
        assertThat(stored("conn-a")).isTrue();
    }

    @Test
    void aWriteTheFenceRefusesMakesNoClaim() {
        Replica a = replica(endpoint -> Optional.of(new Fence(prefix + "/cluster-a/owners/gone", 5)));
        a.claims().claimWithRecord("conn-a", List.of(VLAN_7, ADDR_2));
        StoreException e = catchThrowableOfType(StoreException.class, () -> a.store().put(pending("conn-a")));
        assertThat(e).isNotInstanceOf(ClaimsRefused.class).hasMessageContaining("no longer holds the endpoint");
        assertThat(holder(VLAN_7)).isEmpty();
        assertThat(holder(ADDR_2)).isEmpty();
        assertThat(stored("conn-a")).isFalse();
    }

    @Test
    void releasedClaimsNoLongerWaitForTheRecord() {
        Replica a = replica();
        a.claims().claimWithRecord("conn-a", List.of(VLAN_7));
        a.claims().release("conn-a", List.of(VLAN_7));
        a.store().put(pending("conn-a"));
        assertThat(holder(VLAN_7)).isEmpty();
        assertThat(stored("conn-a")).isTrue();
    }
}
