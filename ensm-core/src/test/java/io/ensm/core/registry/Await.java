package io.ensm.core.registry;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls for a condition; the limit is generous because it only bounds failures, never passing runs. */
public final class Await {
    private Await() {}

    public static void until(String what, BooleanSupplier condition) {
        until(what, condition, Duration.ofSeconds(20));
    }

    public static void until(String what, BooleanSupplier condition, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }
}
