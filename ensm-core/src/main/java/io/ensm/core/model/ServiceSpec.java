package io.ensm.core.model;

import java.util.List;
import java.util.Objects;

/**
 * A network service ensm offers: its payload, the address pools connections draw from, and the
 * matches published to the registry for endpoint selection.
 */
public record ServiceSpec(String name, Payload payload, List<String> cidrs, List<ServiceMatch> matches) {
    public ServiceSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(payload, "payload");
        cidrs = List.copyOf(cidrs);
        matches = List.copyOf(matches);
    }
}
