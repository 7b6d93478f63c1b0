package io.ensm.netconf.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds on every wait of a session: the TCP connect, the SSH key exchange with authentication,
 * the subsystem and hello exchange, and each RPC unless the caller gives its own.
 */
public record Timeouts(Duration connect, Duration auth, Duration hello, Duration rpc) {
    public static final Timeouts DEFAULTS = new Timeouts(
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(30));

    public Timeouts {
        for (Duration d : new Duration[] {connect, auth, hello, rpc}) {
            Objects.requireNonNull(d, "timeout");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive, got " + d);
            }
        }
    }
}
