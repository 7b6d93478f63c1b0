package io.ensm.forwarder.netlink;

import java.net.InetAddress;

/**
 * A unicast route of the main table.
 *
 * @param gateway     next hop, null for a directly connected route
 * @param outputIndex ifindex of the outgoing interface, 0 to let the kernel pick it from the gateway
 */
public record Route(InetAddress destination, int prefixLength, InetAddress gateway, int outputIndex) {
    public Route {
        if (prefixLength < 0 || prefixLength > Family.bits(destination)) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " does not fit " + destination.getHostAddress());
        }
        if (gateway == null && outputIndex == 0) {
            throw new IllegalArgumentException("a route needs a gateway or an output interface");
        }
        if (gateway != null && gateway.getClass() != destination.getClass()) {
            throw new IllegalArgumentException("gateway " + gateway.getHostAddress() + " and destination "
                    + destination.getHostAddress() + " are of different address families");
        }
    }

    @Override
    public String toString() {
        return destination.getHostAddress() + "/" + prefixLength + (gateway == null ? "" : " via " + gateway.getHostAddress())
                + (outputIndex == 0 ? "" : " dev #" + outputIndex);
    }
}
