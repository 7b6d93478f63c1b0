package io.ensm.store.etcd.client;

import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.ensm.store.etcd.client.LeaseKeeperTest.bytes;
import static io.ensm.store.etcd.client.LeaseKeeperTest.sleep;
import static org.assertj.core.api.Assertions.assertThat;

/** Writes while the etcd leader dies: each ends within its deadline, and what it reports is what etcd holds. */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class LeaderChangeTest {
    private static final Duration DEADLINE = Duration.ofSeconds(2);
    private static final int WRITERS = 4;

    private final EtcdCluster cluster;

    LeaderChangeTest(EtcdCluster cluster) {
        this.cluster = cluster;
    }

    @AfterEach
    void heal() {
        cluster.heal();
    }

    /** One put as it ended. */
    record Put(String key, long startedAt, long nanos, Long revision, EtcdException error) {}

    @Test
    void killingTheLeaderDuringABurstOfPutsEndsEveryPutWithinItsDeadlineAndEveryReportHolds() throws Exception {
        String prefix = "/test/leader/" + System.nanoTime() + "/";
        int leader = cluster.leader();
        ConcurrentLinkedQueue<Put> puts = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        long killAt;
        // Every writer's first member is the leader: its puts are the ones in flight when it dies.
        try (EtcdClient client = EtcdClient.connect(EtcdSettings.of(cluster.endpointsStartingWith(leader))
                .withCallTimeout(DEADLINE).withAttemptTimeout(Duration.ofSeconds(1)))) {
            long stopAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            List<Thread> writers = new java.util.ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; System.nanoTime() < stopAt; i++) {
                        String key = prefix + writer + "/" + i;
                        long start = System.nanoTime();
                        try {
                            long rev = client.put(key, bytes(key));
                            puts.add(new Put(key, start, System.nanoTime() - start, rev, null));
                        } catch (EtcdException e) {
                            puts.add(new Put(key, start, System.nanoTime() - start, null, e));
                        } catch (Throwable t) {
                            unexpected.add(t);
                        }
                    }
                }));
            }
            sleep(Duration.ofSeconds(1));
            killAt = System.nanoTime();
            cluster.kill(leader);
            for (Thread t : writers) {
                t.join(Duration.ofSeconds(10));
            }
        }
        cluster.heal();

        assertThat(unexpected).as("failures other than EtcdException").isEmpty();
        Map<EtcdException.Kind, Long> failures = puts.stream().filter(p -> p.error() != null)
                .collect(Collectors.groupingBy(p -> p.error().kind(), Collectors.counting()));
        long slowest = puts.stream().mapToLong(Put::nanos).max().orElseThrow();
        long ok = puts.stream().filter(p -> p.error() == null).count();
        long okAfterKill = puts.stream().filter(p -> p.error() == null && p.startedAt() > killAt).count();
        System.out.printf("leader-change burst: puts=%d ok=%d ok_after_kill=%d failures=%s slowest_ms=%d%n",
                puts.size(), ok, okAfterKill, failures, TimeUnit.NANOSECONDS.toMillis(slowest));

        assertThat(Duration.ofNanos(slowest)).as("slowest put").isLessThan(DEADLINE.plusMillis(300));
        assertThat(failures.keySet()).as("failure kinds").isSubsetOf(EtcdException.Kind.UNAVAILABLE, EtcdException.Kind.OUTCOME_UNKNOWN);
        assertThat(puts).filteredOn(p -> p.error() != null)
                .allSatisfy(p -> assertThat(p.error().getMessage()).contains("put " + p.key()).contains("127.0.0.1:"));
        assertThat(okAfterKill).as("puts that succeeded after the leader died").isPositive();

        // What etcd holds agrees with every report: a success is there, an UNAVAILABLE was not applied.
        try (EtcdClient reader = EtcdClient.connect(EtcdSettings.of(cluster.endpoints()))) {
            Map<String, Entry> held = reader.range(prefix).entries().stream().collect(Collectors.toMap(Entry::key, Function.identity()));
            long unknownApplied = puts.stream().filter(p -> p.error() != null && p.error().kind() == EtcdException.Kind.OUTCOME_UNKNOWN)
                    .filter(p -> held.containsKey(p.key())).count();
            System.out.printf("leader-change burst: of the outcome-unknown puts, %d were applied%n", unknownApplied);
            // Each key was written by one put: a version above 1 would be a write sent twice.
            assertThat(held.values()).as("keys written twice").allSatisfy(e -> assertThat(e.version()).isEqualTo(1));
            for (Put p : puts) {
                if (p.error() == null) {
                    assertThat(held).as("a put reported done").containsKey(p.key());
                    assertThat(held.get(p.key()).modRevision()).isEqualTo(p.revision());
                } else if (p.error().kind() == EtcdException.Kind.UNAVAILABLE) {
                    assertThat(held).as("a put reported not applied: %s", p.error().getMessage()).doesNotContainKey(p.key());
                }
            }
        }
    }
}
