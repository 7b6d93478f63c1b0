package io.ensm.netconf.session;

import java.time.Duration;

/**
 * Sizing and pacing of one device's session pool.
 *
 * @param maxSessions       sessions open at most (transactions use one each; reads may use another)
 * @param minIdle           sessions kept open while idle, re-opened in the background after a drop
 * @param acquireTimeout    how long a caller waits for a free session before BUSY
 * @param keepAliveInterval an idle session gets a cheap RPC this often; one that fails is closed
 * @param backoffInitial    wait after the first failed connect; doubles per failure
 * @param backoffMax        upper bound of that wait
 * @param deniedHold        wait after a refused password or host key: the circuit stays open this
 *                          long, so a wrong credential does not become a login storm
 */
public record PoolSettings(int maxSessions, int minIdle, Duration acquireTimeout, Duration keepAliveInterval,
                           Duration backoffInitial, Duration backoffMax, Duration deniedHold) {

    public static final PoolSettings DEFAULTS = new PoolSettings(2, 1, Duration.ofSeconds(5), Duration.ofSeconds(30),
            Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(60));

    public PoolSettings {
        if (maxSessions < 1) {
            throw new IllegalArgumentException("max-sessions must be at least 1, got " + maxSessions);
        }
        if (minIdle < 0 || minIdle > maxSessions) {
            throw new IllegalArgumentException("min-idle must be 0.." + maxSessions + ", got " + minIdle);
        }
        for (Duration d : new Duration[] {acquireTimeout, keepAliveInterval, backoffInitial, backoffMax, deniedHold}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("pool durations must be positive, got " + d);
            }
        }
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("backoff-max " + backoffMax + " is below backoff-initial " + backoffInitial);
        }
    }

    public PoolSettings withMaxSessions(int n) {
        return new PoolSettings(n, Math.min(minIdle, n), acquireTimeout, keepAliveInterval, backoffInitial, backoffMax, deniedHold);
    }

    public PoolSettings withMinIdle(int n) {
        return new PoolSettings(maxSessions, n, acquireTimeout, keepAliveInterval, backoffInitial, backoffMax, deniedHold);
    }

    public PoolSettings withBackoff(Duration initial, Duration max, Duration denied) {
        return new PoolSettings(maxSessions, minIdle, acquireTimeout, keepAliveInterval, initial, max, denied);
    }

    public PoolSettings withAcquireTimeout(Duration d) {
        return new PoolSettings(maxSessions, minIdle, d, keepAliveInterval, backoffInitial, backoffMax, deniedHold);
    }

    public PoolSettings withKeepAliveInterval(Duration d) {
        return new PoolSettings(maxSessions, minIdle, acquireTimeout, d, backoffInitial, backoffMax, deniedHold);
    }
}
