package io.ensm.netconf.driver;

import java.util.Objects;

/** One change to a box's sub-interfaces; a batch of them becomes one edit-config. */
public sealed interface Change {

    /** Creates the sub-interface, or makes an existing one exactly equal to {@code wanted}. */
    record Put(SubInterface wanted) implements Change {
        public Put {
            Objects.requireNonNull(wanted, "wanted");
        }
    }

    /**
     * Removes the sub-interface named by the parent port and VLAN of {@code existing} (the other
     * fields are not needed); removing an absent one is not an error where the device allows it.
     */
    record Remove(SubInterface existing) implements Change {
        public Remove {
            Objects.requireNonNull(existing, "existing");
        }
    }

    default SubInterface subInterface() {
        return switch (this) {
            case Put p -> p.wanted();
            case Remove r -> r.existing();
        };
    }
}
