package io.ensm.core.runtime;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts the work in flight (NSM calls, expiry closes, reconcile passes) and, once a shutdown
 * begins, admits no more, so that backends and the store are closed only after what was started
 * has finished, or after a bounded wait.
 */
final class Drain {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private int inFlight;
    private boolean closed;

    /** Starts one unit of work; false once the shutdown began, when the caller must refuse or skip it. */
    boolean enter() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            inFlight++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a unit of work that {@link #enter} admitted. */
    void exit() {
        lock.lock();
        try {
            if (--inFlight == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Admits no more work; returns how many units are in flight. */
    int close() {
        lock.lock();
        try {
            closed = true;
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until nothing is in flight or {@code timeout} passed; returns how many units are still in flight. */
    int awaitIdle(Duration timeout) {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (inFlight > 0 && left > 0) {
                left = idle.awaitNanos(left);
            }
            return inFlight;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }
}
