package io.ensm.core.store;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.Attachment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link ConnectionStore} in an embedded SQLite file, {@value #FILE_NAME} in the data directory.
 *
 * <p>WAL journal with synchronous=NORMAL: a commit is in the WAL file when the call returns, so it
 * survives a kill -9 of the process (not necessarily a power cut, which is not the requirement),
 * at a fraction of the cost of an fsync per write. Every write is one statement in autocommit, so
 * a failure leaves the previous row or no row, never half of one.
 *
 * <p>One JDBC connection with prepared statements behind a lock: SQLite serializes writers anyway,
 * and a single connection keeps the refresh path to one prepared UPDATE. The schema version lives
 * in {@code PRAGMA user_version}; {@link #MIGRATIONS} brings older files up to date on open.
 *
 * <p>Columns: the scalar fields as real columns (queryable from the sqlite3 shell), address lists
 * and attachment parameters in {@link FieldCodec}'s text encoding, the last reply as a BLOB.
 * Instants are stored as epoch milliseconds (sub-millisecond precision is dropped).
 *
 * <p>A row that cannot be read (a column that does not decode, a reply that is not a
 * {@code connection.Connection}) is moved to the {@link Quarantine} table by {@link #loadAll}, logged
 * once, and left out; start-up goes on with the others. The {@code meta} table remembers that the
 * store has held a connection ({@link #hasHeldConnections}).
 */
public final class SqliteConnectionStore implements ConnectionStore {
    public static final String FILE_NAME = "ensm.db";

    /** Migration i brings a file from schema version i to i + 1. */
    private static final List<List<String>> MIGRATIONS = List.of(
            List.of("""
                    CREATE TABLE connection (
                        id                TEXT    NOT NULL PRIMARY KEY,
                        endpoint          TEXT    NOT NULL,
                        service           TEXT    NOT NULL,
                        phase             TEXT    NOT NULL,
                        plan              TEXT,
                        endpoint_addrs    TEXT    NOT NULL,
                        client_addrs      TEXT    NOT NULL,
                        vlan_pool         TEXT    NOT NULL,
                        vlan_id           INTEGER NOT NULL,
                        vni               INTEGER NOT NULL,
                        peer_ip           TEXT,
                        peer_port         INTEGER,
                        mtu               INTEGER NOT NULL,
                        attachment_kind   TEXT,
                        attachment_params TEXT,
                        expires           INTEGER,
                        updated           INTEGER NOT NULL,
                        connection        BLOB
                    )"""),
            List.of(Quarantine.CREATE,
                    "CREATE TABLE meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL)",
                    // A store written before this table existed has held a connection if it holds one now.
                    "INSERT INTO meta (key, value) SELECT '" + Meta.HELD_CONNECTION + "', CAST(strftime('%s', 'now') AS INTEGER) * 1000"
                            + " FROM connection LIMIT 1"));

    static final int SCHEMA_VERSION = MIGRATIONS.size();

    private static final String COLUMNS = "id, endpoint, service, phase, plan, endpoint_addrs, client_addrs, vlan_pool,"
            + " vlan_id, vni, peer_ip, peer_port, mtu, attachment_kind, attachment_params, expires, updated, connection";

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SqliteConnectionStore.class);

    private final Path file;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Connection db;
    // Not final: a write that fails (SQLITE_FULL) leaves sqlite-jdbc's statement unusable for good.
    private PreparedStatement putStatement;
    private PreparedStatement refreshStatement;
    private PreparedStatement deleteStatement;
    private final PreparedStatement getStatement;
    private final PreparedStatement allStatement;
    /** Unreadable rows that could not be moved to the quarantine table (a full disk): left in place. */
    private final Set<String> unreadableInPlace = new LinkedHashSet<>();
    private boolean heldConnection;
    /** Copies the WAL into the database off the request path; see {@link #startCheckpoints}. */
    private Connection checkpointDb;
    private java.util.concurrent.ScheduledExecutorService checkpoints;
    private boolean closed;

    /** Opens (creating when absent) {@value #FILE_NAME} in the directory, creating the directory too. */
    public SqliteConnectionStore(Path dataDirectory) {
        this(dataDirectory, Clock.systemUTC());
    }

    /** @param clock source of the {@code updated} column */
    public SqliteConnectionStore(Path dataDirectory, Clock clock) {
        this.file = dataDirectory.resolve(FILE_NAME).toAbsolutePath();
        this.clock = clock;
        try {
            Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new StoreException("cannot create data directory " + dataDirectory + ": " + e, e);
        }
        Connection c = null;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + file);
            configure(c);
            migrate(c);
            this.db = c;
            prepareWrites();
            this.getStatement = c.prepareStatement("SELECT " + COLUMNS + " FROM connection WHERE id = ?");
            this.allStatement = c.prepareStatement("SELECT rowid, " + COLUMNS + " FROM connection ORDER BY id");
            this.heldConnection = Meta.has(c, Meta.HELD_CONNECTION);
            startCheckpoints();
        } catch (SQLException e) {
            closeQuietly(c);
            throw new StoreException("cannot open connection store " + file + ": " + describe(e), e);
        } catch (StoreException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private void prepareWrites() throws SQLException {
        putStatement = db.prepareStatement("INSERT OR REPLACE INTO connection (" + COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        refreshStatement = db.prepareStatement("UPDATE connection SET expires = ?, connection = ?, updated = ? WHERE id = ?");
        deleteStatement = db.prepareStatement("DELETE FROM connection WHERE id = ?");
    }

    /**
     * After a failed write (a full disk) sqlite-jdbc answers every later execution of that statement
     * with "statement is not executing", even once space is back; fresh statements work.
     */
    private void renewWrites() {
        for (Statement s : List.of(putStatement, refreshStatement, deleteStatement)) {
            try {
                s.close();
            } catch (SQLException ignored) {
                // a broken statement may refuse to close; the new ones replace it anyway
            }
        }
        try {
            prepareWrites();
        } catch (SQLException e) {
            log.warn("event=store-statements-renew-failed file={} reason=\"{}\"", file, describe(e));
        }
    }

    private void configure(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                String mode = rs.next() ? rs.getString(1) : null;
                if (!"wal".equalsIgnoreCase(mode)) {
                    throw new StoreException("cannot open connection store " + file
                            + ": WAL journal mode refused (got " + mode + ")", null);
                }
            }
            s.execute("PRAGMA synchronous = NORMAL");
            // Checkpoints (the only fsyncs in WAL mode with synchronous=NORMAL) run in the
            // background instead of inside whichever request crosses the WAL threshold.
            s.execute("PRAGMA wal_autocheckpoint = 0");
        }
    }

    /**
     * Checkpoints the WAL every second on a connection of its own. Durability is unchanged: every
     * commit is in the WAL before the call returns.
     */
    private void startCheckpoints() throws SQLException {
        checkpointDb = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = checkpointDb.createStatement()) {
            s.execute("PRAGMA busy_timeout = 5000");
        }
        checkpoints = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("ensm-store-checkpoint").daemon().factory());
        checkpoints.scheduleWithFixedDelay(this::checkpoint, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private void checkpoint() {
        try (Statement s = checkpointDb.createStatement()) {
            // PASSIVE copies almost everything without blocking writers; TRUNCATE then copies the
            // few frames written meanwhile and empties the WAL file, so
            // the file stays small under a steady refresh load.
            s.execute("PRAGMA wal_checkpoint(PASSIVE)");
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException | RuntimeException e) {
            // The next run retries; the WAL only grows meanwhile.
            org.slf4j.LoggerFactory.getLogger(SqliteConnectionStore.class)
                    .warn("event=store-checkpoint-failed file={} reason=\"{}\"", file, e.getMessage());
        }
    }

    private void migrate(Connection c) throws SQLException {
        int version;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            version = rs.next() ? rs.getInt(1) : 0;
        }
        if (version > SCHEMA_VERSION) {
            throw new StoreException("connection store " + file + " has schema version " + version
                    + ", newer than the supported " + SCHEMA_VERSION + " (was it written by a newer release?)", null);
        }
        for (int v = version; v < SCHEMA_VERSION; v++) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String sql : MIGRATIONS.get(v)) {
                    s.execute(sql);
                }
                s.execute("PRAGMA user_version = " + (v + 1));
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    @Override
    public void put(StoredConnection connection) {
        lock.lock();
        try {
            ensureOpen();
            bindRow(putStatement, connection);
            putStatement.executeUpdate();
        } catch (SQLException e) {
            renewWrites();
            throw failure("writing connection " + connection.id(), e);
        } finally {
            lock.unlock();
        }
        if (!heldConnection) {
            rememberHeldConnection();
        }
    }

    /** Once per store: a failure only means the next write tries again, so it does not fail the write that was made. */
    private void rememberHeldConnection() {
        lock.lock();
        try {
            Meta.put(db, Meta.HELD_CONNECTION, Long.toString(clock.millis()));
            heldConnection = true;
        } catch (SQLException e) {
            log.warn("event=store-meta-write-failed file={} key={} reason=\"{}\"", file, Meta.HELD_CONNECTION, describe(e));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean hasHeldConnections() {
        lock.lock();
        try {
            return heldConnection;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Set<String> quarantined() {
        lock.lock();
        try {
            ensureOpen();
            Set<String> ids = Quarantine.ids(db);
            ids.addAll(unreadableInPlace);
            return ids;
        } catch (SQLException e) {
            throw failure("reading the quarantine table", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void refresh(String id, Instant expires, byte[] connection) {
        lock.lock();
        try {
            ensureOpen();
            setMillis(refreshStatement, 1, expires);
            refreshStatement.setBytes(2, connection);
            refreshStatement.setLong(3, clock.millis());
            refreshStatement.setString(4, id);
            refreshStatement.executeUpdate();
        } catch (SQLException e) {
            renewWrites();
            throw failure("refreshing connection " + id, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void delete(String id) {
        lock.lock();
        try {
            ensureOpen();
            deleteStatement.setString(1, id);
            deleteStatement.executeUpdate();
        } catch (SQLException e) {
            renewWrites();
            throw failure("deleting connection " + id, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<StoredConnection> get(String id) {
        lock.lock();
        try {
            ensureOpen();
            getStatement.setString(1, id);
            try (ResultSet rs = getStatement.executeQuery()) {
                return rs.next() ? Optional.of(readRow(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("reading connection " + id, e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<StoredConnection> loadAll() {
        lock.lock();
        try {
            ensureOpen();
            List<StoredConnection> out = new ArrayList<>();
            Map<Long, String> unreadable = new LinkedHashMap<>();
            Map<Long, String> unreadableIds = new HashMap<>();
            try (ResultSet rs = allStatement.executeQuery()) {
                while (rs.next()) {
                    try {
                        out.add(readRow(rs));
                    } catch (StoreException | SQLException e) {
                        long rowid = rs.getLong("rowid");
                        unreadable.put(rowid, Quarantine.printable(e.getMessage()));
                        unreadableIds.put(rowid, Quarantine.printable(rs.getString("id")));
                    }
                }
            }
            unreadable.forEach((rowid, reason) -> setAside(rowid, unreadableIds.get(rowid), reason));
            int quarantined = Quarantine.ids(db).size();
            if (quarantined > 0) {
                log.warn("event=store-quarantine-present file={} records={} reason=\"unreadable connection records set aside in table"
                        + " quarantine; inspect them with sqlite3 and delete them once handled\"", file, quarantined);
            }
            return out;
        } catch (SQLException e) {
            throw failure("loading connections", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (checkpoints != null) {
                checkpoints.shutdownNow();
                closeQuietly(checkpointDb);
            }
            for (Statement s : List.of(putStatement, refreshStatement, deleteStatement, getStatement, allStatement)) {
                try {
                    s.close();
                } catch (SQLException ignored) {
                    // closing the connection below releases it anyway
                }
            }
            db.close();
        } catch (SQLException e) {
            throw failure("closing", e);
        } finally {
            lock.unlock();
        }
    }

    private void bindRow(PreparedStatement ps, StoredConnection c) throws SQLException {
        Allocation a = c.allocation() == null ? Allocation.NONE : c.allocation();
        ps.setString(1, c.id());
        ps.setString(2, c.endpoint());
        ps.setString(3, c.service());
        ps.setString(4, c.phase() == null ? null : c.phase().name());
        ps.setString(5, c.plan() == null ? null : c.plan().name());
        ps.setString(6, FieldCodec.encodeList(a.endpointAddrs()));
        ps.setString(7, FieldCodec.encodeList(a.clientAddrs()));
        ps.setString(8, a.vlanPool());
        ps.setInt(9, a.vlanId());
        ps.setInt(10, a.vni());
        if (c.peer() == null) {
            ps.setNull(11, Types.VARCHAR);
            ps.setNull(12, Types.INTEGER);
        } else {
            ps.setString(11, c.peer().ip());
            ps.setInt(12, c.peer().port());
        }
        ps.setInt(13, c.mtu());
        if (c.attachment() == null) {
            ps.setNull(14, Types.VARCHAR);
            ps.setNull(15, Types.VARCHAR);
        } else {
            ps.setString(14, c.attachment().kind());
            ps.setString(15, FieldCodec.encodeMap(c.attachment().parameters()));
        }
        setMillis(ps, 16, c.expires());
        ps.setLong(17, clock.millis());
        ps.setBytes(18, c.connection());
    }

    /** Moves an unreadable row to the quarantine table, or leaves it in place (and says so) when even that fails. */
    private void setAside(long rowid, String id, String reason) {
        try {
            Quarantine.move(db, COLUMNS, rowid, reason, clock.millis());
            log.error("event=store-record-quarantined file={} connection={} table=quarantine reason=\"{}\"", file, id, reason);
        } catch (SQLException e) {
            unreadableInPlace.add(id);
            log.error("event=store-record-unreadable file={} connection={} kept=in-place reason=\"{}\" move_failed=\"{}\"",
                    file, id, reason, Quarantine.printable(describe(e)));
        }
    }

    private StoredConnection readRow(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        try {
            String plan = rs.getString("plan");
            Allocation allocation = new Allocation(
                    FieldCodec.decodeList(rs.getString("endpoint_addrs")),
                    FieldCodec.decodeList(rs.getString("client_addrs")),
                    rs.getString("vlan_pool"), rs.getInt("vlan_id"), rs.getInt("vni"));
            String peerIp = rs.getString("peer_ip");
            VxlanPeer peer = peerIp == null ? null : new VxlanPeer(peerIp, rs.getInt("peer_port"));
            String kind = rs.getString("attachment_kind");
            Attachment attachment = kind == null ? null
                    : Attachment.of(kind, FieldCodec.decodeMap(rs.getString("attachment_params")));
            long expires = rs.getLong("expires");
            Instant expiresAt = rs.wasNull() ? null : Instant.ofEpochMilli(expires);
            byte[] reply = rs.getBytes("connection");
            checkReply(reply);
            return new StoredConnection(id, rs.getString("endpoint"), rs.getString("service"),
                    Phase.valueOf(rs.getString("phase")), plan == null ? null : PlanKind.valueOf(plan),
                    allocation, peer, rs.getInt("mtu"), attachment, expiresAt, reply);
        } catch (RuntimeException e) {
            throw new StoreException("connection " + id + " in " + file + " is unreadable: " + e.getMessage(), e);
        }
    }

    /** The last reply must parse, or monitors and expiry would fail on it later, far from the cause. */
    private static void checkReply(byte[] reply) {
        if (reply == null) {
            return;
        }
        try {
            io.ensm.api.connection.Connection.parseFrom(reply);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("the last reply is not a connection.Connection: " + e.getMessage(), e);
        }
    }

    private static void setMillis(PreparedStatement ps, int index, Instant instant) throws SQLException {
        if (instant == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setLong(index, instant.toEpochMilli());
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new StoreException("connection store " + file + " is closed", null);
        }
    }

    private StoreException failure(String what, SQLException e) {
        return new StoreException(what + " in " + file + " failed: " + describe(e), e);
    }

    /** SQLite's own text ("[SQLITE_FULL] database or disk is full") plus the SQL state and code. */
    private static String describe(SQLException e) {
        return e.getMessage() + " (SQL state " + e.getSQLState() + ", error code " + e.getErrorCode() + ")";
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing; the original error is what matters
            }
        }
    }
}
