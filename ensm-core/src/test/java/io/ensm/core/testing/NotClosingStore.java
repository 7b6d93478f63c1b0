package io.ensm.core.testing;

import io.ensm.core.store.ConnectionStore;
import io.ensm.core.store.StoredConnection;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** One store shared by several runtimes in a test, as each sees it: closing one leaves it to the others. */
public record NotClosingStore(ConnectionStore store) implements ConnectionStore {
    @Override public void put(StoredConnection c) { store.put(c); }
    @Override public void refresh(String id, Instant expires, byte[] connection) { store.refresh(id, expires, connection); }
    @Override public java.util.Map<String, io.ensm.core.store.StoreException> refreshAll(java.util.List<io.ensm.core.store.StoredConnection> refreshed) {
        return store.refreshAll(refreshed);
    }
    @Override public void delete(String id) { store.delete(id); }
    @Override public Optional<StoredConnection> get(String id) { return store.get(id); }
    @Override public List<StoredConnection> loadAll() { return store.loadAll(); }
    @Override public Set<String> quarantined() { return store.quarantined(); }
    @Override public boolean hasHeldConnections() { return store.hasHeldConnections(); }
    @Override public void close() {}
}
