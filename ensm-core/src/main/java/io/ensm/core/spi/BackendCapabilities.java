package io.ensm.core.spi;

import io.ensm.core.model.PlanKind;

import java.util.Set;

/**
 * What a backend can do for one endpoint, read by negotiation instead of asking for vendor names.
 *
 * @param plans       the plans this endpoint's backend can serve
 * @param vlanPool    key of the VLAN-id pool connections of this endpoint draw from (shared by
 *                    endpoints behind the same uplink); empty when the backend needs no VLAN id
 * @param vlans       the VLAN ids usable in that pool
 * @param deviceVxlanIp the address the box terminates VXLAN on, for {@link PlanKind#DEVICE_VXLAN}
 */
public record BackendCapabilities(Set<PlanKind> plans, String vlanPool, VlanRange vlans, String deviceVxlanIp) {
    public BackendCapabilities {
        plans = Set.copyOf(plans);
        vlanPool = vlanPool == null ? "" : vlanPool;
    }

    public boolean needsVlan() {
        return !vlanPool.isEmpty();
    }
}
