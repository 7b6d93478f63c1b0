package io.ensm.netconf.transaction;

import java.time.Duration;

/**
 * @param confirmedCommit   commit with {@code <confirmed/>}, read back, then confirm (the default);
 *                          false commits once and reads back afterwards, which saves the second
 *                          commit (on netconfd about as costly as the first) but cannot take the
 *                          change back if the read-back fails or ensm dies in between
 * @param confirmTimeout    confirm-timeout of the confirmed commit; the confirming commit follows in
 *                          the same session right after the read-back, so this only matters if
 *                          ensm dies in between (the session's end rolls back sooner)
 * @param lockAttempts      lock attempts while another session holds the lock
 * @param lockRetryInitial  pause after the first refused lock; doubles per attempt
 * @param lockRetryMax      upper bound of that pause
 * @param pipelining        send the commit with the read-back, and the confirming commit with the
 *                          unlock, in one write each (the default, two round trips fewer); false
 *                          waits for each reply before the next RPC, for a device that mishandles
 *                          several RPCs in one read
 */
public record TransactionOptions(boolean confirmedCommit, Duration confirmTimeout, int lockAttempts,
                                 Duration lockRetryInitial, Duration lockRetryMax, boolean pipelining) {

    public static final TransactionOptions DEFAULTS =
            new TransactionOptions(true, Duration.ofSeconds(60), 6, Duration.ofMillis(50), Duration.ofMillis(800), true);

    public TransactionOptions {
        if (confirmTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("confirm-timeout must be at least 1 s");
        }
        if (lockAttempts < 1) {
            throw new IllegalArgumentException("lock attempts must be at least 1");
        }
        if (lockRetryInitial.isNegative() || lockRetryMax.compareTo(lockRetryInitial) < 0) {
            throw new IllegalArgumentException("lock retry pauses must satisfy 0 <= initial <= max");
        }
    }

    public TransactionOptions withLockRetry(int attempts, Duration initial, Duration max) {
        return new TransactionOptions(confirmedCommit, confirmTimeout, attempts, initial, max, pipelining);
    }

    public TransactionOptions withConfirmedCommit(boolean on) {
        return new TransactionOptions(on, confirmTimeout, lockAttempts, lockRetryInitial, lockRetryMax, pipelining);
    }

    public TransactionOptions withPipelining(boolean on) {
        return new TransactionOptions(confirmedCommit, confirmTimeout, lockAttempts, lockRetryInitial, lockRetryMax, on);
    }
}
