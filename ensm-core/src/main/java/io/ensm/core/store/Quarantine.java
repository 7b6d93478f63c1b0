package io.ensm.core.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The store's {@code quarantine} table: connection rows that could not be read, moved there whole
 * (every column as it was, plus the reason and the time) so that start-up goes on without them and
 * an operator can inspect them with the sqlite3 shell. ensm never reads their columns again and
 * never deletes them; the operator does, once the case is understood.
 */
final class Quarantine {
    /** Schema of the table: the connection columns without types, so any damaged bytes fit as they are. */
    static final String CREATE = """
            CREATE TABLE quarantine (
                id, endpoint, service, phase, plan, endpoint_addrs, client_addrs, vlan_pool, vlan_id, vni,
                peer_ip, peer_port, mtu, attachment_kind, attachment_params, expires, updated, connection,
                reason      TEXT    NOT NULL,
                quarantined INTEGER NOT NULL
            )""";

    private static final int MAX_TEXT = 200;

    private Quarantine() {}

    /** Moves one row (by rowid) into the quarantine table in one transaction; nothing changes when it fails. */
    static void move(Connection db, String columns, long rowid, String reason, long now) throws SQLException {
        db.setAutoCommit(false);
        try (PreparedStatement copy = db.prepareStatement("INSERT INTO quarantine (" + columns + ", reason, quarantined)"
                + " SELECT " + columns + ", ?, ? FROM connection WHERE rowid = ?");
             PreparedStatement delete = db.prepareStatement("DELETE FROM connection WHERE rowid = ?")) {
            copy.setString(1, reason);
            copy.setLong(2, now);
            copy.setLong(3, rowid);
            copy.executeUpdate();
            delete.setLong(1, rowid);
            delete.executeUpdate();
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    /** The ids of the quarantined rows, as printable text. */
    static Set<String> ids(Connection db) throws SQLException {
        Set<String> out = new LinkedHashSet<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT CAST(id AS TEXT) FROM quarantine")) {
            while (rs.next()) {
                out.add(printable(rs.getString(1)));
            }
        }
        return out;
    }

    /**
     * Damaged text as one bounded printable line for logs and reasons: anything outside printable
     * ASCII becomes {@code ?}, so garbage bytes cannot forge log lines or flood them.
     */
    static String printable(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_TEXT));
        for (int i = 0; i < text.length() && b.length() < MAX_TEXT; i++) {
            char c = text.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '"' ? c : '?');
        }
        return text.length() > MAX_TEXT ? b.append("...").toString() : b.toString();
    }
}
