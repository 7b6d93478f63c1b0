package io.ensm.core.store;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Durable connection state. Every write is durable when the method returns (a kill -9 right after
 * loses nothing); a failed write throws {@link StoreException} and changes nothing.
 */
public interface ConnectionStore extends AutoCloseable {

    /** Inserts or replaces the whole record. */
    void put(StoredConnection connection);

    /** The refresh hot path: only expiry and the last reply change. No-op for an unknown id. */
    void refresh(String id, Instant expires, byte[] connection);

    /**
     * Several refreshes, as the connection table's writer hands them over: each as {@link #refresh}
     * would make it, in as few commits as the store can. Returns, by connection id, the refreshes
     * it did not write and why (empty: all written). The default writes them one by one.
     */
    default Map<String, StoreException> refreshAll(List<StoredConnection> refreshed) {
        Map<String, StoreException> failed = new LinkedHashMap<>();
        for (StoredConnection c : refreshed) {
            try {
                refresh(c.id(), c.expires(), c.connection());
            } catch (StoreException e) {
                failed.put(c.id(), e);
            }
        }
        return failed;
    }

    /** Removes the record; no-op for an unknown id. */
    void delete(String id);

    Optional<StoredConnection> get(String id);

    /**
     * Every readable record, for start-up recovery. A record that cannot be read is left out, set
     * aside for inspection and reported by {@link #quarantined}: one damaged record does not stop
     * start-up.
     */
    List<StoredConnection> loadAll();

    /**
     * The readable records of one endpoint, for a replica that takes the endpoint over. Unreadable
     * records are set aside as {@link #loadAll} does.
     */
    default List<StoredConnection> loadEndpoint(String endpoint) {
        return loadAll().stream().filter(c -> c.endpoint().equals(endpoint)).toList();
    }

    /**
     * Confirms, in the store's own order of writes, that this replica still holds the endpoint;
     * throws {@link StoreException} when it does not. Called before the device writes that follow
     * no store write of their own (repairs, roll-forwards, orphan sweeps): a replica that lost the
     * endpoint while paused then writes nothing to its device. Writes of connections are checked
     * by the store anyway. A store of one replica always holds every endpoint.
     */
    default void confirmHold(String endpoint) {}

    /**
     * Ids of records found unreadable and set aside: never loaded, never changed or deleted by
     * ensm, kept for an operator to inspect.
     */
    default Set<String> quarantined() {
        return Set.of();
    }

    /**
     * Whether this store has ever held a connection. False for a new store, which tells a first
     * start (or a lost store) from a store that simply has no connections now.
     */
    default boolean hasHeldConnections() {
        return !loadAll().isEmpty();
    }

    @Override
    void close();
}
