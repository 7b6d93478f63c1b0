package io.ensm.core.testing;

import io.ensm.core.store.ConnectionStore;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoreException;
import io.ensm.core.store.StoredConnection;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link ConnectionStore} in memory, with fault injection: {@link #failNextWrites} makes the next
 * writes throw {@link StoreException} (and change nothing), as a full disk would.
 */
public final class InMemoryConnectionStore implements ConnectionStore {
    private final Map<String, StoredConnection> rows = new LinkedHashMap<>();
    private final List<String> writes = new ArrayList<>();
    private int failingWrites;
    private String failure = "disk full";
    private boolean closed;
    private boolean held;
    private final java.util.Set<String> quarantined = new java.util.LinkedHashSet<>();

    /** Starts with the given records, as if a previous run had left them. */
    public static InMemoryConnectionStore with(StoredConnection... records) {
        InMemoryConnectionStore s = new InMemoryConnectionStore();
        for (StoredConnection c : records) {
            s.rows.put(c.id(), c);
        }
        s.held = records.length > 0;
        return s;
    }

    private final java.util.Set<String> notHeld = new java.util.HashSet<>();

    /** From now on this replica no longer holds the endpoint: {@link #confirmHold} refuses it, as a shared store would. */
    public synchronized InMemoryConnectionStore loseHold(String endpoint) {
        notHeld.add(endpoint);
        return this;
    }

    @Override
    public synchronized void confirmHold(String endpoint) {
        if (notHeld.contains(endpoint)) {
            throw new StoreException("this replica no longer holds endpoint '" + endpoint + "'", null);
        }
    }

    /** The next {@code count} writes (put, refresh, delete) throw a StoreException with this message. */
    public synchronized void failNextWrites(int count, String message) {
        this.failingWrites = count;
        this.failure = message;
    }

    @Override
    public synchronized void put(StoredConnection connection) {
        write("put " + connection.id() + " " + connection.phase());
        rows.put(connection.id(), connection);
        held = true;
    }

    @Override
    public synchronized boolean hasHeldConnections() {
        return held;
    }

    /** Makes the store say it has held a connection before, as a used store whose connections were all closed. */
    public synchronized InMemoryConnectionStore used() {
        held = true;
        return this;
    }

    @Override
    public synchronized java.util.Set<String> quarantined() {
        return java.util.Set.copyOf(quarantined);
    }

    /** Adds ids of records that a real store would have found unreadable and set aside. */
    public synchronized InMemoryConnectionStore quarantine(String... ids) {
        quarantined.addAll(List.of(ids));
        return this;
    }

    private volatile java.util.concurrent.CountDownLatch refreshGate;
    private final java.util.concurrent.Semaphore heldRefreshes = new java.util.concurrent.Semaphore(0);

    /**
     * From now on every refresh write waits at its start until the returned gate is opened, as on a
     * store slow to commit; {@link #awaitHeldRefresh} tells when one is waiting.
     */
    public Runnable holdRefreshes() {
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        refreshGate = gate;
        return () -> {
            refreshGate = null;
            gate.countDown();
        };
    }

    /** Whether a refresh write came to the gate of {@link #holdRefreshes} within the limit. */
    public boolean awaitHeldRefresh(java.time.Duration limit) throws InterruptedException {
        return heldRefreshes.tryAcquire(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void refresh(String id, Instant expires, byte[] connection) {
        java.util.concurrent.CountDownLatch gate = refreshGate;
        if (gate != null) {
            heldRefreshes.release();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted", e);
            }
        }
        synchronized (this) {
            write("refresh " + id);
            StoredConnection c = rows.get(id);
            if (c != null) {
                rows.put(id, c.refreshed(expires, connection));
            }
        }
    }

    @Override
    public synchronized void delete(String id) {
        write("delete " + id);
        rows.remove(id);
    }

    @Override
    public synchronized Optional<StoredConnection> get(String id) {
        return Optional.ofNullable(rows.get(id));
    }

    @Override
    public synchronized List<StoredConnection> loadAll() {
        return List.copyOf(rows.values());
    }

    /** The phase of a stored record, or null when the id is not stored. */
    public synchronized Phase phaseOf(String id) {
        StoredConnection c = rows.get(id);
        return c == null ? null : c.phase();
    }

    public synchronized int size() {
        return rows.size();
    }

    public synchronized boolean isEmpty() {
        return rows.isEmpty();
    }

    /** Every accepted write in order, like "put ID PENDING", "refresh ID", "delete ID". */
    public synchronized List<String> writes() {
        return List.copyOf(writes);
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private void write(String what) {
        if (closed) {
            throw new StoreException("store is closed", null);
        }
        if (failingWrites > 0) {
            failingWrites--;
            throw new StoreException(failure, null);
        }
        writes.add(what);
    }
}
