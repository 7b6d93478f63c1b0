package io.ensm.store.etcd.client;

import io.ensm.store.etcd.client.LeaseKeeper.State;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** The lease keeper against member failures of the real cluster. */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class LeaseKeeperTest {
    private static final Duration TTL = Duration.ofSeconds(3);

    private final EtcdCluster cluster;
    private final List<AutoCloseable> closeables = new java.util.ArrayList<>();
    private EtcdClient observer;
    private String prefix;

    LeaseKeeperTest(EtcdCluster cluster) {
        this.cluster = cluster;
    }

    record Change(State from, State to, long at, String reason) {}

    static final class Recorder implements LeaseKeeper.Listener {
        final List<Change> changes = new CopyOnWriteArrayList<>();

        @Override
        public void changed(LeaseKeeper keeper, State from, State to, String reason) {
            changes.add(new Change(from, to, System.nanoTime(), reason));
        }

        Change first(State to) {
            return changes.stream().filter(c -> c.to() == to).findFirst().orElseThrow(() -> new AssertionError("never " + to + ": " + changes));
        }
    }

    @BeforeEach
    void setUp(TestInfo test) {
        observer = open(EtcdSettings.of(cluster.endpoints()));
        prefix = "/test/lease/" + test.getTestMethod().orElseThrow().getName() + "/" + System.nanoTime() + "/";
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
        cluster.heal();
    }

    private EtcdClient open(EtcdSettings settings) {
        EtcdClient c = EtcdClient.connect(settings);
        closeables.add(c);
        return c;
    }

    private LeaseKeeper keep(EtcdClient client, Duration ttl, Recorder recorder) {
        LeaseKeeper k = client.keepAlive(ttl, recorder);
        closeables.add(k);
        return k;
    }

    @Test
    void survivesKillingTheMemberItStreamsTo() {
        int member = cluster.follower();
        EtcdClient client = open(EtcdSettings.of(cluster.endpointsStartingWith(member)));
        Recorder recorder = new Recorder();
        LeaseKeeper keeper = keep(client, TTL, recorder);
        client.put(prefix + "owner", bytes("replica-a"), keeper.id());
        await("two renewals", Duration.ofSeconds(5), () -> keeper.renewals() >= 2);
        assertThat(keeper.streamMember()).isEqualTo(cluster.endpoint(member).toString());

        long before = keeper.renewals();
        cluster.kill(member);
        sleep(TTL);

        assertThat(recorder.changes).as("state changes while the member it streamed to died").isEmpty();
        assertThat(keeper.state()).isEqualTo(State.VALID);
        assertThat(keeper.renewals() - before).as("renewals in a TTL").isGreaterThanOrEqualTo(2);
        assertThat(keeper.streamMember()).isNotEmpty().isNotEqualTo(cluster.endpoint(member).toString());
        assertThat(observer.get(prefix + "owner")).isPresent();
        assertThat(observer.timeToLive(keeper.id())).isPresent();
    }

    @Test
    void survivesAPausedMemberThatKeepsItsConnectionOpen() {
        int member = cluster.follower();
        EtcdClient client = open(EtcdSettings.of(cluster.endpointsStartingWith(member)));
        Recorder recorder = new Recorder();
        LeaseKeeper keeper = keep(client, TTL, recorder);
        await("a renewal", Duration.ofSeconds(5), () -> keeper.renewals() >= 1);
        assertThat(keeper.streamMember()).isEqualTo(cluster.endpoint(member).toString());

        long before = keeper.renewals();
        cluster.pause(member);
        sleep(TTL);

        assertThat(recorder.changes).as("state changes while the member it streamed to hung").isEmpty();
        assertThat(keeper.renewals() - before).as("renewals in a TTL").isGreaterThanOrEqualTo(2);
        assertThat(keeper.streamMember()).isNotEqualTo(cluster.endpoint(member).toString());
        assertThat(observer.timeToLive(keeper.id())).isPresent();
    }

    @Test
    void withoutKeepAliveTheLeaseTurnsUncertainAtHalfItsTtlLostAtItsTtlAndItsKeysVanish() {
        Duration ttl = Duration.ofSeconds(2);
        int member = cluster.follower();
        // A client that knows only this member: once it hangs, no renewal reaches etcd.
        EtcdClient client = open(EtcdSettings.of(List.of(cluster.endpoint(member))).withCallTimeout(Duration.ofSeconds(1))
                .withAttemptTimeout(Duration.ofMillis(500)));
        Recorder recorder = new Recorder();
        LeaseKeeper keeper = keep(client, ttl, recorder);
        client.put(prefix + "owner", bytes("replica-a"), keeper.id());
        await("a renewal", Duration.ofSeconds(5), () -> keeper.renewals() >= 1);

        cluster.pause(member);
        long renewed = keeper.renewedAtNanos();
        long gone = awaitNanos("the lease's key to vanish", ttl.plusSeconds(3), () -> observer.get(prefix + "owner").isEmpty());
        await("LOST", Duration.ofSeconds(2), () -> keeper.state() == State.LOST);

        long uncertain = recorder.first(State.UNCERTAIN).at() - renewed;
        long lost = recorder.first(State.LOST).at() - renewed;
        long ttlNanos = ttl.toNanos();
        long slack = TimeUnit.MILLISECONDS.toNanos(150);
        assertThat(keeper.renewedAtNanos()).as("no renewal after the pause").isEqualTo(renewed);
        assertThat(uncertain).as("UNCERTAIN after the last renewal, ns").isBetween(ttlNanos / 2, ttlNanos / 2 + slack);
        assertThat(lost).as("LOST after the last renewal, ns").isBetween(ttlNanos, ttlNanos + slack);
        assertThat(gone).as("the key vanished only once the lease could have expired").isGreaterThan(renewed + ttlNanos);
        assertThat(recorder.changes).extracting(Change::to).containsExactly(State.UNCERTAIN, State.LOST);
        assertThat(observer.timeToLive(keeper.id())).isEmpty();
    }

    @Test
    void aLeaseRevokedInEtcdIsLostAtTheNextRenewal() {
        Recorder recorder = new Recorder();
        LeaseKeeper keeper = keep(open(EtcdSettings.of(cluster.endpoints())), TTL, recorder);
        await("a renewal", Duration.ofSeconds(5), () -> keeper.renewals() >= 1);
        observer.revoke(keeper.id());
        await("LOST", TTL, () -> keeper.state() == State.LOST);
        assertThat(recorder.changes).singleElement().satisfies(c -> {
            assertThat(c.from()).isEqualTo(State.VALID);
            assertThat(c.reason()).contains("etcd says the lease is gone");
        });
    }

    @Test
    void closeRevokesTheLeaseAndItsKeysAtOnce() {
        Recorder recorder = new Recorder();
        EtcdClient client = open(EtcdSettings.of(cluster.endpoints()));
        LeaseKeeper keeper = client.keepAlive(Duration.ofSeconds(30), recorder);
        client.put(prefix + "owner", bytes("replica-a"), keeper.id());
        keeper.close();
        assertThat(keeper.state()).isEqualTo(State.LOST);
        assertThat(observer.get(prefix + "owner")).isEmpty();
        assertThat(recorder.changes).extracting(Change::reason).containsExactly("closed");
    }

    /**
     * No member can renew until a new leader is elected: 1 to 2 s with etcd's default election
     * timeout, more on a busy machine or after a split vote. A lease of the default TTL (5 s)
     * outlasts that; one of 3 s may not, and is then rightly given up.
     */
    @Test
    void killingTheLeaderNeverLosesALeaseOfTheDefaultTtl() {
        Duration ttl = Duration.ofSeconds(5);
        Recorder recorder = new Recorder();
        LeaseKeeper keeper = keep(open(EtcdSettings.of(cluster.endpointsStartingWith(cluster.leader()))), ttl, recorder);
        await("a renewal", Duration.ofSeconds(5), () -> keeper.renewals() >= 1);
        cluster.kill(cluster.leader());
        sleep(ttl);
        assertThat(recorder.changes).extracting(Change::to).doesNotContain(State.LOST);
        assertThat(keeper.state()).isEqualTo(State.VALID);
        assertThat(observer.timeToLive(keeper.id())).isPresent();
    }

    /**
     * A hung leader costs more than a dead one: followers forward renewals to it and wait until a
     * new leader is elected (1 to 2 s with etcd's default election timeout). At the default TTL of
     * 5 s the keeper rides that out. The leader stays paused until the test is over: once it runs
     * again, etcd 3.4.23 itself revokes the leases it thinks expired (docs/decisions.md).
     */
    @Test
    void pausingTheLeaderNeverLosesALeaseOfTheDefaultTtl() {
        Duration ttl = Duration.ofSeconds(5);
        Recorder recorder = new Recorder();
        int leader = cluster.leader();
        LeaseKeeper keeper = keep(open(EtcdSettings.of(cluster.endpointsStartingWith(leader))), ttl, recorder);
        await("a renewal", Duration.ofSeconds(5), () -> keeper.renewals() >= 1);
        cluster.pause(leader);
        sleep(ttl);
        assertThat(recorder.changes).extracting(Change::to).doesNotContain(State.LOST);
        await("VALID", ttl, () -> keeper.state() == State.VALID);
        assertThat(observer.timeToLive(keeper.id())).isPresent();
        assertThat(cluster.leader()).isNotEqualTo(leader);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void await(String what, Duration within, BooleanSupplier condition) {
        awaitNanos(what, within, condition);
    }

    /** Waits for the condition; returns System.nanoTime when it was first seen true. */
    static long awaitNanos(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return System.nanoTime();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + within.toMillis() + " ms waiting for " + what);
            }
            sleep(Duration.ofMillis(20));
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
