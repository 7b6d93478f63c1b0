package io.ensm.netconf.driver;

import java.util.Objects;
import java.util.Optional;

/**
 * A sub-interface read from a box.
 *
 * @param name   its name on the box ({@code eth1.100}, {@code ge-0/0/1.100})
 * @param state  what the box holds; its connection id is the marker's, or empty
 * @param marker the connection id when the object carries ensm's marker, else empty
 */
public record FoundSubInterface(String name, SubInterface state, Optional<String> marker) {
    public FoundSubInterface {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(marker, "marker");
    }

    public boolean marked() {
        return marker.isPresent();
    }
}
