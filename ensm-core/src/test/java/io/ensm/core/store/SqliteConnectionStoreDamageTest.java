package io.ensm.core.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.ensm.core.store.SampleConnections.sample;
import static org.assertj.core.api.Assertions.assertThat;

/** A store file with a damaged row, written with plain JDBC as a bad disk block or a careless hand would leave it. */
class SqliteConnectionStoreDamageTest {
    /** Not UTF-8, not a phase, not a list, not a protobuf message (field 15 with wire type 7). */
    static final byte[] GARBAGE = {(byte) 0xFF, 0x00, (byte) 0xFE, 0x13, 0x07};

    @TempDir
    Path dir;

    private Path data() {
        return dir.resolve("data");
    }

    private void storeThree() {
        try (SqliteConnectionStore store = new SqliteConnectionStore(data())) {
            for (int n = 1; n <= 3; n++) {
                store.put(sample(n));
            }
        }
    }

    /** Writes {@code value} into one column of one row, with no ensm code involved. */
    private void damage(String id, String column, byte[] value) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data().resolve(SqliteConnectionStore.FILE_NAME));
             PreparedStatement s = c.prepareStatement("UPDATE connection SET " + column + " = ? WHERE id = ?")) {
            s.setBytes(1, value);
            s.setString(2, id);
            assertThat(s.executeUpdate()).as("rows damaged").isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "garbage in {0}")
    @ValueSource(strings = {"phase", "plan", "endpoint_addrs", "client_addrs", "attachment_params", "connection"})
    void aRowWithGarbageInOneColumnIsSkippedAndTheOthersLoad(String column) throws Exception {
        storeThree();
        damage(sample(2).id(), column, GARBAGE);

        try (SqliteConnectionStore store = new SqliteConnectionStore(data())) {
            assertThat(store.loadAll()).extracting(StoredConnection::id).containsExactly(sample(1).id(), sample(3).id());
            assertThat(store.quarantined()).containsExactly(sample(2).id());
        }
        assertThat(quarantined(column)).as("the damaged row, set aside with its bytes as they were")
                .containsExactly(new Quarantined(sample(2).id(), GARBAGE));
        assertThat(connectionIds()).containsExactly(sample(1).id(), sample(3).id());
    }

    @Test
    void theDamagedRowIsSetAsideOnceAndStaysReportedAcrossStarts() throws Exception {
        storeThree();
        damage(sample(2).id(), "phase", GARBAGE);
        try (SqliteConnectionStore store = new SqliteConnectionStore(data())) {
            store.loadAll();
        }

        try (SqliteConnectionStore store = new SqliteConnectionStore(data())) {
            assertThat(store.loadAll()).extracting(StoredConnection::id).containsExactly(sample(1).id(), sample(3).id());
            assertThat(store.quarantined()).containsExactly(sample(2).id());
            // The caller asks again for its connection: a fresh record, the damaged one still kept for inspection.
            store.put(sample(2));
            assertThat(store.loadAll()).hasSize(3);
            assertThat(store.quarantined()).containsExactly(sample(2).id());
        }
        assertThat(quarantined("phase")).hasSize(1);
    }

    @Test
    void aListWithoutItsTerminatorIsUnreadableToo() throws Exception {
        storeThree();
        damage(sample(3).id(), "endpoint_addrs", "10.0.0.1/32".getBytes(StandardCharsets.UTF_8));

        try (SqliteConnectionStore store = new SqliteConnectionStore(data())) {
            assertThat(store.loadAll()).extracting(StoredConnection::id).containsExactly(sample(1).id(), sample(2).id());
            assertThat(store.quarantined()).containsExactly(sample(3).id());
        }
    }

    @Test
    void aStoreWithoutDamageHasNothingSetAside() {
        storeThree();
        try (SqliteConnectionStore store = new SqliteConnectionStore(data())) {
            assertThat(store.loadAll()).hasSize(3);
            assertThat(store.quarantined()).isEmpty();
        }
    }

    record Quarantined(String id, byte[] value) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Quarantined q && q.id.equals(id) && java.util.Arrays.equals(q.value, value);
        }

        @Override
        public int hashCode() {
            return id.hashCode();
        }

        @Override
        public String toString() {
            return id + "=" + java.util.HexFormat.of().formatHex(value);
        }
    }

    private List<Quarantined> quarantined(String column) throws SQLException {
        List<Quarantined> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data().resolve(SqliteConnectionStore.FILE_NAME));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, " + column + ", reason FROM quarantine")) {
            while (rs.next()) {
                assertThat(rs.getString(3)).as("reason").contains("unreadable");
                out.add(new Quarantined(rs.getString(1), rs.getBytes(2)));
            }
        }
        return out;
    }

    private List<String> connectionIds() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data().resolve(SqliteConnectionStore.FILE_NAME));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM connection ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
