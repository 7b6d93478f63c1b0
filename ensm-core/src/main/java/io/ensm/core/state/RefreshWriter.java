package io.ensm.core.state;

import io.ensm.core.store.ConnectionStore;
import io.ensm.core.store.StoreException;
import io.ensm.core.store.StoredConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes refreshes to the store behind the replies, on one thread of its own, the latest per
 * connection. {@link ConnectionTable} hands it only refreshes whose loss in a crash is harmless
 * (the expiry already in the store outlasts the caller's next refresh); every other write of a
 * connection first {@link #settle settles} it, so a refresh written late never lands over a newer
 * record.
 */
final class RefreshWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RefreshWriter.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final Duration LAST_RETRY = Duration.ofSeconds(5);

    /** What the table learns from the writes. */
    interface Outcome {
        /** The refresh is in the store. */
        void written(StoredConnection refreshed);

        /**
         * The store refused or failed the write; returns whether to try it again (not when the
         * connection is gone or its endpoint was let go meanwhile).
         */
        boolean failed(StoredConnection refreshed, StoreException e);
    }

    private final ConnectionStore store;
    private final Outcome outcome;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, StoredConnection> queued = new LinkedHashMap<>();
    private Set<String> writing = Set.of();
    private boolean closed;
    /** Started with the first queued refresh: a table that never writes behind holds no thread. */
    private Thread thread;

    RefreshWriter(ConnectionStore store, Outcome outcome) {
        this.store = store;
        this.outcome = outcome;
    }

    /**
     * Queues the refresh in place of any refresh of the same connection not written yet; false
     * once the writer is closed (the caller then writes it itself).
     */
    boolean queue(StoredConnection refreshed) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            queued.remove(refreshed.id());
            queued.put(refreshed.id(), refreshed);
            if (thread == null) {
                thread = Thread.ofVirtual().name("ensm-refresh-writer").start(this::run);
            }
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Drops the connection's queued refresh and waits until none of its refreshes is being written. */
    void settle(String id) {
        lock.lock();
        try {
            queued.remove(id);
            while (writing.contains(id)) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drops the queued refreshes of an endpoint this replica let go: they are the new holder's to write. */
    void dropEndpoint(String endpoint) {
        lock.lock();
        try {
            queued.values().removeIf(c -> c.endpoint().equals(endpoint));
        } finally {
            lock.unlock();
        }
    }

    /** Refreshes queued or being written. */
    int backlog() {
        lock.lock();
        try {
            return queued.size() + writing.size();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until everything queued so far is written or {@code limit} passes; returns what is left. */
    int flush(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        lock.lock();
        try {
            while (!(queued.isEmpty() && writing.isEmpty())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                changed.awaitNanos(left);
            }
            return queued.size() + writing.size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return queued.size() + writing.size();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        Duration retry = FIRST_RETRY;
        while (true) {
            List<StoredConnection> batch;
            lock.lock();
            try {
                while (queued.isEmpty() && !closed) {
                    changed.awaitUninterruptibly();
                }
                if (queued.isEmpty()) {
                    return;
                }
                batch = new ArrayList<>(queued.values());
                queued.clear();
                writing = Set.copyOf(batch.stream().map(StoredConnection::id).toList());
            } finally {
                lock.unlock();
            }
            List<StoredConnection> failed = write(batch);
            lock.lock();
            try {
                writing = Set.of();
                // A newer refresh queued meanwhile replaces the failed one.
                failed.forEach(c -> queued.putIfAbsent(c.id(), c));
                changed.signalAll();
                if (failed.isEmpty()) {
                    retry = FIRST_RETRY;
                    continue;
                }
                if (closed) {
                    log.warn("event=refresh-writes-dropped count={} reason=\"the store failed them at shutdown; the stored"
                            + " expiries outlast the callers' next refreshes\"", queued.size());
                    queued.clear();
                    changed.signalAll();
                    return;
                }
                changed.await(retry.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            Duration doubled = retry.multipliedBy(2);
            retry = doubled.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : doubled;
        }
    }

    private List<StoredConnection> write(List<StoredConnection> batch) {
        Map<String, StoreException> refused;
        try {
            refused = store.refreshAll(batch);
        } catch (RuntimeException e) {
            // Never let one bad write end the writer: the refreshes after it still need writing.
            StoreException failure = e instanceof StoreException se ? se : new StoreException("refresh writes failed: " + e, e);
            refused = new LinkedHashMap<>();
            for (StoredConnection c : batch) {
                refused.put(c.id(), failure);
            }
        }
        List<StoredConnection> failed = new ArrayList<>();
        for (StoredConnection c : batch) {
            StoreException e = refused.get(c.id());
            if (e == null) {
                outcome.written(c);
            } else if (outcome.failed(c, e)) {
                failed.add(c);
            }
        }
        return failed;
    }

    /** Writes what is queued (waiting at most {@code limit}) and stops the writer. */
    void close(Duration limit) {
        int left = flush(limit);
        Thread writer;
        lock.lock();
        try {
            closed = true;
            writer = thread;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (left > 0) {
            log.warn("event=refresh-writes-left count={} reason=\"not written within {}; the stored expiries outlast the"
                    + " callers' next refreshes\"", left, limit);
        }
        if (writer == null) {
            return;
        }
        try {
            writer.join(limit.toMillis() + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
