package io.ensm.core.spi;

import java.util.Map;

/** Makes endpoint sources of one type from plain settings, found through {@link java.util.ServiceLoader}. */
public interface EndpointSourceProvider {

    /** The type name used in configuration ({@code discovery[].type}). */
    String type();

    /**
     * Creates the source; throws IllegalArgumentException naming a bad setting.
     *
     * @param name the source's name, which prefixes the names of the endpoints it finds
     */
    EndpointSource create(String name, Map<String, String> settings);
}
