package io.ensm.core.endpoint.provision;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed releases told once per endpoint and change: the first failure on an endpoint whose
 * releases worked, or one at another step than the last (the forwarder instead of the device), is
 * a WARN; the ones after it DEBUG until a release there works again, which is one INFO with how
 * many failed meanwhile. Expiries at the start of ensm with a box down are then one line for the
 * box, not one per connection.
 */
final class ReleaseTrouble {
    private static final Logger log = LoggerFactory.getLogger(Provision.class);

    /** Why an endpoint's releases fail, and how many failed since they started to. */
    private record Trouble(String step, int failures) {}

    private final ConcurrentHashMap<String, Trouble> failing = new ConcurrentHashMap<>();

    void failed(String endpoint, String connection, String step, String reason) {
        Trouble[] before = new Trouble[1];
        failing.compute(endpoint, (e, old) -> {
            before[0] = old;
            return new Trouble(step, old == null ? 1 : old.failures() + 1);
        });
        if (before[0] == null || !before[0].step().equals(step)) {
            log.warn("event=release-failed endpoint={} connection={} step=\"{}\" reason=\"{}\" next=\"further release failures"
                    + " on this endpoint at DEBUG until one works\"", endpoint, connection, step, reason);
        } else {
            log.debug("event=release-failed endpoint={} connection={} step=\"{}\" reason=\"{}\"", endpoint, connection, step, reason);
        }
    }

    void released(String endpoint) {
        Trouble trouble = failing.remove(endpoint);
        if (trouble != null) {
            log.info("event=release-recovered endpoint={} failed_meanwhile={}", endpoint, trouble.failures());
        }
    }
}
