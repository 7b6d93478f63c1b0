package io.ensm.core.state;

import io.ensm.core.alloc.ClaimsRefused;
import io.ensm.core.store.ConnectionStore;
import io.ensm.core.store.StoreException;
import io.ensm.core.store.StoredConnection;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
    /** Why the last write failed; null once a write succeeds. Health reports it. */
    private volatile String writeFailure;
    private volatile Set<String> quarantined = Set.of();
    private volatile Consumer<String> onRemoved = id -> {};
    /**
     * Endpoints let go and not loaded since. A write under way when its endpoint was let go still
     * lands in the store (the new holder loads it) but must not bring the record back into memory:
     * this replica would serve, repair and expire a connection that is no longer its own.
     */
    private final Set<String> letGo = ConcurrentHashMap.newKeySet();

    public ConnectionTable(ConnectionStore store) {
        this.store = store;
    }

    /** Fills the memory copy from the store; returns what was loaded (records the store could not read are left out). */
    public List<StoredConnection> load() {
        List<StoredConnection> all = store.loadAll();
        live.clear();
        all.forEach(c -> live.put(c.id(), c));
        quarantined = Set.copyOf(store.quarantined());
        return all;
    }

    /**
     * Adds one endpoint's records from the store to the memory copy (a replica taking the endpoint
     * over); returns them.
     */
    public List<StoredConnection> loadEndpoint(String endpoint) {
        List<StoredConnection> loaded = store.loadEndpoint(endpoint);
        synchronized (letGo) {
            letGo.remove(endpoint);
            loaded.forEach(c -> live.put(c.id(), c));
        }
        Set<String> unreadable = new java.util.TreeSet<>(quarantined);
        unreadable.addAll(store.quarantined());
        quarantined = Set.copyOf(unreadable);
        return loaded;
    }

    /**
     * Whether the store has records of the endpoint, whichever replica holds it; reads the store,
     * not the memory copy, and leaves the memory copy as it is.
     */
    public boolean storedFor(String endpoint) {
        return !store.loadEndpoint(endpoint).isEmpty();
    }

    /** See {@link ConnectionStore#confirmHold}: throws StoreException when this replica no longer holds the endpoint. */
    public void confirmHold(String endpoint) {
        store.confirmHold(endpoint);
    }

    /**
     * Drops one endpoint's records from the memory copy and nothing else: the store keeps them for
     * the replica that serves the endpoint now. Returns what was dropped.
     */
    public List<StoredConnection> forgetEndpoint(String endpoint) {
        List<StoredConnection> dropped = new java.util.ArrayList<>();
        synchronized (letGo) {
            letGo.add(endpoint);
            live.values().removeIf(c -> c.endpoint().equals(endpoint) && dropped.add(c));
        }
        return dropped;
    }

    /**
     * Ids of the records the store could not read at the last {@link #load}: unknown in every other
     * respect, but their marked objects on devices are theirs, so they count as known to the orphan sweep.
     */
    public Set<String> quarantined() {
        return quarantined;
    }

    public Optional<StoredConnection> get(String id) {
        return Optional.ofNullable(live.get(id));
    }

    public void put(StoredConnection connection) {
        write(() -> store.put(connection));
        keep(connection);
    }

    public void refresh(StoredConnection refreshed) {
        write(() -> store.refresh(refreshed.id(), refreshed.expires(), refreshed.connection()));
        keep(refreshed);
    }

    private void keep(StoredConnection c) {
        synchronized (letGo) {
            if (!letGo.contains(c.endpoint())) {
                live.put(c.id(), c);
            }
        }
    }

    public void remove(String id) {
        write(() -> store.delete(id));
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

    private void write(Runnable write) {
        try {
            write.run();
            writeFailure = null;
        } catch (ClaimsRefused e) {
            writeFailure = null; // the store answered: the values are held by others
            throw e;
        } catch (StoreException e) {
            writeFailure = e.getMessage();
            throw e;
        }
    }

    /** Why the last write to the store failed, while no write has succeeded since. */
    public Optional<String> writeFailure() {
        return Optional.ofNullable(writeFailure);
    }

    public Collection<StoredConnection> all() {
        return Collections.unmodifiableCollection(live.values());
    }

    public int size() {
        return live.size();
    }
}
