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
 * @param deviceVxlanPort the UDP port the box takes VXLAN on, for {@link PlanKind#DEVICE_VXLAN}
 * @param reservedAddresses addresses (or CIDRs) the far side's network keeps for itself, e.g. a
 *                    TF subnet's gateway and service address: a new connection's address pair
 *                    never contains one
 */
public record BackendCapabilities(Set<PlanKind> plans, String vlanPool, VlanRange vlans, String deviceVxlanIp,
                                  List<String> reservedAddresses, int deviceVxlanPort) {
    /** IANA's VXLAN port (RFC 7348), what a box takes VXLAN on unless told otherwise. */
    public static final int VXLAN_PORT = 4789;

    public BackendCapabilities {
        plans = Set.copyOf(plans);
        vlanPool = vlanPool == null ? "" : vlanPool;
        reservedAddresses = reservedAddresses == null ? List.of() : List.copyOf(reservedAddresses);
        deviceVxlanPort = deviceVxlanPort == 0 ? VXLAN_PORT : deviceVxlanPort;
    }

    /** Capabilities whose box, if it terminates VXLAN, takes it on {@link #VXLAN_PORT}. */
    public BackendCapabilities(Set<PlanKind> plans, String vlanPool, VlanRange vlans, String deviceVxlanIp,
                               List<String> reservedAddresses) {
        this(plans, vlanPool, vlans, deviceVxlanIp, reservedAddresses, VXLAN_PORT);
    }

    /** Capabilities of a backend whose far side reserves no addresses. */
    public BackendCapabilities(Set<PlanKind> plans, String vlanPool, VlanRange vlans, String deviceVxlanIp) {
        this(plans, vlanPool, vlans, deviceVxlanIp, List.of(), VXLAN_PORT);
    }

    public boolean needsVlan() {
        return !vlanPool.isEmpty();
    }

    /** The same capabilities with other reserved addresses. */
    public BackendCapabilities withReservedAddresses(List<String> reserved) {
        return new BackendCapabilities(plans, vlanPool, vlans, deviceVxlanIp, reserved, deviceVxlanPort);
    }
}
