package io.ensm.core.spi;

import java.util.Map;

/** Makes the local forwarder from plain settings, found through {@link java.util.ServiceLoader}. */
public interface ForwarderProvider {

    /** The type name used in configuration. */
    String type();

    /** Creates the forwarder; throws IllegalArgumentException naming a bad setting. */
    Forwarder create(Map<String, String> settings);
}
