package io.ensm.core.model;

import java.util.List;

/**
 * A service whose connections all join one layer-2 segment instead of each getting a
 * point-to-point link: one VLAN on the endpoint's uplink, the service's CIDRs as the segment's
 * subnets, and a gateway on the far side. Every connection gets one address per subnet with the
 * subnet's prefix length, the gateway as its destination address, and {@code routes} through the
 * gateway; network, broadcast and gateway addresses are never handed out.
 *
 * @param gateways one address in each of the service's CIDRs, the far side's address there
 * @param routes   prefixes the clients reach through the gateway (e.g. 0.0.0.0/0)
 * @param vlanId   the segment's VLAN id on every uplink, or 0 for one from each uplink's pool
 */
public record Segment(List<String> gateways, List<String> routes, int vlanId) {
    /** What objects the segment's connections share are marked with, in place of a connection id. */
    public static final String MARKER_PREFIX = "segment.";

    public Segment {
        gateways = List.copyOf(gateways);
        routes = List.copyOf(routes);
    }

    /** The id the shared objects of the service's segment are marked with. */
    public static String markerId(String service) {
        return MARKER_PREFIX + service;
    }

    /** The service whose segment a marker id names, or null when it names a connection. */
    public static String serviceOf(String markerId) {
        return markerId != null && markerId.startsWith(MARKER_PREFIX) ? markerId.substring(MARKER_PREFIX.length()) : null;
    }
}
