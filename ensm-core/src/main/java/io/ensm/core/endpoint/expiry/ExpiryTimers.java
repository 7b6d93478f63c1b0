package io.ensm.core.endpoint.expiry;

import io.ensm.core.state.ConnectionTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One timer per live connection. When it fires, the expiry action (a Close through the chain) runs
 * on its own virtual thread so that a slow backend never delays other timers.
 */
public final class ExpiryTimers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExpiryTimers.class);

    private final ScheduledThreadPoolExecutor scheduler;
    private final ConcurrentHashMap<String, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();
    private final Clock clock;
    private volatile Consumer<String> onExpiry = id -> {};

    public ExpiryTimers(Clock clock) {
        this.clock = clock;
        this.scheduler = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().name("ensm-expiry").daemon().factory());
        this.scheduler.setRemoveOnCancelPolicy(true);
    }

    /**
     * Timers for the connections of {@code table}: a connection the table forgets, by any path,
     * loses its timer with it, so no timer outlives its connection.
     */
    public static ExpiryTimers following(ConnectionTable table, Clock clock) {
        ExpiryTimers timers = new ExpiryTimers(clock);
        table.onRemoved(timers::disarm);
        return timers;
    }

    /** Sets what runs when a connection's time is up (wired after the chain exists). */
    public void onExpiry(Consumer<String> action) {
        this.onExpiry = action;
    }

    /** Arms (or re-arms) the timer of a connection. */
    public void arm(String id, Instant expires) {
        // Rounded up: a timer that fires before the expiry would be ignored as a lost race.
        Duration left = Duration.between(clock.instant(), expires);
        long delay = left.isNegative() ? 0 : left.plusNanos(999_999).toMillis();
        ScheduledFuture<?> f = scheduler.schedule(() -> fire(id), delay, TimeUnit.MILLISECONDS);
        ScheduledFuture<?> old = timers.put(id, f);
        if (old != null) {
            old.cancel(false);
        }
    }

    public void disarm(String id) {
        ScheduledFuture<?> f = timers.remove(id);
        if (f != null) {
            f.cancel(false);
        }
    }

    public int armed() {
        return timers.size();
    }

    private void fire(String id) {
        Thread.ofVirtual().name("ensm-expire-" + id).start(() -> {
            try {
                onExpiry.accept(id);
            } catch (RuntimeException e) {
                log.warn("event=expiry-close-failed connection={} reason=\"{}\"", id, e.getMessage());
            }
        });
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
