package io.ensm.core.observe;

import io.ensm.core.spi.BackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether each endpoint's device or VIM answers, judged from the outcome of the last operation on
 * it: unreachable or refusing ensm's credentials is DOWN; any answer, even a refusal of the change,
 * is UP. One log line per change of state, so a box that is down for an hour logs twice, not once
 * per connection and pass.
 */
public final class DeviceStates {
    private static final Logger log = LoggerFactory.getLogger(DeviceStates.class);

    public enum State { UNKNOWN, UP, DOWN }

    /** What health shows for one endpoint; {@code reason} is empty unless DOWN. */
    public record DeviceState(String endpoint, String backend, State state, Instant since, String reason) {}

    private final ConcurrentHashMap<String, DeviceState> states = new ConcurrentHashMap<>();
    private final Clock clock;

    public DeviceStates(Clock clock) {
        this.clock = clock;
    }

    void known(String endpoint, String backend) {
        states.putIfAbsent(endpoint, new DeviceState(endpoint, backend, State.UNKNOWN, clock.instant(), ""));
    }

    void answered(String endpoint, String backend) {
        change(endpoint, backend, State.UP, "");
    }

    void failed(String endpoint, String backend, BackendException e) {
        if (e.kind() == BackendException.Kind.UNREACHABLE || e.kind() == BackendException.Kind.DENIED) {
            change(endpoint, backend, State.DOWN, e.kind() + ": " + e.getMessage());
        } else {
            change(endpoint, backend, State.UP, "");
        }
    }

    void forget(String endpoint) {
        states.remove(endpoint);
    }

    private void change(String endpoint, String backend, State state, String reason) {
        DeviceState[] was = new DeviceState[1];
        DeviceState now = states.compute(endpoint, (k, old) -> {
            was[0] = old;
            return old != null && old.state() == state ? old : new DeviceState(endpoint, backend, state, clock.instant(), reason);
        });
        DeviceState before = was[0];
        if (before == now) {
            return;
        }
        String from = before == null ? State.UNKNOWN.name() : before.state().name();
        if (state == State.DOWN) {
            log.warn("event=device-down endpoint={} backend={} was={} reason=\"{}\"", endpoint, backend, from, reason);
        } else if (before != null && before.state() == State.DOWN) {
            log.info("event=device-up endpoint={} backend={} down_since={}", endpoint, backend, before.since());
        }
    }

    /** Every endpoint's state, by name. */
    public Map<String, DeviceState> all() {
        return new TreeMap<>(states);
    }
}
