package io.ensm.store.etcd.client;

import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every operation of the client against the real three-member cluster. */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class EtcdClientTest {
    private final EtcdCluster cluster;
    private EtcdClient client;
    private String prefix;

    EtcdClientTest(EtcdCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void connect(TestInfo test) {
        client = EtcdClient.connect(EtcdSettings.of(cluster.endpoints()));
        prefix = "/test/client/" + test.getTestMethod().orElseThrow().getName() + "/" + System.nanoTime() + "/";
    }

    @AfterEach
    void close() {
        client.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putGetDeleteAndRevisions() {
        String key = prefix + "a";
        assertThat(client.get(key)).isEmpty();
        long r1 = client.put(key, b("one"));
        Entry e1 = client.get(key).orElseThrow();
        assertThat(e1.valueUtf8()).isEqualTo("one");
        assertThat(e1.createRevision()).isEqualTo(r1);
        assertThat(e1.modRevision()).isEqualTo(r1);
        assertThat(e1.version()).isEqualTo(1);
        assertThat(e1.lease()).isZero();

        long r2 = client.put(key, b("two"));
        assertThat(r2).isGreaterThan(r1);
        Entry e2 = client.get(key).orElseThrow();
        assertThat(e2.valueUtf8()).isEqualTo("two");
        assertThat(e2.createRevision()).isEqualTo(r1);
        assertThat(e2.modRevision()).isEqualTo(r2);
        assertThat(e2.version()).isEqualTo(2);
        assertThat(client.revision()).isGreaterThanOrEqualTo(r2);

        assertThat(client.delete(key)).isTrue();
        assertThat(client.delete(key)).isFalse();
        assertThat(client.get(key)).isEmpty();
    }

    @Test
    void rangeReadsEveryKeyUnderThePrefixInPagesAtOneRevision() {
        for (int i = 0; i < 25; i++) {
            client.put(prefix + String.format("k%02d", i), b("v" + i));
        }
        // a key that shares the prefix's text but not the prefix, and one beside it
        client.put(prefix.substring(0, prefix.length() - 1) + "x", b("outside"));
        client.put(prefix.substring(0, prefix.length() - 1) + "0", b("outside"));

        Snapshot paged = client.range(prefix, 10);
        assertThat(paged.entries()).extracting(Entry::key)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 25).mapToObj(i -> prefix + String.format("k%02d", i)).toList());
        assertThat(paged.entries().get(7).valueUtf8()).isEqualTo("v7");
        assertThat(paged.revision()).isGreaterThanOrEqualTo(paged.entries().stream().mapToLong(Entry::modRevision).max().orElseThrow());
        assertThat(client.range(prefix).entries()).isEqualTo(paged.entries());

        assertThat(client.deletePrefix(prefix)).isEqualTo(25);
        assertThat(client.range(prefix).entries()).isEmpty();
        assertThat(client.get(prefix.substring(0, prefix.length() - 1) + "x")).isPresent();
    }

    @Test
    void createIfAbsentCreatesOnceThenReportsTheExistingKey() {
        String key = prefix + "alloc/10.0.0.7";
        TxnOutcome first = client.createIfAbsent(key, b("replica-a"), 0);
        assertThat(first).isInstanceOf(TxnOutcome.Done.class);
        TxnOutcome second = client.createIfAbsent(key, b("replica-b"), 0);
        assertThat(second).isInstanceOfSatisfying(TxnOutcome.Exists.class, e -> {
            assertThat(e.current().valueUtf8()).isEqualTo("replica-a");
            assertThat(e.current().createRevision()).isEqualTo(((TxnOutcome.Done) first).revision());
        });
        assertThat(client.get(key).orElseThrow().valueUtf8()).isEqualTo("replica-a");
    }

    @Test
    void createIfAbsentRaceBetweenTwoClientsHasExactlyOneWinnerEachRound() throws Exception {
        int rounds = 40;
        try (EtcdClient other = EtcdClient.connect(EtcdSettings.of(cluster.endpointsStartingWith(2)));
             ExecutorService pool = Executors.newFixedThreadPool(2)) {
            CyclicBarrier barrier = new CyclicBarrier(2);
            List<EtcdClient> clients = List.of(client, other);
            for (int round = 0; round < rounds; round++) {
                String key = prefix + "race/" + round;
                List<Future<TxnOutcome>> outcomes = new java.util.ArrayList<>();
                for (int c = 0; c < 2; c++) {
                    EtcdClient me = clients.get(c);
                    byte[] value = b("client-" + c);
                    outcomes.add(pool.submit(() -> {
                        barrier.await(5, TimeUnit.SECONDS);
                        return me.createIfAbsent(key, value, 0);
                    }));
                }
                TxnOutcome a = outcomes.get(0).get(10, TimeUnit.SECONDS);
                TxnOutcome z = outcomes.get(1).get(10, TimeUnit.SECONDS);
                long done = java.util.stream.Stream.of(a, z).filter(o -> o instanceof TxnOutcome.Done).count();
                assertThat(done).as("winners of round %d: %s, %s", round, a, z).isEqualTo(1);
                String winner = a instanceof TxnOutcome.Done ? "client-0" : "client-1";
                assertThat(client.get(key).orElseThrow().valueUtf8()).isEqualTo(winner);
                TxnOutcome loser = a instanceof TxnOutcome.Done ? z : a;
                assertThat(((TxnOutcome.Exists) loser).current().valueUtf8()).isEqualTo(winner);
            }
        }
    }

    @Test
    void fencedWritesApplyOnlyWhileTheOwnerKeyHasTheTokensCreateRevision() {
        String owner = prefix + "owners/box-1";
        TxnOutcome claimed = client.createIfAbsent(owner, b("replica-a"), 0);
        Fence fence = new Fence(owner, ((TxnOutcome.Done) claimed).revision());

        assertThat(client.fencedPut(fence, prefix + "conn/1", b("c1"), 0)).isInstanceOf(TxnOutcome.Done.class);
        assertThat(client.fencedCreate(fence, prefix + "vlan/100", b("c1"), 0)).isInstanceOf(TxnOutcome.Done.class);
        assertThat(client.fencedCreate(fence, prefix + "vlan/100", b("c2"), 0)).isInstanceOf(TxnOutcome.Exists.class);
        assertThat(client.fencedDelete(fence, prefix + "conn/1")).isInstanceOf(TxnOutcome.Done.class);
        assertThat(client.get(prefix + "conn/1")).isEmpty();
        client.put(prefix + "conn/2", b("c2"));

        // The owner key changes hands: created again, so with a new create revision.
        client.delete(owner);
        assertThat(client.fencedPut(fence, prefix + "conn/1", b("stale"), 0))
                .isEqualTo(new TxnOutcome.Fenced(fence, 0));
        long newToken = ((TxnOutcome.Done) client.createIfAbsent(owner, b("replica-b"), 0)).revision();
        assertThat(client.fencedPut(fence, prefix + "conn/1", b("stale"), 0)).isEqualTo(new TxnOutcome.Fenced(fence, newToken));
        assertThat(client.fencedDelete(fence, prefix + "conn/2")).isEqualTo(new TxnOutcome.Fenced(fence, newToken));
        assertThat(client.fencedCreate(fence, prefix + "vlan/101", b("stale"), 0)).isEqualTo(new TxnOutcome.Fenced(fence, newToken));
        assertThat(client.get(prefix + "conn/1")).isEmpty();
        assertThat(client.get(prefix + "conn/2")).isPresent();
        assertThat(client.get(prefix + "vlan/101")).isEmpty();

        Fence current = new Fence(owner, newToken);
        assertThat(client.fencedPut(current, prefix + "conn/1", b("fresh"), 0)).isInstanceOf(TxnOutcome.Done.class);
        assertThat(client.get(prefix + "conn/1").orElseThrow().valueUtf8()).isEqualTo("fresh");
    }

    @Test
    void leasesBindKeysAndRevokingDeletesThem() {
        Lease lease = client.grant(Duration.ofSeconds(30));
        assertThat(lease.id()).isNotZero();
        assertThat(lease.ttl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(client.timeToLive(lease.id())).hasValueSatisfying(t -> assertThat(t).isBetween(Duration.ofSeconds(28), Duration.ofSeconds(30)));

        client.put(prefix + "owned", b("x"), lease.id());
        assertThat(client.createIfAbsent(prefix + "owners/box-1", b("replica-a"), lease.id())).isInstanceOf(TxnOutcome.Done.class);
        assertThat(client.get(prefix + "owned").orElseThrow().lease()).isEqualTo(lease.id());

        assertThat(client.revoke(lease.id())).isTrue();
        assertThat(client.get(prefix + "owned")).isEmpty();
        assertThat(client.get(prefix + "owners/box-1")).isEmpty();
        assertThat(client.timeToLive(lease.id())).isEmpty();
        assertThat(client.revoke(lease.id())).as("revoking a lease etcd no longer knows").isFalse();
    }

    @Test
    void aPutWithAnUnknownLeaseIsRefusedWithEtcdsReason() {
        assertThatThrownBy(() -> client.put(prefix + "k", b("v"), 0x7777_0000_1234L))
                .isInstanceOfSatisfying(EtcdException.class, e -> assertThat(e.kind()).isEqualTo(EtcdException.Kind.REFUSED))
                .hasMessageContaining("put " + prefix + "k")
                .hasMessageContaining("requested lease not found");
        assertThat(client.get(prefix + "k")).isEmpty();
    }

    @Test
    void badInputIsRefusedBeforeAnyCall() {
        assertThatThrownBy(() -> client.put("", b("v"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> new Fence(prefix + "o", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EtcdSettings.parse("127.0.0.1:2379")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected http://host:port");
        assertThatThrownBy(() -> EtcdSettings.parse("https://127.0.0.1:2379,http://127.0.0.1:2380"))
                .hasMessageContaining("mix http:// and https://");
        assertThatThrownBy(() -> EtcdSettings.parse("http://127.0.0.1:2379").withTls(EtcdTls.DEFAULT)).hasMessageContaining("http://");
        assertThatThrownBy(() -> EtcdSettings.parse(" , ")).hasMessageContaining("none given");
    }

    @Test
    void statusNamesTheSameLeaderAsTheTestBed() {
        List<MemberStatus> statuses = client.statuses();
        assertThat(statuses).hasSize(EtcdCluster.MEMBERS);
        assertThat(statuses).allSatisfy(s -> assertThat(s.version()).startsWith("3."));
        assertThat(statuses).filteredOn(MemberStatus::leader).hasSize(1);
        long leaderId = statuses.getFirst().leaderId();
        assertThat(statuses).allSatisfy(s -> assertThat(s.leaderId()).isEqualTo(leaderId));
        assertThat(client.leader()).contains(cluster.endpoint(cluster.leader()).toString());
    }

    @Test
    void aClientWithOnlyDeadEndpointsFailsWithinItsDeadlineNamingEveryMember() {
        EtcdSettings settings = EtcdSettings.parse("http://127.0.0.1:1,http://127.0.0.1:2").withCallTimeout(Duration.ofMillis(800));
        try (EtcdClient dead = EtcdClient.connect(settings)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> dead.put(prefix + "k", b("v")))
                    .isInstanceOfSatisfying(EtcdException.class, e -> assertThat(e.kind()).isEqualTo(EtcdException.Kind.UNAVAILABLE))
                    .hasMessageContaining("127.0.0.1:1").hasMessageContaining("127.0.0.1:2").hasMessageContaining("800 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
        }
    }
}
