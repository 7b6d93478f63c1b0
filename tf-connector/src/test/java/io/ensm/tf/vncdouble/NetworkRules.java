package io.ensm.tf.vncdouble;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.UUID;

/**
 * What OpenSDN's API server does with a virtual network's references to network-ipams
 * ({@code network_ipam_refs[].attr.ipam_subnets[]}). A user-defined subnet there gets a
 * {@code subnet_uuid} and, when left out, its {@code default_gateway} and service address
 * {@code dns_server_address} ({@link SubnetDefaults}), which TF then keeps for itself. A reference
 * to a flat-subnet ipam may name no subnet (the ipam's are used), needs an L3 network
 * ({@code virtual_network_properties.forwarding_mode: l3}), and an empty one gets a single entry
 * holding only a {@code subnet_uuid}.
 */
final class NetworkRules implements TypeRules {

    @Override
    public Runnable preCreate(ObjectStore store, ObjectStore.Obj vn) {
        complete(store, vn.fields);
        return () -> {};
    }

    @Override
    public Runnable preUpdate(ObjectStore store, ObjectStore.Obj vn, ObjectNode merged) {
        complete(store, merged);
        return () -> {};
    }

    private static void complete(ObjectStore store, ObjectNode fields) {
        boolean flat = false;
        for (JsonNode ref : fields.path("network_ipam_refs")) {
            if (IpamRules.flat(store.get(ref.path("uuid").asString("")))) {
                flat = true;
                for (JsonNode s : ref.path("attr").path("ipam_subnets")) {
                    if (SubnetDefaults.hasPrefix(s)) {
                        throw ApiError.badRequest("with flat-subnet, network can not have user-defined subnet");
                    }
                }
                continue;
            }
            for (JsonNode s : ref.path("attr").path("ipam_subnets")) {
                if (s instanceof ObjectNode subnet && SubnetDefaults.hasPrefix(subnet)) {
                    if (subnet.path("subnet_uuid").asString("").isEmpty()) {
                        subnet.put("subnet_uuid", UUID.randomUUID().toString());
                    }
                    SubnetDefaults.complete(subnet, false);
                }
            }
        }
        if (flat && !fields.path("virtual_network_properties").path("forwarding_mode").asString("").equals("l3")) {
            throw ApiError.badRequest("flat-subnet is allowed only with l3 network");
        }
        for (JsonNode ref : fields.path("network_ipam_refs")) {
            if (IpamRules.flat(store.get(ref.path("uuid").asString(""))) && ref instanceof ObjectNode r
                    && r.path("attr").path("ipam_subnets").isEmpty()) {
                ObjectNode attr = r.path("attr") instanceof ObjectNode a ? a : r.putObject("attr");
                ArrayNode list = attr.putArray("ipam_subnets");
                list.addObject().put("subnet_uuid", UUID.randomUUID().toString());
            }
        }
    }
}
