package io.ensm.tf.testbed;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What an operator makes in TF before configuring ensm, made through the API under names no other
 * test uses (TF's state is shared by every test of a run): a project with a network-ipam and the
 * virtual network {@code blue} with subnets, a service-provider-style fabric, a physical router
 * with three physical interfaces, and the virtual-port-group {@code ensm-uplink-<tag>} holding the first
 * interface. The group is created first and the interface added with ref-update, as OpenSDN
 * requires. Works against OpenSDN and against the double.
 *
 * @param tag         the suffix of every name made here
 * @param project     the project's name (under default-domain)
 * @param fabric      the fabric's name (under default-global-system-config)
 * @param router      the physical router's name
 * @param ports       its physical interfaces' uuids, xe-0/0/1..3
 * @param portGroup   the virtual-port-group's name (unique: a group is found by name in any fabric)
 */
public record TfWorld(TfRest rest, String tag, String project, String projectUuid, String ipamUuid, String networkUuid,
                      String fabric, String fabricUuid, String router, List<String> ports, String portGroup,
                      String portGroupUuid) {
    public static final String DOMAIN = "default-domain";
    public static final String GSC = "default-global-system-config";
    public static final String NETWORK_NAME = "blue";
    public static final List<String> PORT_NAMES = List.of("xe-0/0/1", "xe-0/0/2", "xe-0/0/3");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A world with the network's subnets 10.60.0.0/24 and fd00:60::/64. */
    public static TfWorld create(TfRest rest) {
        return create(rest, "10.60.0.0/24", "fd00:60::/64");
    }

    public static TfWorld create(TfRest rest, String... subnets) {
        String tag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        String project = "ensm-test-" + tag;
        String projectUuid = rest.create("project", "domain", List.of(DOMAIN, project), NODES.objectNode());
        String ipam = rest.create("network-ipam", "project", List.of(DOMAIN, project, "ipam"), NODES.objectNode());
        String network = network(rest, List.of(DOMAIN, project, NETWORK_NAME), List.of(DOMAIN, project, "ipam"), subnets);
        String fabric = "fabric-" + tag;
        String fabricUuid = fabric(rest, fabric, false);
        String router = "leaf-" + tag;
        rest.create("physical-router", "global-system-config", List.of(GSC, router), NODES.objectNode());
        List<String> ports = new ArrayList<>();
        for (String p : PORT_NAMES) {
            ports.add(rest.create("physical-interface", "physical-router", List.of(GSC, router, p), NODES.objectNode()));
        }
        String portGroup = "ensm-uplink-" + tag;
        String vpg = portGroup(rest, fabric, portGroup, ports.getFirst());
        return new TfWorld(rest, tag, project, projectUuid, ipam, network, fabric, fabricUuid, router, List.copyOf(ports), portGroup, vpg);
    }

    /** A virtual network with user-defined subnets in one network-ipam; returns its uuid. */
    public static String network(TfRest rest, List<String> fqName, List<String> ipam, String... cidrs) {
        ObjectNode vn = NODES.objectNode();
        ObjectNode ref = vn.putArray("network_ipam_refs").addObject();
        ref.set("to", TfRest.array(ipam));
        ArrayNode list = ref.putObject("attr").putArray("ipam_subnets");
        for (String cidr : cidrs) {
            String[] p = cidr.split("/");
            list.addObject().putObject("subnet").put("ip_prefix", p[0]).put("ip_prefix_len", Integer.parseInt(p[1]));
        }
        return rest.create("virtual-network", "project", fqName, vn);
    }

    /**
     * A network-ipam whose subnets are its own ({@code ipam_subnet_method: flat-subnet}): every
     * network referring to it takes addresses from them; returns its uuid.
     */
    public static String flatIpam(TfRest rest, List<String> fqName, String... cidrs) {
        ObjectNode ipam = NODES.objectNode().put("ipam_subnet_method", "flat-subnet");
        ipam.putObject("ipam_subnets").set("subnets", flatSubnets(cidrs));
        return rest.create("network-ipam", "project", fqName, ipam);
    }

    /** The {@code subnets} list of a flat-subnet network-ipam's {@code ipam_subnets}, one per CIDR. */
    public static ArrayNode flatSubnets(String... cidrs) {
        ArrayNode list = NODES.arrayNode();
        for (String cidr : cidrs) {
            String[] p = cidr.split("/");
            list.addObject().putObject("subnet").put("ip_prefix", p[0]).put("ip_prefix_len", Integer.parseInt(p[1]));
        }
        return list;
    }

    /**
     * A virtual network on a flat-subnet network-ipam; TF allows that for an L3 network only, and
     * writes the reference's {@code ipam_subnets} itself. Returns its uuid.
     */
    public static String flatNetwork(TfRest rest, List<String> fqName, List<String> ipam) {
        ObjectNode vn = NODES.objectNode();
        vn.putObject("virtual_network_properties").put("forwarding_mode", "l3");
        ObjectNode ref = vn.putArray("network_ipam_refs").addObject();
        ref.set("to", TfRest.array(ipam));
        ref.putObject("attr").putArray("ipam_subnets");
        return rest.create("virtual-network", "project", fqName, vn);
    }

    /** A fabric; its style cannot be changed afterwards. */
    public static String fabric(TfRest rest, String name, boolean enterpriseStyle) {
        return rest.create("fabric", "global-system-config", List.of(GSC, name),
                NODES.objectNode().put("fabric_enterprise_style", enterpriseStyle));
    }

    /** A user-created virtual-port-group holding the given physical interfaces (added after the create). */
    public static String portGroup(TfRest rest, String fabric, String name, String... physicalInterfaces) {
        String uuid = rest.create("virtual-port-group", "fabric", List.of(GSC, fabric, name),
                NODES.objectNode().put("virtual_port_group_user_created", true));
        for (String pi : physicalInterfaces) {
            rest.refUpdate("virtual-port-group", uuid, "physical-interface", pi, "ADD");
        }
        return uuid;
    }

    /** The network as the virtual-network setting names it, domain:project:name. */
    public String networkName() {
        return DOMAIN + ":" + project + ":" + NETWORK_NAME;
    }

    public List<String> networkFqName() {
        return List.of(DOMAIN, project, NETWORK_NAME);
    }

    public String port(int i) {
        return ports.get(i);
    }

    /** The interfaces in the world's project (ensm's and anyone else's). */
    public List<String> interfaces() {
        return rest.childUuids("virtual-machine-interface", projectUuid);
    }

    /** The instance-ips in the world's network. */
    public List<String> instanceIps() {
        return rest.referrerUuids("instance-ip", networkUuid);
    }
}
