package io.ensm.core.spi;

import io.ensm.core.model.PlanKind;

import java.util.List;
import java.util.Set;

/**
 * What a backend can do for one endpoint, read by negotiation instead of asking for vendor names.
 * Read at every new connection, so a backend may answer differently over time (its network's
 * reserved addresses may change).
 *
 * @param plans       the plans this endpoint's backend can serve
 * @param vlanPool    key of the VLAN-id pool connections of this endpoint draw from (shared by
 *                    endpoints behind the same uplink); empty when the backend needs no VLAN id
 * @param vlans       the VLAN ids usable in that pool
 * @param deviceVxlanIp the address the box terminates VXLAN on, for {@link PlanKind#DEVICE_VXLAN}
 * @param reservedAddresses addresses (or CIDRs) the far side's network keeps for itself, e.g. a
 *                    TF subnet's gateway and service address: a new connection's address pair
 *                    never contains one
 */
public record BackendCapabilities(Set<PlanKind> plans, String vlanPool, VlanRange vlans, String deviceVxlanIp,
                                  List<String> reservedAddresses) {
    public BackendCapabilities {
        plans = Set.copyOf(plans);
        vlanPool = vlanPool == null ? "" : vlanPool;
        reservedAddresses = reservedAddresses == null ? List.of() : List.copyOf(reservedAddresses);
    }

    /** Capabilities of a backend whose far side reserves no addresses. */
    public BackendCapabilities(Set<PlanKind> plans, String vlanPool, VlanRange vlans, String deviceVxlanIp) {
        this(plans, vlanPool, vlans, deviceVxlanIp, List.of());
    }

    public boolean needsVlan() {
        return !vlanPool.isEmpty();
    }

    /** The same capabilities with other reserved addresses. */
    public BackendCapabilities withReservedAddresses(List<String> reserved) {
        return new BackendCapabilities(plans, vlanPool, vlans, deviceVxlanIp, reserved);
    }
}
