package io.ensm.netconf.session;

import io.ensm.netconf.client.NetconfException;

import java.time.Duration;
import java.util.Optional;

/**
 * The connect circuit of one device: after a failed connect, callers get the last error again
 * (with when the next attempt will be) until a backoff has passed, doubling per consecutive
 * failure up to a maximum; a refused credential or host key holds it open longer. Not thread-safe:
 * the pool guards it with its lock.
 */
final class ConnectCircuit {
    private final PoolSettings settings;
    private int failures;
    private long retryAtNanos;
    private long lastFailureNanos;
    private NetconfException lastFailure;

    ConnectCircuit(PoolSettings settings) {
        this.settings = settings;
    }

    /** The error to give instead of connecting, while the circuit is open or another probe is out. */
    Optional<NetconfException> refusal(long nowNanos, boolean probeInFlight) {
        if (lastFailure == null || (nowNanos >= retryAtNanos && !probeInFlight)) {
            return Optional.empty();
        }
        long agoMs = (nowNanos - lastFailureNanos) / 1_000_000;
        long inMs = Math.max(0, (retryAtNanos - nowNanos) / 1_000_000);
        String detail = lastFailure.detail() + " (last attempt " + agoMs + " ms ago; next attempt in " + inMs + " ms)";
        NetconfException e = lastFailure;
        return Optional.of(switch (e) {
            case NetconfException.Denied d -> new NetconfException.Denied(d.device(), d.step(), detail, null);
            case NetconfException.Unreachable u -> new NetconfException.Unreachable(u.device(), u.step(), detail, null);
            case NetconfException.Busy b -> new NetconfException.Busy(b.device(), b.step(), detail, b.holderSessionId());
            case NetconfException.Rejected r -> new NetconfException.Rejected(r.device(), r.step(), detail);
            case NetconfException.Fenced f -> new NetconfException.Fenced(f.device(), f.step(), detail, f.found(), f.own());
        });
    }

    /** True when connecting is allowed now (closed circuit, or backoff over). */
    boolean allows(long nowNanos) {
        return lastFailure == null || nowNanos >= retryAtNanos;
    }

    boolean open(long nowNanos) {
        return lastFailure != null && nowNanos < retryAtNanos;
    }

    /** Records a successful connect; returns whether the device had been failing. */
    boolean succeeded() {
        boolean recovered = lastFailure != null;
        failures = 0;
        lastFailure = null;
        return recovered;
    }

    /** Whether this failure starts the device's trouble or is of another kind than the last one. */
    boolean changesState(NetconfException e) {
        return lastFailure == null || lastFailure.kind() != e.kind();
    }

    /** Records a failed connect; returns how long the circuit stays open. */
    Duration failed(NetconfException e, long nowNanos) {
        failures++;
        Duration wait = e instanceof NetconfException.Denied ? settings.deniedHold() : backoff(failures);
        lastFailure = e;
        lastFailureNanos = nowNanos;
        retryAtNanos = nowNanos + wait.toNanos();
        return wait;
    }

    int failures() {
        return failures;
    }

    private Duration backoff(int n) {
        long initial = settings.backoffInitial().toMillis();
        long max = settings.backoffMax().toMillis();
        long ms = initial << Math.min(n - 1, 20);
        return Duration.ofMillis(Math.min(max, ms));
    }
}
