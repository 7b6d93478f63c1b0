package io.ensm.tf.vncdouble;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenSDN's network-ipam rules ({@code NetworkIpamServer}): an ipam's subnet method is
 * {@code user-defined-subnet} (the networks' references hold the subnets) unless it is created as
 * {@code flat-subnet}, and cannot be changed; only a flat-subnet ipam holds subnets of its own
 * ({@code ipam_subnets.subnets[]}), each completed with its gateway and service address as a
 * network's are. Not modelled: overlap checks, allocation pools, subnets still in use.
 */
final class IpamRules implements TypeRules {
    static final String FLAT = "flat-subnet";
    private static final String METHOD = "ipam_subnet_method";

    @Override
    public Runnable preCreate(ObjectStore store, ObjectStore.Obj ipam) {
        ObjectNode f = ipam.fields;
        if (f.path(METHOD).asString("").isEmpty()) {
            f.put(METHOD, "user-defined-subnet");
        }
        if (f.has("ipam_subnets") && !f.path(METHOD).asString().equals(FLAT)) {
            throw ApiError.badRequest("ipam-subnets are allowed only with flat-subnet");
        }
        complete(f);
        return () -> {};
    }

    @Override
    public Runnable preUpdate(ObjectStore store, ObjectStore.Obj ipam, ObjectNode merged) {
        String method = ipam.fields.path(METHOD).asString("");
        if (!merged.path(METHOD).asString("").equals(method)) {
            throw ApiError.badRequest("ipam_subnet_method can not be changed");
        }
        if (!method.equals(FLAT) && !merged.path("ipam_subnets").equals(ipam.fields.path("ipam_subnets"))) {
            throw ApiError.badRequest("ipam-subnets are allowed only with flat-subnet");
        }
        complete(merged);
        return () -> {};
    }

    static boolean flat(ObjectStore.Obj ipam) {
        return ipam != null && ipam.fields.path(METHOD).asString("").equals(FLAT);
    }

    private static void complete(ObjectNode fields) {
        boolean subnetting = fields.path("ipam_subnetting").asBoolean(false);
        for (JsonNode s : fields.path("ipam_subnets").path("subnets")) {
            if (s instanceof ObjectNode subnet && SubnetDefaults.hasPrefix(subnet)) {
                SubnetDefaults.complete(subnet, subnetting);
            }
        }
    }
}
