package io.ensm.core.state;

import io.ensm.core.store.ConnectionStore;
import io.ensm.core.store.StoredConnection;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The live connections: the durable store with an in-memory copy in front of it so that refresh,
 * lookups and monitor snapshots never read the disk. Every write goes to the store first; the
 * memory copy changes only after the store accepted it.
 */
public final class ConnectionTable {
    private final ConnectionStore store;
    private final ConcurrentHashMap<String, StoredConnection> live = new ConcurrentHashMap<>();
    private volatile Consumer<String> onRemoved = id -> {};

    public ConnectionTable(ConnectionStore store) {
        this.store = store;
    }

    /** Fills the memory copy from the store; returns what was loaded. */
    public List<StoredConnection> load() {
        List<StoredConnection> all = store.loadAll();
        live.clear();
        all.forEach(c -> live.put(c.id(), c));
        return all;
    }

    public Optional<StoredConnection> get(String id) {
        return Optional.ofNullable(live.get(id));
    }

    public void put(StoredConnection connection) {
        store.put(connection);
        live.put(connection.id(), connection);
    }

    public void refresh(StoredConnection refreshed) {
        store.refresh(refreshed.id(), refreshed.expires(), refreshed.connection());
        live.put(refreshed.id(), refreshed);
    }

    public void remove(String id) {
        store.delete(id);
        live.remove(id);
        onRemoved.accept(id);
    }

    /**
     * Sets what runs with the id of every connection removed, once the store accepted it, whatever
     * path removed it (Close, a failed Request, recovery). One listener: the expiry timers.
     */
    public void onRemoved(Consumer<String> listener) {
        this.onRemoved = Objects.requireNonNull(listener, "listener");
    }

    public Collection<StoredConnection> all() {
        return Collections.unmodifiableCollection(live.values());
    }

    public int size() {
        return live.size();
    }
}
