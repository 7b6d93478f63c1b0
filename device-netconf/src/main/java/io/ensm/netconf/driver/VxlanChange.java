package io.ensm.netconf.driver;

import java.util.List;
import java.util.Objects;

/** One change to a box's VXLAN networks; each becomes one edit-config, so its parts land together or not at all. */
public sealed interface VxlanChange {

    /**
     * Makes the VLAN and its layer-3 unit exactly {@code wanted} and adds its remote VTEPs to the
     * box's global list (merged: an entry already there is kept as it is).
     */
    record Put(VxlanNetwork wanted) implements VxlanChange {
        public Put {
            Objects.requireNonNull(wanted, "wanted");
        }
    }

    /**
     * Removes the VLAN of {@code existing}'s VNI and its layer-3 unit, and drops {@code dropVteps}
     * from the box's global remote VTEP list: those no other VLAN names any more.
     */
    record Remove(VxlanNetwork existing, List<String> dropVteps) implements VxlanChange {
        public Remove {
            Objects.requireNonNull(existing, "existing");
            dropVteps = List.copyOf(dropVteps);
        }
    }

    default VxlanNetwork network() {
        return switch (this) {
            case Put p -> p.wanted();
            case Remove r -> r.existing();
        };
    }
}
