package io.ensm.core.model;

import java.util.Map;
import java.util.Objects;

/** One NSE that ensm answers for: its name, the service it provides and the labels it registers with. */
public record EndpointSpec(String name, String service, Map<String, String> labels) {
    public EndpointSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(service, "service");
        labels = Map.copyOf(labels);
    }
}
