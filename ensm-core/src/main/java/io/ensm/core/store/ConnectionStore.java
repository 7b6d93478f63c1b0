package io.ensm.core.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable connection state. Every write is durable when the method returns (a kill -9 right after
 * loses nothing); a failed write throws {@link StoreException} and changes nothing.
 */
public interface ConnectionStore extends AutoCloseable {

    /** Inserts or replaces the whole record. */
    void put(StoredConnection connection);

    /** The refresh hot path: only expiry and the last reply change. No-op for an unknown id. */
    void refresh(String id, Instant expires, byte[] connection);

    /** Removes the record; no-op for an unknown id. */
    void delete(String id);

    Optional<StoredConnection> get(String id);

    /** Every record, for start-up recovery. */
    List<StoredConnection> loadAll();

    @Override
    void close();
}
