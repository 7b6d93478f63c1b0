package io.ensm.core.store;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static io.ensm.core.store.SampleConnections.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteConnectionStoreTest {

    @TempDir
    Path dir;

    private static void assertSameRow(StoredConnection actual, StoredConnection expected) {
        assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
    }

    @Test
    void putThenGetRoundTripsEveryFieldForEachAttachmentKindAndNulls() {
        try (SqliteConnectionStore store = new SqliteConnectionStore(dir.resolve("data"))) {
            List<StoredConnection> rows = IntStream.range(0, 12).mapToObj(SampleConnections::sample).toList();
            assertThat(rows).extracting(StoredConnection::attachment).containsAll(SampleConnections.ATTACHMENTS).containsNull();
            assertThat(rows).extracting(StoredConnection::peer).containsNull();
            rows.forEach(store::put);
            for (StoredConnection row : rows) {
                assertSameRow(store.get(row.id()).orElseThrow(), row);
            }
            assertThat(store.get("absent")).isEmpty();
        }
        assertThat(dir.resolve("data").resolve(SqliteConnectionStore.FILE_NAME)).exists();
    }

    @Test
    void putReplacesTheWholeRecord() {
        try (SqliteConnectionStore store = new SqliteConnectionStore(dir)) {
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
        try (SqliteConnectionStore store = new SqliteConnectionStore(dir)) {
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
    void deleteRemovesTheRowAndIgnoresUnknownIds() {
        try (SqliteConnectionStore store = new SqliteConnectionStore(dir)) {
            store.put(sample(1));
            store.put(sample(2));
            store.delete(sample(1).id());
            store.delete("unknown");
            assertThat(store.loadAll()).extracting(StoredConnection::id).containsExactly(sample(2).id());
        }
    }

    @Test
    void loadAllReturnsEveryRowOrderedById() {
        try (SqliteConnectionStore store = new SqliteConnectionStore(dir)) {
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
    void dataSurvivesCloseAndReopen() {
        try (SqliteConnectionStore store = new SqliteConnectionStore(dir)) {
            IntStream.range(0, 20).forEach(n -> store.put(sample(n)));
            store.refresh(sample(4).id(), Instant.ofEpochMilli(42), SampleConnections.reply("9"));
            store.delete(sample(5).id());
        }
        try (SqliteConnectionStore store = new SqliteConnectionStore(dir)) {
            List<StoredConnection> all = store.loadAll();
            assertThat(all).hasSize(19);
            assertSameRow(store.get(sample(4).id()).orElseThrow(), sample(4).refreshed(Instant.ofEpochMilli(42), SampleConnections.reply("9")));
            assertSameRow(store.get(sample(19).id()).orElseThrow(), sample(19));
            assertThat(store.get(sample(5).id())).isEmpty();
        }
    }

    @Test
    void openCreatesSchemaWithVersionAndWalJournal() throws SQLException {
        new SqliteConnectionStore(dir).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteConnectionStore.FILE_NAME));
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                assertThat(rs.getInt(1)).isEqualTo(SqliteConnectionStore.SCHEMA_VERSION);
            }
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM connection")) {
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    @Test
    void newerSchemaVersionIsRefusedNamingTheFile() throws SQLException {
        new SqliteConnectionStore(dir).close();
        Path file = dir.resolve(SqliteConnectionStore.FILE_NAME);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = 99");
        }
        assertThatThrownBy(() -> new SqliteConnectionStore(dir)).isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("99");
    }

    @Test
    void nonSqliteFileIsStoreExceptionNamingThePath() throws IOException {
        Path file = dir.resolve(SqliteConnectionStore.FILE_NAME);
        Files.writeString(file, "this is not a database, just some text that is long enough to look like a header. ".repeat(20));
        assertThatThrownBy(() -> new SqliteConnectionStore(dir)).isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toAbsolutePath().toString())
                .hasMessageContaining("SQL state");
    }

    @Test
    void failedPutLeavesThePreviousRowIntactAndSaysWhatFailed() {
        try (SqliteConnectionStore store = new SqliteConnectionStore(dir)) {
            StoredConnection row = sample(2);
            store.put(row);
            StoredConnection broken = new StoredConnection(row.id(), null, "svc", Phase.APPLIED, null,
                    Allocation.NONE, null, 0, null, null, null);
            assertThatThrownBy(() -> store.put(broken)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("writing connection " + row.id()).hasMessageContaining("SQL state");
            assertSameRow(store.get(row.id()).orElseThrow(), row);
        }
    }

    @Test
    void aFailedWriteDoesNotBreakTheWritesAfterIt() {
        try (SqliteConnectionStore store = new SqliteConnectionStore(dir)) {
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
    void closedStoreFailsWithStoreException() {
        SqliteConnectionStore store = new SqliteConnectionStore(dir);
        store.close();
        store.close();
        assertThatThrownBy(() -> store.get("c1")).isInstanceOf(StoreException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.put(sample(1))).isInstanceOf(StoreException.class);
    }

    @Test
    void aNewStoreHasNeverHeldAConnectionAndRemembersTheFirstOneForGood() {
        try (SqliteConnectionStore store = new SqliteConnectionStore(dir)) {
            assertThat(store.hasHeldConnections()).isFalse();
            store.put(sample(1));
            assertThat(store.hasHeldConnections()).isTrue();
            store.delete(sample(1).id());
        }
        try (SqliteConnectionStore store = new SqliteConnectionStore(dir)) {
            assertThat(store.loadAll()).isEmpty();
            assertThat(store.hasHeldConnections()).as("empty now, but it has held one").isTrue();
        }
    }

    @Test
    void aStoreOfTheFirstSchemaHasHeldAConnectionExactlyWhenItHoldsOne() throws SQLException {
        Path used = dir.resolve("used");
        Path empty = dir.resolve("empty");
        try (SqliteConnectionStore store = new SqliteConnectionStore(used)) {
            store.put(sample(1));
        }
        new SqliteConnectionStore(empty).close();
        for (Path d : List.of(used, empty)) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + d.resolve(SqliteConnectionStore.FILE_NAME));
                 Statement s = c.createStatement()) {
                s.execute("DROP TABLE meta");
                s.execute("DROP TABLE quarantine");
                s.execute("PRAGMA user_version = 1");
            }
        }
        try (SqliteConnectionStore store = new SqliteConnectionStore(used)) {
            assertThat(store.hasHeldConnections()).isTrue();
            assertThat(store.loadAll()).hasSize(1);
        }
        try (SqliteConnectionStore store = new SqliteConnectionStore(empty)) {
            assertThat(store.hasHeldConnections()).isFalse();
        }
    }
}
