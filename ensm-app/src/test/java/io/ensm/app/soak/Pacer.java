package io.ensm.app.soak;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/** Hands out permits at a steady rate shared by all callers; a late caller does not make up for lost time. */
final class Pacer {
    private final long periodNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private long next = System.nanoTime();

    Pacer(double perSecond) {
        this.periodNanos = Math.max(1, Math.round(TimeUnit.SECONDS.toNanos(1) / perSecond));
    }

    void acquire() {
        long at;
        lock.lock();
        try {
            // Idle time is not banked: bursts after a pause would not be a steady rate.
            next = Math.max(next, System.nanoTime() - periodNanos) + periodNanos;
            at = next;
        } finally {
            lock.unlock();
        }
        long wait;
        while ((wait = at - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}
