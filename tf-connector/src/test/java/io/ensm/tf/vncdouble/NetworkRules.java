package io.ensm.tf.vncdouble;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.UUID;

/**
 * What OpenSDN's API server adds to a virtual network's user-defined subnets
 * ({@code network_ipam_refs[].attr.ipam_subnets[]}) when they leave it out: a {@code subnet_uuid},
 * the {@code default_gateway} (the subnet's last address - 1) and the service address
 * {@code dns_server_address} (last - 2), which it then keeps for itself.
 */
final class NetworkRules implements TypeRules {

    @Override
    public Runnable preCreate(ObjectStore store, ObjectStore.Obj vn) {
        complete(vn.fields);
        return () -> {};
    }

    @Override
    public Runnable preUpdate(ObjectStore store, ObjectStore.Obj vn, ObjectNode merged) {
        complete(merged);
        return () -> {};
    }

    private static void complete(ObjectNode fields) {
        for (JsonNode ipam : fields.path("network_ipam_refs")) {
            for (JsonNode s : ipam.path("attr").path("ipam_subnets")) {
                if (!(s instanceof ObjectNode subnet)) {
                    continue;
                }
                JsonNode prefix = subnet.path("subnet");
                InetAddress network = InstanceIpRules.parse(prefix.path("ip_prefix").asString(""));
                int bits = network instanceof Inet6Address ? 128 : 32;
                BigInteger last = InstanceIpRules.number(network).add(BigInteger.ONE.shiftLeft(bits - prefix.path("ip_prefix_len").asInt()))
                        .subtract(BigInteger.ONE);
                if (subnet.path("subnet_uuid").asString("").isEmpty()) {
                    subnet.put("subnet_uuid", UUID.randomUUID().toString());
                }
                if (subnet.path("default_gateway").asString("").isEmpty()) {
                    subnet.put("default_gateway", InstanceIpRules.normal(InstanceIpRules.address(last.subtract(BigInteger.ONE), bits)));
                }
                if (subnet.path("dns_server_address").asString("").isEmpty()) {
                    subnet.put("dns_server_address", InstanceIpRules.normal(InstanceIpRules.address(last.subtract(BigInteger.TWO), bits)));
                }
            }
        }
    }
}
