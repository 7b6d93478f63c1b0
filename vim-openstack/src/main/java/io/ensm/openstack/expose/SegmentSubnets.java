package io.ensm.openstack.expose;

import io.ensm.core.alloc.IpAddress;
import io.ensm.core.alloc.IpPrefix;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.openstack.neutron.Models.Subnet;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether a Neutron network's subnets are a segment's: for each gateway of the segment (with its
 * subnet's prefix length, as the allocation carries it) the network has that subnet, and Neutron
 * knows the same address as its gateway. Neutron's subnet and gateway are the segment's, so ensm
 * writes nothing shared; a mismatch would put clients on addresses the network's hosts do not
 * reach directly, or route them through an address nobody answers for.
 */
final class SegmentSubnets {
    private SegmentSubnets() {}

    /**
     * @param network  the network as the endpoint names it, for the message
     * @param service  the segment's service, for the message
     * @param gateways the segment's gateways with their prefix lengths, e.g. "10.50.0.1/24"
     * @throws BackendException REJECTED naming the network, the subnet and what differs
     */
    static void check(String network, String service, List<Subnet> subnets, List<String> gateways) throws BackendException {
        for (String g : gateways) {
            IpPrefix wanted;
            IpAddress gateway;
            try {
                wanted = IpPrefix.parseCovering(g);
                gateway = IpAddress.parse(g.substring(0, g.indexOf('/')));
            } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
                throw new BackendException(Kind.REJECTED, "segment of service " + service + ": gateway '" + g
                        + "' is not an address with its subnet's prefix length");
            }
            Subnet match = subnets.stream().filter(s -> wanted.equals(prefixOf(s))).findFirst().orElse(null);
            if (match == null) {
                throw new BackendException(Kind.REJECTED, "network " + network + " has no subnet " + wanted + " for the segment of service "
                        + service + " (its subnets: " + describe(subnets) + "); the service's CIDRs must be the network's subnets");
            }
            IpAddress neutrons = match.gatewayIp() == null ? null : parseOrNull(match.gatewayIp());
            if (!gateway.equals(neutrons)) {
                throw new BackendException(Kind.REJECTED, "network " + network + ": subnet " + match.cidr() + " has "
                        + (match.gatewayIp() == null ? "no gateway" : "gateway " + match.gatewayIp()) + " in Neutron, not the segment's "
                        + gateway + " (service " + service + "); the segment's gateways must be the subnets' gateway_ip");
            }
        }
    }

    private static IpPrefix prefixOf(Subnet s) {
        try {
            return IpPrefix.parseCovering(s.cidr());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static IpAddress parseOrNull(String address) {
        try {
            return IpAddress.parse(address);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String describe(List<Subnet> subnets) {
        if (subnets.isEmpty()) {
            return "none";
        }
        return subnets.stream().map(s -> s.cidr() + (s.gatewayIp() == null ? " without gateway" : " gateway " + s.gatewayIp()))
                .collect(Collectors.joining(", "));
    }
}
