package io.ensm.core.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The store's {@code meta} table: facts about the store itself, one value per key. */
final class Meta {
    /** Present once the store has held a connection; the value is when that was first recorded (epoch ms). */
    static final String HELD_CONNECTION = "held-connection";

    private Meta() {}

    static boolean has(Connection db, String key) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("SELECT 1 FROM meta WHERE key = ?")) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Sets the key unless it is set already: the first value stays. */
    static void put(Connection db, String key, String value) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)")) {
            s.setString(1, key);
            s.setString(2, value);
            s.executeUpdate();
        }
    }
}
