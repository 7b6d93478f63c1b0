package io.ensm.core.model;

import java.util.List;
import java.util.Objects;

/**
 * A network service ensm offers: its payload, the address pools connections draw from, and the
 * matches published to the registry for endpoint selection; with a {@link Segment}, one shared
 * layer-2 segment instead of a point-to-point link per connection.
 */
public record ServiceSpec(String name, Payload payload, List<String> cidrs, List<ServiceMatch> matches, Segment segment) {
    public ServiceSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(payload, "payload");
        cidrs = List.copyOf(cidrs);
        matches = List.copyOf(matches);
    }

    /** A point-to-point service: each connection its own link. */
    public ServiceSpec(String name, Payload payload, List<String> cidrs, List<ServiceMatch> matches) {
        this(name, payload, cidrs, matches, null);
    }

    /** Whether all connections of the service join one segment ({@link #segment()} is set). */
    public boolean isSegment() {
        return segment != null;
    }
}
