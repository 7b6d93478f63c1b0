package io.ensm.core.runtime;

import io.ensm.core.model.EndpointSpec;

import java.util.Map;

/**
 * A configured endpoint: its spec and the backend type and settings that make its backend. The
 * string form names the settings but never shows their values: they hold passwords and keys.
 */
public record EndpointDefinition(EndpointSpec spec, String backendType, Map<String, String> backendSettings) {
    public EndpointDefinition {
        backendSettings = Map.copyOf(backendSettings);
    }

    @Override
    public String toString() {
        return "EndpointDefinition[spec=" + spec + ", backendType=" + backendType + ", backendSettings="
                + new java.util.TreeSet<>(backendSettings.keySet()) + "]";
    }
}
