package io.ensm.core.spi;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.Segment;
import io.ensm.core.model.VxlanPeer;

/**
 * Everything a backend needs to provision one connection. It carries the connection id so that
 * every object the backend writes can be marked with it (and found again by reconciliation).
 *
 * @param peer    the caller's VXLAN end; null unless the plan tunnels
 * @param segment the shared segment the connection joins (its service's); null for a
 *                point-to-point connection. The segment's VLAN id is the allocation's, its gateway
 *                addresses (with their prefix lengths) the allocation's endpoint addresses.
 */
public record ProvisionIntent(String connectionId, EndpointSpec endpoint, PlanKind plan,
                              Allocation allocation, VxlanPeer peer, int mtu, Segment segment) {

    /** A point-to-point connection's intent. */
    public ProvisionIntent(String connectionId, EndpointSpec endpoint, PlanKind plan, Allocation allocation, VxlanPeer peer, int mtu) {
        this(connectionId, endpoint, plan, allocation, peer, mtu, null);
    }

    public ProvisionIntent withSegment(Segment s) {
        return new ProvisionIntent(connectionId, endpoint, plan, allocation, peer, mtu, s);
    }

    /** The id the segment's shared objects are marked with; only for a segment connection. */
    public String segmentMarker() {
        return Segment.markerId(endpoint.service());
    }
}
