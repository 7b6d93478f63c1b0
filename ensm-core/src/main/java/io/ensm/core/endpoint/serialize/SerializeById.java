package io.ensm.core.endpoint.serialize;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.Chain;
import io.ensm.core.chain.Element;
import io.ensm.core.chain.Failures;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs the rest of the chain for one connection id at a time, so that a Request and a Close (or a
 * refresh and an expiry) of the same connection never interleave. Different ids run in parallel.
 * A caller that waits longer than the bound gets ABORTED instead of piling up.
 */
public final class SerializeById implements Element {
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
    private final Duration maxWait;

    public SerializeById(Duration maxWait) {
        this.maxWait = maxWait;
    }

    @Override
    public Connection request(NetworkServiceRequest request, Chain chain) {
        String id = request.getConnection().getId();
        Slot slot = acquire(id, maxWait);
        try {
            return chain.proceed(request);
        } finally {
            release(id, slot);
        }
    }

    @Override
    public void close(Connection connection, Chain chain) {
        String id = connection.getId();
        Slot slot = acquire(id, maxWait);
        try {
            chain.proceedClose(connection);
        } finally {
            release(id, slot);
        }
    }

    /** Runs work for one connection id under the same lock as its Requests and Closes. */
    public void exclusive(String id, Runnable work) {
        exclusive(id, maxWait, work);
    }

    /**
     * As {@link #exclusive(String, Runnable)}, waiting at most {@code wait} for the lock (ABORTED
     * after that): background work that can come back later need not wait as long as a caller.
     */
    public void exclusive(String id, Duration wait, Runnable work) {
        Slot slot = acquire(id, wait);
        try {
            work.run();
        } finally {
            release(id, slot);
        }
    }

    /** How many ids have a call running or waiting; zero when idle (no slot leaks). */
    public int activeIds() {
        return slots.size();
    }

    private Slot acquire(String id, Duration wait) {
        Slot slot = slots.compute(id, (k, s) -> {
            Slot held = s == null ? new Slot() : s;
            held.users++;
            return held;
        });
        boolean locked = false;
        try {
            locked = slot.lock.tryLock(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            unref(id);
            throw Failures.aborted("another call for connection " + id + " is still running after " + wait.toMillis() + " ms");
        }
        return slot;
    }

    private void release(String id, Slot slot) {
        slot.lock.unlock();
        unref(id);
    }

    private void unref(String id) {
        slots.computeIfPresent(id, (k, s) -> --s.users == 0 ? null : s);
    }

    private static final class Slot {
        final ReentrantLock lock = new ReentrantLock(true);
        int users;
    }
}
