package io.ensm.core.state;

import io.ensm.core.alloc.ClaimsRefused;
import io.ensm.core.store.ConnectionStore;
import io.ensm.core.store.StoreException;
import io.ensm.core.store.StoredConnection;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * lookups and monitor snapshots never read the disk. Every write goes to the store first and the
 * memory copy changes only after the store accepted it, with one exception: a refresh whose
 * stored expiry already outlasts the caller's next refresh is answered from memory and written
 * behind the reply (see {@link #refresh}).
 */
public final class ConnectionTable implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionTable.class);
    /**
     * The share of a refreshed lifetime by which the caller refreshes again. NSM's refresh client
     * re-requests after a third of its lifetime (at most 0.4 of it deeper in a path); half leaves a
     * margin for a restart or a failover in between.
     */
    static final double NEXT_REFRESH_WITHIN = 0.5;

    private final ConnectionStore store;
    private final Clock clock;
    private final ConcurrentHashMap<String, StoredConnection> live = new ConcurrentHashMap<>();
    /** The expiry of each live connection as the store holds it (behind {@link #live} while a refresh is queued). */
    private final ConcurrentHashMap<String, Instant> durable = new ConcurrentHashMap<>();
    private final RefreshWriter behind;
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
        this(store, Clock.systemUTC());
    }

    public ConnectionTable(ConnectionStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.behind = new RefreshWriter(store, new RefreshWriter.Outcome() {
            @Override
            public void written(StoredConnection refreshed) {
                durable.computeIfPresent(refreshed.id(), (id, was) -> refreshed.expires());
                writeFailure = null;
            }

            @Override
            public boolean failed(StoredConnection refreshed, StoreException e) {
                if (!live.containsKey(refreshed.id())) {
                    // Closed, or its endpoint let go meanwhile: the record is no longer this replica's to write.
                    log.info("event=refresh-write-dropped connection={} endpoint={} reason=\"{}\"", refreshed.id(),
                            refreshed.endpoint(), e.getMessage());
                    return false;
                }
                writeFailure = e.getMessage();
                log.warn("event=refresh-write-failed connection={} endpoint={} reason=\"{}\" next=\"tried again; a refresh"
                        + " the stored expiry no longer covers waits for the store\"", refreshed.id(), refreshed.endpoint(), e.getMessage());
                return true;
            }
        });
    }

    /** Fills the memory copy from the store; returns what was loaded (records the store could not read are left out). */
    public List<StoredConnection> load() {
        List<StoredConnection> all = store.loadAll();
        live.clear();
        durable.clear();
        all.forEach(c -> {
            live.put(c.id(), c);
            durable.put(c.id(), c.expires());
        });
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
            loaded.forEach(c -> {
                live.put(c.id(), c);
                durable.put(c.id(), c.expires());
            });
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
        behind.dropEndpoint(endpoint);
        dropped.forEach(c -> durable.remove(c.id()));
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
        behind.settle(connection.id());
        write(() -> store.put(connection));
        keep(connection, true);
    }

    /**
     * Renews a connection's expiry and last reply. When the expiry in the store still reaches past
     * the caller's next refresh (half the new lifetime from now), the reply does not wait for the
     * store: the write is queued, and a crash before it lands leaves a stored expiry that outlasts
     * the caller's next refresh, which then lands at this replica's successor or after its restart.
     * Otherwise (a caller refreshing late, or writes behind failing for long) the write is made
     * before returning, and a failed write fails the refresh.
     */
    public void refresh(StoredConnection refreshed) {
        Instant stored = durable.get(refreshed.id());
        if (stored != null && !stored.isBefore(nextRefreshBy(refreshed.expires())) && behind.queue(refreshed)) {
            keep(refreshed, false);
            return;
        }
        behind.settle(refreshed.id());
        write(() -> store.refresh(refreshed.id(), refreshed.expires(), refreshed.connection()));
        keep(refreshed, true);
    }

    private Instant nextRefreshBy(Instant expires) {
        Instant now = clock.instant();
        long lifetimeMs = Math.max(0, expires.toEpochMilli() - now.toEpochMilli());
        return now.plusMillis((long) (lifetimeMs * NEXT_REFRESH_WITHIN));
    }

    /** Puts the record in memory; {@code inStore} says whether the store already holds it as it is. */
    private void keep(StoredConnection c, boolean inStore) {
        synchronized (letGo) {
            if (!letGo.contains(c.endpoint())) {
                live.put(c.id(), c);
                if (inStore) {
                    durable.put(c.id(), c.expires());
                }
            }
        }
    }

    public void remove(String id) {
        behind.settle(id);
        write(() -> store.delete(id));
        live.remove(id);
        durable.remove(id);
        onRemoved.accept(id);
    }

    /** Refreshes accepted and not yet in the store. */
    public int refreshBacklog() {
        return behind.backlog();
    }

    /** Waits until the refreshes accepted so far are in the store, at most {@code limit}; returns how many are not. */
    public int flush(Duration limit) {
        return behind.flush(limit);
    }

    /** Writes the refreshes still queued (at most {@code limit}) and stops writing behind; the store stays open. */
    public void close(Duration limit) {
        behind.close(limit);
    }

    @Override
    public void close() {
        behind.close();
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
