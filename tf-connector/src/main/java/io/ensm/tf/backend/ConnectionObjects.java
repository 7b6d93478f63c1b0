package io.ensm.tf.backend;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.tf.vnc.FqName;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one connection looks like in TF (the "BMS on fabric" attachment):
 * <ul>
 * <li>a virtual-machine-interface in the network's project, referring to the network, with
 * {@code virtual_machine_interface_properties.sub_interface_vlan_tag} = ensm's VLAN and a bare-metal
 * binding ({@code virtual_machine_interface_bindings}: {@code vnic_type=baremetal}, {@code vpg} = the
 * uplink's virtual-port-group, {@code profile} = its ports as {@code local_link_information}); TF
 * then links it to the group with that VLAN tag;</li>
 * <li>one instance-ip per address family with ensm's address for the endpoint side
 * ({@code instance_ip_address}), referring to the network and the interface.</li>
 * </ul>
 * A connection of a shared segment has no interface of its own: the segment has one, marked with
 * the segment's id ({@link #segment}), and each connection one instance-ip per family with its
 * client address, referring to the network alone ({@link #client}): a reservation that keeps TF from
 * handing the address to anyone else, and that lives and dies independently of the interface.
 * It also says how an object found in TF differs from that, for verification and repair.
 */
final class ConnectionObjects {
    static final String INTERFACE = "virtual-machine-interface";
    static final String INSTANCE_IP = "instance-ip";

    private final String endpoint;
    private final String owner;
    private final ObjectMapper json = new ObjectMapper();

    ConnectionObjects(String endpoint, String owner) {
        this.endpoint = endpoint;
        this.owner = owner;
    }

    record Desired(String connectionId, String interfaceUuid, FqName interfaceName, int vlan, ObjectNode interfaceBody,
                   List<Ip> ips) {}

    /** @param interfaceUuid the interface the instance-ip refers to; null for a segment's client address (the network alone) */
    record Ip(String uuid, FqName name, String address, String family, String interfaceUuid, ObjectNode body) {}

    /** A point-to-point connection's interface and its endpoint-side addresses. */
    Desired desired(ProvisionIntent intent, Anchors a) throws BackendException {
        String id = intent.connectionId();
        int vlan = vlan(intent);
        String vmiUuid = ObjectIds.interfaceUuid(endpoint, id);
        FqName vmiName = ObjectIds.interfaceName(a.network().parent(), id);
        List<Ip> ips = ips(id, intent.allocation().endpointAddrs(), a, vmiUuid, vmiName);
        return new Desired(id, vmiUuid, vmiName, vlan, interfaceBody(id, vmiUuid, vmiName, vlan, a), ips);
    }

    /** The segment's interface, marked with the segment's id; it carries no instance-ip. */
    Desired segment(ProvisionIntent intent, Anchors a) throws BackendException {
        String marker = intent.segmentMarker();
        int vlan = vlan(intent);
        String vmiUuid = ObjectIds.segmentInterfaceUuid(owner, endpoint, marker);
        FqName vmiName = ObjectIds.segmentInterfaceName(a.network().parent(), owner, endpoint, marker);
        return new Desired(marker, vmiUuid, vmiName, vlan, interfaceBody(marker, vmiUuid, vmiName, vlan, a), List.of());
    }

    /**
     * A segment connection's own objects: its client addresses as instance-ips of the network. The
     * interface named is the segment's (not created here: {@link #segment}).
     */
    Desired client(ProvisionIntent intent, Anchors a) throws BackendException {
        Desired s = segment(intent, a);
        String id = intent.connectionId();
        return new Desired(id, s.interfaceUuid(), s.interfaceName(), s.vlan(), s.interfaceBody(),
                ips(id, intent.allocation().clientAddrs(), a, null, null));
    }

    private static int vlan(ProvisionIntent intent) throws BackendException {
        int vlan = intent.allocation().vlanId();
        if (vlan < 1 || vlan > 4094) {
            throw new BackendException(BackendException.Kind.REJECTED, "connection " + intent.connectionId() + " has no VLAN id allocated");
        }
        return vlan;
    }

    private List<Ip> ips(String id, List<String> cidrs, Anchors a, String vmiUuid, FqName vmiName) {
        List<Ip> ips = new ArrayList<>();
        for (String cidr : cidrs) {
            String address = cidr.contains("/") ? cidr.substring(0, cidr.indexOf('/')) : cidr;
            String family = address.indexOf(':') >= 0 ? ObjectIds.V6 : ObjectIds.V4;
            String uuid = ObjectIds.instanceIpUuid(endpoint, id, family);
            FqName name = ObjectIds.instanceIpName(id, family);
            ips.add(new Ip(uuid, name, address, family, vmiUuid, ipBody(id, uuid, name, address, family, a, vmiUuid, vmiName)));
        }
        return List.copyOf(ips);
    }

    private ObjectNode interfaceBody(String id, String uuid, FqName name, int vlan, Anchors a) {
        ObjectNode vmi = json.createObjectNode();
        vmi.set("fq_name", name.toJson());
        vmi.put("parent_type", "project");
        vmi.put("uuid", uuid);
        vmi.put("display_name", "ensm " + endpoint + " connection " + id);
        vmi.set("virtual_network_refs", refs(a.network(), a.networkUuid()));
        vmi.putObject("virtual_machine_interface_properties").put("sub_interface_vlan_tag", vlan);
        ArrayNode bindings = vmi.putObject("virtual_machine_interface_bindings").putArray("key_value_pair");
        bindings.addObject().put("key", "vnic_type").put("value", "baremetal");
        bindings.addObject().put("key", "vpg").put("value", a.portGroup().name());
        bindings.addObject().put("key", "profile").put("value", profile(a));
        vmi.set("annotations", Marker.annotations(endpoint, owner, id));
        return vmi;
    }

    /** The binding profile is a JSON document inside a string, as Neutron sends it. */
    private String profile(Anchors a) {
        ObjectNode profile = json.createObjectNode();
        ArrayNode links = profile.putArray("local_link_information");
        for (Anchors.Link l : a.links()) {
            links.addObject().put("switch_info", l.switchInfo()).put("port_id", l.portId()).put("fabric", l.fabric());
        }
        return json.writeValueAsString(profile);
    }

    private ObjectNode ipBody(String id, String uuid, FqName name, String address, String family, Anchors a,
                              String vmiUuid, FqName vmiName) {
        ObjectNode iip = json.createObjectNode();
        iip.set("fq_name", name.toJson());
        iip.put("uuid", uuid);
        iip.put("display_name", "ensm " + endpoint + " connection " + id);
        iip.put("instance_ip_address", address);
        iip.put("instance_ip_family", family);
        iip.set("virtual_network_refs", refs(a.network(), a.networkUuid()));
        if (vmiUuid != null) {
            iip.set("virtual_machine_interface_refs", refs(vmiName, vmiUuid));
        }
        iip.set("annotations", Marker.annotations(endpoint, owner, id));
        return iip;
    }

    private ArrayNode refs(FqName to, String uuid) {
        ArrayNode refs = json.createArrayNode();
        ObjectNode ref = refs.addObject();
        ref.set("to", to.toJson());
        ref.put("uuid", uuid);
        return refs;
    }

    /** How an interface read from TF differs from the desired one; empty when it does not. */
    Optional<String> interfaceDifference(JsonNode vmi, Desired d, Anchors a) {
        if (!Marker.marks(vmi, endpoint, owner, d.connectionId())) {
            return Optional.of("it does not carry ensm's mark for this connection");
        }
        List<String> networks = refUuids(vmi, "virtual_network_refs");
        if (!networks.equals(List.of(a.networkUuid()))) {
            return Optional.of("virtual_network_refs are " + networks + ", want [" + a.networkUuid() + "]");
        }
        JsonNode tag = vmi.path("virtual_machine_interface_properties").path("sub_interface_vlan_tag");
        if (tag.asInt(0) != d.vlan()) {
            return Optional.of("sub_interface_vlan_tag is " + (tag.isMissingNode() ? "unset" : tag.asString()) + ", want " + d.vlan());
        }
        String vnicType = binding(vmi, "vnic_type");
        String vpg = binding(vmi, "vpg");
        if (!"baremetal".equals(vnicType) || !a.portGroup().name().equals(vpg)) {
            return Optional.of("binding is vnic_type=" + vnicType + " vpg=" + vpg + ", want baremetal on " + a.portGroup().name());
        }
        for (JsonNode ref : vmi.path("virtual_port_group_refs")) {
            if (ref.path("uuid").asString("").equals(a.portGroupUuid()) && ref.path("attr").path("vlan_tag").asInt(0) == d.vlan()) {
                return Optional.empty();
            }
        }
        return Optional.of("it is not bound to virtual-port-group " + a.portGroup().name() + " with VLAN " + d.vlan());
    }

    /** How an instance-ip read from TF differs from the desired one; empty when it does not. */
    Optional<String> ipDifference(JsonNode iip, Ip ip, Desired d, Anchors a) {
        if (!Marker.marks(iip, endpoint, owner, d.connectionId())) {
            return Optional.of("it does not carry ensm's mark for this connection");
        }
        String address = iip.path("instance_ip_address").asString("");
        if (!sameAddress(address, ip.address())) {
            return Optional.of("instance_ip_address is " + address + ", want " + ip.address());
        }
        if (!refUuids(iip, "virtual_network_refs").equals(List.of(a.networkUuid()))) {
            return Optional.of("it does not refer to virtual network " + a.network() + " alone");
        }
        List<String> interfaces = refUuids(iip, "virtual_machine_interface_refs");
        if (ip.interfaceUuid() == null && !interfaces.isEmpty()) {
            return Optional.of("it refers to interfaces " + interfaces + ", want none (a segment's address is the network's alone)");
        }
        if (ip.interfaceUuid() != null && !interfaces.equals(List.of(ip.interfaceUuid()))) {
            return Optional.of("it does not refer to interface " + ip.interfaceUuid() + " alone");
        }
        return Optional.empty();
    }

    static List<String> refUuids(JsonNode object, String field) {
        List<String> uuids = new ArrayList<>();
        object.path(field).forEach(r -> uuids.add(r.path("uuid").asString("")));
        return uuids;
    }

    private static String binding(JsonNode vmi, String key) {
        for (JsonNode pair : vmi.path("virtual_machine_interface_bindings").path("key_value_pair")) {
            if (key.equals(pair.path("key").asString(""))) {
                return pair.path("value").asString("");
            }
        }
        return null;
    }

    /** Whether two address literals name the same address, whatever their form. */
    static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.ofLiteral(a).equals(InetAddress.ofLiteral(b));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
