package io.ensm.openstack.expose;

import io.ensm.core.spi.ProvisionIntent;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The fixed IPs of a connection's port: the NSE side of its allocated address pairs, or on a
 * segment the client's own addresses (the NSE side is the subnets' gateways, which Neutron keeps).
 */
final class Addresses {
    private Addresses() {}

    /** "172.16.0.1/32" becomes "172.16.0.1". */
    static List<String> of(ProvisionIntent intent) {
        List<String> reserved = intent.segment() == null ? intent.allocation().endpointAddrs() : intent.allocation().clientAddrs();
        return reserved.stream().map(a -> {
            int slash = a.indexOf('/');
            return slash < 0 ? a : a.substring(0, slash);
        }).toList();
    }

    /** Same addresses, whatever the textual form (IPv6 has many). */
    static boolean same(List<String> a, List<String> b) {
        return normalized(a).equals(normalized(b));
    }

    private static Set<String> normalized(List<String> addresses) {
        return addresses.stream().map(Addresses::normalize).collect(Collectors.toSet());
    }

    private static String normalize(String address) {
        try {
            return java.net.InetAddress.ofLiteral(address).getHostAddress();
        } catch (IllegalArgumentException e) {
            return address;
        }
    }
}
