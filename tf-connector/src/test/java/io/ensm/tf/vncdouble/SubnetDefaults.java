package io.ensm.tf.vncdouble;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * What OpenSDN's address management writes into an {@code IpamSubnetType} (of a network's
 * reference or of a flat-subnet network-ipam) that leaves them out: the {@code default_gateway}
 * and the service address {@code dns_server_address}, by default the subnet's last address - 1 and
 * - 2, or its first + 1 and + 2 with {@code addr_from_start}; a subnetted ipam's subnets get
 * neither ("None").
 */
final class SubnetDefaults {
    private SubnetDefaults() {}

    /** Whether the entry names a prefix (a flat-subnet ipam's reference entry does not). */
    static boolean hasPrefix(JsonNode ipamSubnet) {
        return !ipamSubnet.path("subnet").path("ip_prefix").asString("").isEmpty();
    }

    static void complete(ObjectNode ipamSubnet, boolean subnetting) {
        JsonNode prefix = ipamSubnet.path("subnet");
        InetAddress network = InstanceIpRules.parse(prefix.path("ip_prefix").asString(""));
        int bits = network instanceof Inet6Address ? 128 : 32;
        BigInteger first = InstanceIpRules.number(network);
        BigInteger last = first.add(BigInteger.ONE.shiftLeft(bits - prefix.path("ip_prefix_len").asInt())).subtract(BigInteger.ONE);
        boolean fromStart = ipamSubnet.path("addr_from_start").asBoolean(false);
        BigInteger gateway = fromStart ? first.add(BigInteger.ONE) : last.subtract(BigInteger.ONE);
        BigInteger service = fromStart ? first.add(BigInteger.TWO) : last.subtract(BigInteger.TWO);
        if (ipamSubnet.path("default_gateway").asString("").isEmpty()) {
            ipamSubnet.put("default_gateway", subnetting ? "None" : InstanceIpRules.normal(InstanceIpRules.address(gateway, bits)));
        }
        if (ipamSubnet.path("dns_server_address").asString("").isEmpty()) {
            ipamSubnet.put("dns_server_address", subnetting ? "None" : InstanceIpRules.normal(InstanceIpRules.address(service, bits)));
        }
    }
}
