package io.ensm.bench;

import io.ensm.core.store.ConnectionStore;
import io.ensm.core.store.StoredConnection;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A store that times its refresh writes (the only store work of a refresh) into a probe: a refresh alone, or a writer's call. */
final class TimedStore implements ConnectionStore {
    private final ConnectionStore store;
    private final Probe refreshes;

    TimedStore(ConnectionStore store, Probe refreshes) {
        this.store = store;
        this.refreshes = refreshes;
    }

    @Override
    public void put(StoredConnection connection) {
        store.put(connection);
    }

    @Override
    public void refresh(String id, Instant expires, byte[] connection) {
        long t0 = System.nanoTime();
        store.refresh(id, expires, connection);
        refreshes.record(System.nanoTime() - t0);
    }

    /** One sample per call: a commit of the refresh writer, however many refreshes it carries. */
    @Override
    public java.util.Map<String, io.ensm.core.store.StoreException> refreshAll(List<StoredConnection> refreshed) {
        long t0 = System.nanoTime();
        var failed = store.refreshAll(refreshed);
        refreshes.record(System.nanoTime() - t0);
        return failed;
    }

    @Override
    public void delete(String id) {
        store.delete(id);
    }

    @Override
    public Optional<StoredConnection> get(String id) {
        return store.get(id);
    }

    @Override
    public List<StoredConnection> loadAll() {
        return store.loadAll();
    }

    @Override
    public java.util.Set<String> quarantined() {
        return store.quarantined();
    }

    @Override
    public boolean hasHeldConnections() {
        return store.hasHeldConnections();
    }

    @Override
    public void close() {
        store.close();
    }
}
