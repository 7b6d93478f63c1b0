package io.ensm.netconf.driver;

import java.util.Optional;

/**
 * ensm's mark on what it writes: the description {@code ensm:<connection-id>}. Reconciliation
 * touches only marked objects, so configuration written by others stays as it is.
 */
public final class Marker {
    public static final String PREFIX = "ensm:";

    private Marker() {}

    public static String description(String connectionId) {
        return PREFIX + connectionId;
    }

    /** The connection id a description names, or empty when the description is not ensm's. */
    public static Optional<String> connectionId(String description) {
        if (description == null || !description.startsWith(PREFIX) || description.length() == PREFIX.length()) {
            return Optional.empty();
        }
        return Optional.of(description.substring(PREFIX.length()));
    }
}
