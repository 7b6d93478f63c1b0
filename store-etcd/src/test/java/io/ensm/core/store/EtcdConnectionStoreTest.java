package io.ensm.core.store;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.store.etcd.EtcdConnectionStore;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdSettings;
import io.ensm.store.etcd.record.ConnectionRecord;
import io.ensm.store.etcd.record.QuarantinedRecord;
import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static io.ensm.core.store.SampleConnections.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cases of {@link SqliteConnectionStoreTest} and of its damage test against the etcd store on
 * the real cluster. In the core's store package to share its sample records.
 */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class EtcdConnectionStoreTest {
    /** Not a protobuf message (field 15 with wire type 7). */
    static final byte[] GARBAGE = {(byte) 0xFF, 0x00, (byte) 0xFE, 0x13, 0x07};

    private final EtcdCluster cluster;
    private EtcdClient client;
    private String prefix;

    EtcdConnectionStoreTest(EtcdCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void setUp(TestInfo test) {
        client = EtcdClient.connect(EtcdSettings.of(cluster.endpoints()));
        prefix = "/test/store/" + test.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime();
    }

    @AfterEach
    void tearDown() {
        client.close();
        cluster.heal();
    }

    private EtcdConnectionStore open() {
        return new EtcdConnectionStore(client, prefix, "cluster-a");
    }

    private static void assertSameRow(StoredConnection actual, StoredConnection expected) {
        assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
    }

    @Test
    void putThenGetRoundTripsEveryFieldForEachAttachmentKindAndNulls() {
        try (EtcdConnectionStore store = open()) {
            List<StoredConnection> rows = IntStream.range(0, 12).mapToObj(SampleConnections::sample).toList();
            assertThat(rows).extracting(StoredConnection::attachment).containsAll(SampleConnections.ATTACHMENTS).containsNull();
            assertThat(rows).extracting(StoredConnection::peer).containsNull();
            rows.forEach(store::put);
            for (StoredConnection row : rows) {
                assertSameRow(store.get(row.id()).orElseThrow(), row);
            }
            assertThat(store.get("absent")).isEmpty();
        }
        assertThat(client.get(prefix + "/cluster-a/connections/" + sample(3).id())).isPresent();
    }

    @Test
    void putReplacesTheWholeRecord() {
        try (EtcdConnectionStore store = open()) {
            StoredConnection pending = new StoredConnection("c1", "ep", "svc", Phase.PENDING, PlanKind.FABRIC_VLAN,
                    Allocation.NONE.withVlan("uplink-0", 200), null, 1500, null, Instant.ofEpochMilli(5), null);
            store.put(pending);
            assertSameRow(store.get("c1").orElseThrow(), pending);
            StoredConnection applied = pending.applied(new Attachment.FabricVlan(200), SampleConnections.reply("applied"));
            store.put(applied);
            assertSameRow(store.get("c1").orElseThrow(), applied);
            assertThat(store.loadAll()).hasSize(1);
        }
    }

    @Test
    void refreshChangesOnlyExpiryAndReply() {
        try (EtcdConnectionStore store = open()) {
            StoredConnection row = sample(7);
            store.put(row);
            Instant later = Instant.ofEpochMilli(1_900_000_000_123L);
            byte[] reply = SampleConnections.reply("new reply");
            store.refresh(row.id(), later, reply);
            store.refresh("unknown", later, reply);
            assertSameRow(store.get(row.id()).orElseThrow(), row.refreshed(later, reply));
            assertThat(store.get("unknown")).isEmpty();
        }
    }

    @Test
    void refreshesHandedOverTogetherAreWrittenSeveralToACommit() {
        try (EtcdConnectionStore store = open(); EtcdConnectionStore reader = open()) {
            List<StoredConnection> rows = IntStream.range(0, 100).mapToObj(i -> record("r" + i)).toList();
            rows.forEach(store::put);
            Instant later = Instant.ofEpochMilli(1_900_000_000_000L);
            List<StoredConnection> refreshed = rows.stream().map(r -> r.refreshed(later, SampleConnections.reply("r"))).toList();
            long before = client.revision();

            assertThat(store.refreshAll(refreshed)).isEmpty();

            assertThat(client.revision() - before).as("commits for 100 refreshes, %d to a commit", EtcdConnectionStore.REFRESHES_PER_COMMIT)
                    .isEqualTo(3);
            for (StoredConnection r : refreshed) {
                assertSameRow(reader.get(r.id()).orElseThrow(), r);
            }
        }
    }

    @Test
    void aRefreshAnotherWriterOvertookInABatchIsAppliedOnWhatIsThereAndTheRestStillLand() {
        try (EtcdConnectionStore mine = open(); EtcdConnectionStore other = open()) {
            List<StoredConnection> rows = IntStream.range(0, 10).mapToObj(i -> record("r" + i)).toList();
            rows.forEach(mine::put);
            StoredConnection theirs = rows.get(3).withPhase(Phase.RELEASING);
            other.put(theirs);
            other.delete(rows.get(5).id());
            Instant later = Instant.ofEpochMilli(1_900_000_000_000L);
            byte[] reply = SampleConnections.reply("batch");
            List<StoredConnection> refreshed = new java.util.ArrayList<>(rows.stream().map(r -> r.refreshed(later, reply)).toList());
            refreshed.add(record("never-stored").refreshed(later, reply));

            assertThat(mine.refreshAll(refreshed)).isEmpty();

            assertSameRow(other.get(theirs.id()).orElseThrow(), theirs.refreshed(later, reply));
            assertThat(other.get(rows.get(5).id())).as("a record deleted elsewhere is not written again").isEmpty();
            assertThat(other.get("never-stored")).as("a refresh creates nothing").isEmpty();
            for (int i : new int[] {0, 1, 2, 4, 6, 7, 8, 9}) {
                assertSameRow(other.get(rows.get(i).id()).orElseThrow(), rows.get(i).refreshed(later, reply));
            }
        }
    }

    private static StoredConnection record(String id) {
        return new StoredConnection(id, "ep", "svc", Phase.APPLIED, PlanKind.FABRIC_VLAN, Allocation.NONE.withVlan("uplink-0", 200),
                null, 1500, new Attachment.FabricVlan(200), Instant.ofEpochMilli(5), SampleConnections.reply(id));
    }

    /** Each store keeps its own copy of what it wrote last; another writer's change must win over that copy. */
    @Test
    void aRefreshAppliesToWhatAnotherWriterLeftNotToThisStoresLastCopy() {
        try (EtcdConnectionStore mine = open(); EtcdConnectionStore other = open()) {
            StoredConnection pending = new StoredConnection("c1", "ep", "svc", Phase.PENDING, PlanKind.FABRIC_VLAN,
                    Allocation.NONE.withVlan("uplink-0", 200), null, 1500, null, Instant.ofEpochMilli(5), null);
            mine.put(pending);
            StoredConnection applied = pending.applied(new Attachment.FabricVlan(200), SampleConnections.reply("applied elsewhere"));
            other.put(applied);
            Instant later = Instant.ofEpochMilli(1_900_000_000_123L);
            byte[] reply = SampleConnections.reply("refreshed here");
            mine.refresh("c1", later, reply);
            assertSameRow(other.get("c1").orElseThrow(), applied.refreshed(later, reply));
            mine.refresh("c1", later.plusSeconds(1), reply);
            assertSameRow(other.get("c1").orElseThrow(), applied.refreshed(later.plusSeconds(1), reply));
        }
    }

    @Test
    void aRecordAnotherWriterDeletedIsNotWrittenAgainByARefreshAndAPutStillReplacesWhatIsThere() {
        try (EtcdConnectionStore mine = open(); EtcdConnectionStore other = open()) {
            StoredConnection row = sample(4);
            mine.put(row);
            other.delete(row.id());
            mine.refresh(row.id(), Instant.ofEpochMilli(1_900_000_000_000L), SampleConnections.reply("late"));
            assertThat(other.get(row.id())).as("a refresh of a deleted record creates nothing").isEmpty();

            StoredConnection theirs = sample(5);
            other.put(theirs);
            mine.put(theirs.refreshed(Instant.ofEpochMilli(7), SampleConnections.reply("mine")));
            assertSameRow(other.get(theirs.id()).orElseThrow(), theirs.refreshed(Instant.ofEpochMilli(7), SampleConnections.reply("mine")));
            other.refresh(theirs.id(), Instant.ofEpochMilli(9), SampleConnections.reply("theirs"));
            mine.delete(theirs.id());
            assertThat(other.get(theirs.id())).as("a delete after another writer's change still deletes").isEmpty();
        }
    }

    @Test
    void deleteRemovesTheRecordAndIgnoresUnknownIds() {
        try (EtcdConnectionStore store = open()) {
            store.put(sample(1));
            store.put(sample(2));
            store.delete(sample(1).id());
            store.delete("unknown");
            assertThat(store.loadAll()).extracting(StoredConnection::id).containsExactly(sample(2).id());
        }
    }

    @Test
    void loadAllReturnsEveryRecordOrderedById() {
        try (EtcdConnectionStore store = open()) {
            for (int n : new int[] {9, 3, 11, 0, 5}) {
                store.put(sample(n));
            }
            List<StoredConnection> all = store.loadAll();
            assertThat(all).extracting(StoredConnection::id)
                    .containsExactly(sample(0).id(), sample(3).id(), sample(5).id(), sample(9).id(), sample(11).id());
            assertSameRow(all.get(3), sample(9));
        }
    }

    @Test
    void dataSurvivesCloseAndIsSeenByAnotherReplicasStore() {
        try (EtcdConnectionStore store = open()) {
            IntStream.range(0, 20).forEach(n -> store.put(sample(n)));
            store.refresh(sample(4).id(), Instant.ofEpochMilli(42), SampleConnections.reply("9"));
            store.delete(sample(5).id());
        }
        try (EtcdClient other = EtcdClient.connect(EtcdSettings.of(cluster.endpointsStartingWith(3)));
             EtcdConnectionStore store = new EtcdConnectionStore(other, prefix + "/", "cluster-a")) {
            assertThat(store.loadAll()).hasSize(19);
            assertSameRow(store.get(sample(4).id()).orElseThrow(), sample(4).refreshed(Instant.ofEpochMilli(42), SampleConnections.reply("9")));
            assertSameRow(store.get(sample(19).id()).orElseThrow(), sample(19));
            assertThat(store.get(sample(5).id())).isEmpty();
            assertThat(store.hasHeldConnections()).isTrue();
        }
        try (EtcdConnectionStore otherCluster = new EtcdConnectionStore(client, prefix, "cluster-b")) {
            assertThat(otherCluster.loadAll()).as("another ensm cluster's store").isEmpty();
        }
    }

    @Test
    void failedPutLeavesThePreviousRecordIntactAndSaysWhatFailed() {
        try (EtcdConnectionStore store = open()) {
            StoredConnection row = sample(2);
            store.put(row);
            StoredConnection broken = new StoredConnection(row.id(), null, "svc", Phase.APPLIED, null,
                    Allocation.NONE, null, 0, null, null, null);
            assertThatThrownBy(() -> store.put(broken)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("writing connection " + row.id()).hasMessageContaining("endpoint is missing");
            assertSameRow(store.get(row.id()).orElseThrow(), row);
        }
    }

    @Test
    void aFailedWriteDoesNotBreakTheWritesAfterIt() {
        try (EtcdConnectionStore store = open()) {
            StoredConnection broken = new StoredConnection("c1", null, "svc", Phase.PENDING, null,
                    Allocation.NONE, null, 0, null, null, null);
            for (int i = 0; i < 2; i++) {
                assertThatThrownBy(() -> store.put(broken)).isInstanceOf(StoreException.class);
                StoredConnection row = sample(3 + i);
                store.put(row);
                store.refresh(row.id(), Instant.ofEpochSecond(1_900_000_000L), SampleConnections.reply("1"));
                store.delete(row.id());
                assertThat(store.get(row.id())).isEmpty();
            }
        }
    }

    @Test
    void aWriteWhileNoMemberAnswersFailsWithinItsDeadlineAndChangesNothing() {
        int member = cluster.follower();
        EtcdSettings one = EtcdSettings.of(List.of(cluster.endpoint(member))).withCallTimeout(Duration.ofMillis(1500));
        try (EtcdClient lonely = EtcdClient.connect(one);
             EtcdConnectionStore store = new EtcdConnectionStore(lonely, prefix, "cluster-a")) {
            store.put(sample(1));
            cluster.kill(member);
            long start = System.nanoTime();
            assertThatThrownBy(() -> store.put(sample(1).withPhase(Phase.RELEASING))).isInstanceOf(StoreException.class)
                    .hasMessageContaining("writing connection " + sample(1).id()).hasMessageContaining("UNAVAILABLE");
            assertThatThrownBy(() -> store.delete(sample(1).id())).isInstanceOf(StoreException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
        try (EtcdConnectionStore store = open()) {
            assertSameRow(store.get(sample(1).id()).orElseThrow(), sample(1));
        }
    }

    @Test
    void closedStoreFailsWithStoreException() {
        EtcdConnectionStore store = open();
        store.close();
        store.close();
        assertThatThrownBy(() -> store.get("c1")).isInstanceOf(StoreException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.put(sample(1))).isInstanceOf(StoreException.class);
    }

    @Test
    void aNewStoreHasNeverHeldAConnectionAndRemembersTheFirstOneForGood() {
        try (EtcdConnectionStore store = open()) {
            assertThat(store.hasHeldConnections()).isFalse();
            store.put(sample(1));
            assertThat(store.hasHeldConnections()).isTrue();
            store.delete(sample(1).id());
        }
        try (EtcdConnectionStore store = open()) {
            assertThat(store.loadAll()).isEmpty();
            assertThat(store.hasHeldConnections()).as("empty now, but it has held one").isTrue();
        }
    }

    @Test
    void unreadableRecordsAreSetAsideWithTheirBytesAndTheOthersLoad() throws Exception {
        String connections = prefix + "/cluster-a/connections/";
        try (EtcdConnectionStore store = open()) {
            for (int n = 1; n <= 4; n++) {
                store.put(sample(n));
            }
        }
        // Damage written with the plain client, as a careless hand would: garbage, and a record with a phase no release knows.
        client.put(connections + sample(2).id(), GARBAGE);
        byte[] badPhase = ConnectionRecord.parseFrom(client.get(connections + sample(3).id()).orElseThrow().value()).toBuilder()
                .setPhase("HALF_DONE").build().toByteArray();
        client.put(connections + sample(3).id(), badPhase);

        try (EtcdConnectionStore store = open()) {
            assertThat(store.loadAll()).extracting(StoredConnection::id).containsExactly(sample(1).id(), sample(4).id());
            assertThat(store.quarantined()).containsExactly(sample(2).id(), sample(3).id());
        }
        QuarantinedRecord set = QuarantinedRecord.parseFrom(client.get(prefix + "/cluster-a/quarantine/" + sample(2).id()).orElseThrow().value());
        assertThat(set.getRaw().toByteArray()).isEqualTo(GARBAGE);
        assertThat(set.getKey()).isEqualTo(connections + sample(2).id());
        assertThat(set.getReason()).contains("not a connection record");
        assertThat(client.get(connections + sample(2).id())).isEmpty();

        try (EtcdConnectionStore store = open()) {
            // Reported across starts; the caller writes a fresh record, the damaged one stays kept.
            assertThat(store.loadAll()).hasSize(2);
            store.put(sample(2));
            assertThat(store.loadAll()).hasSize(3);
            assertThat(store.quarantined()).containsExactly(sample(2).id(), sample(3).id());
        }
    }

    @Test
    void aClusterNameThatIsNotOneKeySegmentIsRefused() {
        assertThatThrownBy(() -> new EtcdConnectionStore(client, prefix, "a/b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a/b'");
        assertThatThrownBy(() -> new EtcdConnectionStore(client, prefix, " ", false, Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
