package io.ensm.core.spi;

import io.ensm.core.model.EndpointSpec;

import java.util.Map;

/**
 * Makes backends of one type from plain settings, found through {@link java.util.ServiceLoader}
 * so that a backend can be added without touching the assembly.
 */
public interface BackendProvider {

    /** The type name used in configuration ({@code backend.type}). */
    String type();

    /** Creates the backend for an endpoint; throws IllegalArgumentException naming a bad setting. */
    Backend create(EndpointSpec endpoint, Map<String, String> settings);
}
