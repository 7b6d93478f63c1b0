package io.ensm.core.registry;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Retry delays that double from {@code initial} up to {@code max}, spread by +/- {@code jitter} so that many
 * endpoints restarted together do not hammer a recovering registry in lockstep.
 */
public record Backoff(Duration initial, Duration max, double jitter) {
    /** NSM's retry starts at 200 ms; the cap keeps recovery after a registry restart within seconds. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("jitter must be in [0, 1): " + jitter);
        }
    }

    /**
     * Delay before retry number {@code failures} (1 = after the first failure).
     *
     * @param random uniform values in [0, 1)
     */
    public Duration delay(int failures, DoubleSupplier random) {
        int doublings = Math.min(Math.max(failures, 1) - 1, 30);
        long base = Math.min(max.toMillis(), initial.toMillis() << doublings);
        double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
        return Duration.ofMillis(Math.max(1, Math.round(base * factor)));
    }
}
