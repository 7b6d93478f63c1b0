package io.ensm.core.runtime;

import io.ensm.core.model.EndpointSpec;

import java.util.Map;

/** A configured endpoint: its spec and the backend type and settings that make its backend. */
public record EndpointDefinition(EndpointSpec spec, String backendType, Map<String, String> backendSettings) {
    public EndpointDefinition {
        backendSettings = Map.copyOf(backendSettings);
    }
}
