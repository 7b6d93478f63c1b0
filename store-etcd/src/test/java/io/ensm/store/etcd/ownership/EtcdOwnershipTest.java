package io.ensm.store.etcd.ownership;

import io.ensm.core.replica.Ownership;
import io.ensm.core.replica.Rendezvous;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.LeaseKeeper;
import io.ensm.store.etcd.client.EtcdSettings;
import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Replicas sharing endpoints through owner keys on the real etcd cluster. */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class EtcdOwnershipTest {
    private static final Duration TTL = Duration.ofSeconds(2);
    private static final List<String> ENDPOINTS = IntStream.range(0, 9).mapToObj(i -> "box-" + i).toList();

    private final EtcdCluster cluster;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<String, Replica> replicas = new LinkedHashMap<>();
    private String base;

    EtcdOwnershipTest(EtcdCluster cluster) {
        this.cluster = cluster;
    }

    /** One replica: its client, its ownership, what its listener heard. */
    private record Replica(String name, EtcdClient client, EtcdOwnership ownership, List<String> heard) {
        boolean holds(String endpoint) {
            return ownership.hold(endpoint).isPresent();
        }
    }

    @BeforeEach
    void setUp(TestInfo test) {
        base = "/test/ownership/" + test.getTestMethod().orElseThrow().getName() + "/" + System.nanoTime() + "/";
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // already closed by the test
            }
        }
    }

    private Replica start(String name) {
        EtcdClient client = EtcdClient.connect(EtcdSettings.of(cluster.endpoints()));
        open.add(client);
        return start(name, client);
    }

    private Replica start(String name, EtcdClient client) {
        EtcdOwnership ownership = new EtcdOwnership(client, base, new Ownership.Replica(name, "tcp://" + name + ":5003"), TTL);
        open.add(ownership);
        List<String> heard = new CopyOnWriteArrayList<>();
        ownership.start(ENDPOINTS, new Ownership.Listener() {
            @Override
            public void acquired(Ownership.Hold hold) {
                heard.add("+" + hold.endpoint() + "@" + hold.fence());
            }

            @Override
            public void lost(String endpoint, String reason) {
                heard.add("-" + endpoint);
            }
        });
        Replica r = new Replica(name, client, ownership, heard);
        replicas.put(name, r);
        return r;
    }

    /** Holder of each endpoint, asserting there is at most one. */
    private Map<String, String> holders() {
        Map<String, String> out = new HashMap<>();
        for (String e : ENDPOINTS) {
            List<String> who = replicas.values().stream().filter(r -> r.holds(e)).map(Replica::name).toList();
            assertThat(who).as("holders of " + e).hasSizeLessThanOrEqualTo(1);
            if (!who.isEmpty()) {
                out.put(e, who.getFirst());
            }
        }
        return out;
    }

    private Map<String, String> chosen(Set<String> live) {
        Map<String, String> out = new HashMap<>();
        ENDPOINTS.forEach(e -> out.put(e, Rendezvous.choose(e, live).orElseThrow()));
        return out;
    }

    private static void await(BooleanSupplier condition, Duration within, String what) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void everyEndpointEndsWithTheReplicaRendezvousChoosesAndNeverWithTwo() {
        start("ensm-a");
        await(() -> holders().size() == ENDPOINTS.size(), Duration.ofSeconds(5), "ensm-a alone holds everything");
        start("ensm-b");
        start("ensm-c");

        Map<String, String> expected = chosen(Set.of("ensm-a", "ensm-b", "ensm-c"));
        await(() -> holders().equals(expected), Duration.ofSeconds(10), "endpoints spread as rendezvous chooses");
        assertThat(replicas.get("ensm-c").ownership().members()).containsOnlyKeys("ensm-a", "ensm-b", "ensm-c")
                .containsEntry("ensm-a", "tcp://ensm-a:5003");
        assertThat(replicas.get("ensm-a").ownership().servedBy(firstHeldBy(expected, "ensm-b")))
                .contains(new Ownership.Replica("ensm-b", "tcp://ensm-b:5003"));
    }

    @Test
    void aLeaseLostWhileTheFirstEndpointsAreTakenDoesNotFailTheStartAndIsReplacedByANewOne() {
        EtcdClient other = EtcdClient.connect(EtcdSettings.of(cluster.endpoints()));
        open.add(other);
        EtcdClient client = EtcdClient.connect(EtcdSettings.of(cluster.endpoints()));
        open.add(client);
        EtcdOwnership ownership = new EtcdOwnership(client, base, new Ownership.Replica("ensm-a", "tcp://ensm-a:5003"), TTL);
        open.add(ownership);
        long[] revoked = {0};
        // The first acquisition revokes the replica's lease, so the next owner key of the same
        // pass is refused by etcd ("requested lease not found"), as after a stall longer than the TTL.
        ownership.start(ENDPOINTS, new Ownership.Listener() {
            @Override
            public void acquired(Ownership.Hold hold) {
                if (revoked[0] == 0) {
                    revoked[0] = other.get(base + "members/ensm-a").orElseThrow().lease();
                    other.revoke(revoked[0]);
                }
            }

            @Override
            public void lost(String endpoint, String reason) {}
        });
        replicas.put("ensm-a", new Replica("ensm-a", client, ownership, List.of()));

        await(() -> holders().size() == ENDPOINTS.size(), Duration.ofSeconds(15), "every endpoint held again under a new lease");
        assertThat(revoked[0]).isNotZero();
        assertThat(other.get(base + "members/ensm-a").orElseThrow().lease()).isNotEqualTo(revoked[0]);
    }

    @Test
    void aReplicaWhoseLeaseWasLostWhileEtcdWasUnreachableJoinsAgainWhenEtcdAnswers() throws Exception {
        EtcdClient client = EtcdClient.connect(EtcdSettings.of(cluster.endpoints()));
        open.add(client);
        // calls give up after 1 s, so every attempt to join while etcd is away has failed long before it is back
        Replica a = start("ensm-a", client.withTimeout(Duration.ofSeconds(1)));
        await(() -> holders().size() == ENDPOINTS.size(), Duration.ofSeconds(5), "ensm-a holds everything");
        try {
            for (int i = 1; i <= EtcdCluster.MEMBERS; i++) {
                cluster.pause(i);
            }
            // a whole TTL without renewal, then at least one failed attempt to join again
            await(() -> a.ownership().leaseState() == LeaseKeeper.State.LOST || a.ownership().hold(ENDPOINTS.getFirst()).isEmpty(),
                    TTL.plusSeconds(2), "ensm-a gives its holds up");
            Thread.sleep(8_000);
        } finally {
            cluster.heal();
        }
        await(() -> holders().size() == ENDPOINTS.size(), Duration.ofSeconds(20), "ensm-a holds everything again");
    }

    @Test
    void aReplicaThatStopsHandsItsEndpointsOverAtOnceWithAGreaterFence() {
        start("ensm-a");
        start("ensm-b");
        Replica c = start("ensm-c");
        Map<String, String> three = chosen(Set.of("ensm-a", "ensm-b", "ensm-c"));
        await(() -> holders().equals(three), Duration.ofSeconds(10), "spread over three");
        String moved = firstHeldBy(three, "ensm-c");
        long oldFence = c.ownership().hold(moved).orElseThrow().fence();

        long stop = System.nanoTime();
        c.ownership().close();
        replicas.remove("ensm-c");
        Map<String, String> two = chosen(Set.of("ensm-a", "ensm-b"));
        await(() -> holders().equals(two), Duration.ofSeconds(3), "ensm-c's endpoints taken by the others");
        long took = (System.nanoTime() - stop) / 1_000_000;

        Replica taker = replicas.get(two.get(moved));
        assertThat(taker.ownership().hold(moved).orElseThrow().fence()).isGreaterThan(oldFence);
        assertThat(took).as("ms from a graceful stop to every endpoint held again (no lease to wait for)").isLessThan(2000);
        ENDPOINTS.stream().filter(e -> !three.get(e).equals("ensm-c"))
                .forEach(e -> assertThat(holders().get(e)).as(e + " did not move").isEqualTo(three.get(e)));
    }

    @Test
    void aReplicaCutOffFromEtcdStopsServingAndItsEndpointsMoveOnceItsLeaseExpires() {
        start("ensm-a");
        start("ensm-b");
        Replica c = start("ensm-c");
        Map<String, String> three = chosen(Set.of("ensm-a", "ensm-b", "ensm-c"));
        await(() -> holders().equals(three), Duration.ofSeconds(10), "spread over three");
        String moved = firstHeldBy(three, "ensm-c");

        long cut = System.nanoTime();
        c.client().close(); // as a crash or a partition: nothing revoked, the lease runs out
        await(() -> !c.holds(moved), TTL, "ensm-c stops serving before its lease can expire");
        long stoppedAfter = (System.nanoTime() - cut) / 1_000_000;
        replicas.remove("ensm-c");
        Map<String, String> two = chosen(Set.of("ensm-a", "ensm-b"));
        await(() -> holders().equals(two), TTL.plusSeconds(3), "ensm-c's endpoints taken by the others");
        long movedAfter = (System.nanoTime() - cut) / 1_000_000;

        assertThat(stoppedAfter).as("ms until the cut-off replica stopped serving").isLessThan(TTL.toMillis());
        assertThat(movedAfter).as("ms until another replica served").isGreaterThanOrEqualTo(stoppedAfter);
        assertThat(c.heard()).contains("-" + moved);
    }

    @Test
    void aHoldEndsOnceItsLeaseIsNoLongerSafeEvenBeforeTheKeeperHasHadTheChanceToSaySo() throws Exception {
        Replica a = start("ensm-a");
        await(() -> a.ownership().hold("box-0").isPresent(), Duration.ofSeconds(10), "ensm-a holds box-0");

        // Every carrier of virtual threads busy: the lease keeper cannot run, as when the process was
        // stopped and has just woken. Whatever asks for the hold first must hear it is gone.
        java.util.concurrent.atomic.AtomicBoolean spin = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            spinners.add(Thread.ofVirtual().start(() -> {
                while (spin.get()) {
                    Thread.onSpinWait();
                }
            }));
        }
        try {
            // past TTL/2 since the last renewal, which was sent at most TTL/3 before the spinners started
            Thread.sleep(TTL.toMillis() * 6 / 10);
            assertThat(a.ownership().hold("box-0")).as("the hold, with the lease unconfirmed for over TTL/2").isEmpty();
        } finally {
            spin.set(false);
            for (Thread t : spinners) {
                t.join();
            }
        }
    }

    @Test
    void anEndpointRemovedWhileAnUncertainLeaseSuspendedItsHoldLosesItsOwnerKeyToo() throws Exception {
        // A longer lease: etcd is paused past TTL/2 (the hold is suspended) and answers again well before TTL.
        Duration ttl = Duration.ofSeconds(6);
        EtcdClient client = EtcdClient.connect(EtcdSettings.of(cluster.endpoints()));
        open.add(client);
        EtcdOwnership ownership = new EtcdOwnership(client, base, new Ownership.Replica("ensm-a", "tcp://ensm-a:5003"), ttl);
        open.add(ownership);
        List<String> heard = new CopyOnWriteArrayList<>();
        ownership.start(List.of("found-1"), new Ownership.Listener() {
            @Override
            public void acquired(Ownership.Hold hold) {
                heard.add("+" + hold.endpoint());
            }

            @Override
            public void lost(String endpoint, String reason) {
                heard.add("-" + endpoint);
            }
        });
        await(() -> ownership.hold("found-1").isPresent(), Duration.ofSeconds(5), "ensm-a holds found-1");
        try {
            for (int i = 1; i <= EtcdCluster.MEMBERS; i++) {
                cluster.pause(i);
            }
            await(() -> heard.contains("-found-1"), ttl, "the hold suspended while the lease is uncertain");
            ownership.remove("found-1"); // the endpoint is no longer found meanwhile
            Thread.sleep(300);
        } finally {
            cluster.heal();
        }
        await(() -> ownership.leaseState() == LeaseKeeper.State.VALID, Duration.ofSeconds(5), "the lease renewed in time");
        await(() -> client.keys(base + "owners/").isEmpty(), Duration.ofSeconds(5),
                "no owner key left bound to a live lease for an endpoint nobody follows: " + client.keys(base + "owners/"));
        assertThat(ownership.servedBy("found-1")).isEmpty();
    }

    @Test
    void aReplicaWhoseMemberKeyVanishesWhileItsLeaseLivesPutsItBackAndKeepsItsShare() {
        start("ensm-a");
        start("ensm-b");
        Replica c = start("ensm-c");
        Map<String, String> three = chosen(Set.of("ensm-a", "ensm-b", "ensm-c"));
        await(() -> holders().equals(three), Duration.ofSeconds(15), "spread over three");

        // As when the deletion of its previous member key reaches it after it joined again.
        c.client().delete(base + "members/ensm-c");

        await(() -> replicas.values().stream().allMatch(r -> r.ownership().members().containsKey("ensm-c")), Duration.ofSeconds(5),
                "every replica counts ensm-c again");
        await(() -> holders().equals(three), Duration.ofSeconds(15), "the spread of three kept or restored");
    }

    @Test
    void aReplicaThatJoinsTakesOnlyItsShare() {
        start("ensm-a");
        start("ensm-b");
        Map<String, String> two = chosen(Set.of("ensm-a", "ensm-b"));
        await(() -> holders().equals(two), Duration.ofSeconds(10), "spread over two");
        Replica a = replicas.get("ensm-a");
        int heardBefore = a.heard().size();

        start("ensm-c");
        Map<String, String> three = chosen(Set.of("ensm-a", "ensm-b", "ensm-c"));
        await(() -> holders().equals(three), Duration.ofSeconds(10), "spread over three");

        List<String> lostByA = a.heard().subList(heardBefore, a.heard().size()).stream().filter(h -> h.startsWith("-")).toList();
        assertThat(lostByA).as("ensm-a gave up only what ensm-c is chosen for")
                .allMatch(h -> three.get(h.substring(1)).equals("ensm-c"));
    }

    private static String firstHeldBy(Map<String, String> spread, String replica) {
        return spread.entrySet().stream().filter(e -> e.getValue().equals(replica)).map(Map.Entry::getKey).sorted().findFirst()
                .orElseThrow(() -> new AssertionError(replica + " is chosen for none of " + ENDPOINTS + "; use more endpoints"));
    }
}
