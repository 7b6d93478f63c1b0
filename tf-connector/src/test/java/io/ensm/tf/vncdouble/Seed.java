package io.ensm.tf.vncdouble;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Puts the objects an operator (or TF's fabric onboarding) makes before ensm is configured into a
 * double: domain, project, network-ipam, a virtual network with subnets, the fabric with its
 * physical routers and interfaces, and the virtual-port-group of ensm's uplink. It goes through the
 * double's own create rules, without HTTP, so it is not counted as calls.
 */
public final class Seed {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final VncApiDouble api;
    private final ObjectStore store;

    public Seed(VncApiDouble api) {
        this.api = api;
        this.store = api.store();
    }

    /** The usual world of the tests: see {@link Standard}. */
    public static Standard standard(VncApiDouble api) {
        return standard(api, "10.60.0.0/24", "fd00:60::/64");
    }

    /** The usual world with other subnets on the network (e.g. a larger one for benchmarks). */
    public static Standard standard(VncApiDouble api, String... subnets) {
        Seed s = new Seed(api);
        s.create("project", List.of("default-domain", "admin"), NODES.objectNode());
        String ipam = s.create("network-ipam", List.of("default-domain", "admin", "default-network-ipam"), NODES.objectNode());
        String vn = s.virtualNetwork(List.of("default-domain", "admin", "blue"), ipam, subnets);
        s.fabric(Standard.FABRIC, false);
        s.create("physical-router", List.of("default-global-system-config", "leaf1"), NODES.objectNode());
        String p1 = s.physicalInterface("leaf1", "xe-0/0/1");
        s.physicalInterface("leaf1", "xe-0/0/2");
        s.physicalInterface("leaf1", "xe-0/0/3");
        String vpg = s.virtualPortGroup(Standard.FABRIC, Standard.PORT_GROUP, p1);
        return new Standard(vn, vpg);
    }

    /**
     * default-domain:admin:blue (subnets 10.60.0.0/24 and fd00:60::/64) and the service-provider-style
     * fabric ensm-fabric, whose switch leaf1 has xe-0/0/1 (in virtual-port-group ensm-uplink), xe-0/0/2
     * and xe-0/0/3 (in no group); besides what the double makes at start as OpenSDN does.
     */
    public record Standard(String networkUuid, String portGroupUuid) {
        public static final String NETWORK = "default-domain:admin:blue";
        public static final String FABRIC = "ensm-fabric";
        public static final String PORT_GROUP = "ensm-uplink";
    }

    public String create(String type, List<String> fqName, ObjectNode fields) {
        ObjectNode f = fields.deepCopy();
        ArrayNode fq = f.putArray("fq_name");
        fqName.forEach(fq::add);
        TypeSchema schema = TypeSchema.of(type);
        if (schema.parent() != null) {
            f.put("parent_type", schema.parent());
        }
        ObjectNode body = NODES.objectNode();
        body.set(type, f);
        return store.create(type, body).path(type).path("uuid").asString();
    }

    public String virtualNetwork(List<String> fqName, String ipamUuid, String... cidrs) {
        ObjectNode vn = NODES.objectNode();
        ObjectNode ref = vn.putArray("network_ipam_refs").addObject();
        ref.set("to", Names.array(store.get(ipamUuid).fqName()));
        ArrayNode subnets = ref.putObject("attr").putArray("ipam_subnets");
        for (String cidr : cidrs) {
            String[] p = cidr.split("/");
            subnets.addObject().putObject("subnet").put("ip_prefix", p[0]).put("ip_prefix_len", Integer.parseInt(p[1]));
        }
        return create("virtual-network", fqName, vn);
    }

    public String fabric(String name, boolean enterpriseStyle) {
        ObjectNode f = NODES.objectNode().put("fabric_enterprise_style", enterpriseStyle);
        return create("fabric", List.of("default-global-system-config", name), f);
    }

    public String physicalInterface(String router, String port) {
        return create("physical-interface", List.of("default-global-system-config", router, port), NODES.objectNode());
    }

    /** A group holding the interfaces: created first, then the interfaces added, as OpenSDN requires. */
    public String virtualPortGroup(String fabric, String name, String... physicalInterfaceUuids) {
        ObjectNode vpg = NODES.objectNode().put("virtual_port_group_user_created", true);
        String uuid = create("virtual-port-group", List.of("default-global-system-config", fabric, name), vpg);
        for (String pi : physicalInterfaceUuids) {
            api.action("ref-update", "{\"type\":\"virtual-port-group\",\"uuid\":\"" + uuid
                    + "\",\"ref-type\":\"physical-interface\",\"ref-uuid\":\"" + pi + "\",\"operation\":\"ADD\"}");
        }
        return uuid;
    }

    /** An object of the type under the given uuid; null when there is none (for assertions). */
    public static ObjectNode fields(VncApiDouble api, String uuid) {
        ObjectStore.Obj o = api.store().get(uuid);
        return o == null ? null : o.fields();
    }

    /** The uuids of all objects of a type (for assertions). */
    public static List<String> uuids(VncApiDouble api, String type) {
        List<String> out = new ArrayList<>();
        api.store().all(type).forEach(o -> out.add(o.uuid()));
        return out;
    }
}
