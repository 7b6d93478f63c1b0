package io.ensm.core.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A configured endpoint source: its name, the type that makes it, how often it is asked, and its
 * settings.
 */
public record SourceDefinition(String name, String type, Duration interval, Map<String, String> settings) {
    public SourceDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive: " + interval);
        }
        settings = Map.copyOf(settings);
    }
}
