package io.ensm.core.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a limit passes: one poller for the tests' waits. */
public final class Await {
    private static final long EVERY_MS = 20;

    private Await() {}

    /** Returns once {@code condition} holds; fails naming {@code what} when it does not within {@code limit}. */
    public static void until(Duration limit, BooleanSupplier condition, String what) {
        if (!within(limit, condition)) {
            throw new AssertionError("not within " + limit + ": " + what);
        }
    }

    /** Whether {@code condition} holds within {@code limit}; asked every 20 ms and once more at the limit. */
    public static boolean within(Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(EVERY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", e);
            }
        }
        return condition.getAsBoolean();
    }
}
