package io.ensm.tf.vncdouble;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The virtual-machine-interface rules of TF's API server (vnc_cfg_api_server's
 * {@code VirtualMachineInterfaceServer}) for the bare-metal ("BMS on fabric") case:
 * <ul>
 * <li>a virtual network ref is required; {@code sub_interface_vlan_tag} must be 0-4094 (400);</li>
 * <li>a MAC is assigned when none is sent (all zeros for a bare-metal port without links);
 * {@code vif_type}/{@code vnic_type} bindings get their defaults;</li>
 * <li>{@code vnic_type=baremetal} with a {@code vpg} binding and/or a {@code profile} with
 * {@code local_link_information} ({@code switch_info} = physical-router, {@code port_id} =
 * physical-interface, optional {@code fabric}) attaches the interface to that virtual-port-group:
 * an unknown port is 404 ("No such Physical Interface object"), a port already in another group
 * 400 ("already belong to the vpg"), an unknown group 404 ("Vpg object ... is not found");</li>
 * <li>the VLAN checks of the group's fabric: service-provider style refuses a second interface
 * with the same network and VLAN on a group; enterprise style allows one VLAN per network on a
 * group, one network per VLAN, and one VLAN per network across the fabric (all 400), unless
 * {@code disable_vlan_vn_uniqueness_check} is set;</li>
 * <li>once stored: the group's {@code physical_interface_refs} become the sent links (when any
 * are sent), the interface refers to the group with {@code attr.vlan_tag}, and the group refers
 * to the interface with a ref relaxed for delete, so deleting the interface just drops it.</li>
 * </ul>
 * Not modelled: groups created on the fly when no {@code vpg} is named ({@code vpg-internal-N}),
 * sub-interface parents, untagged ({@code tor_port_vlan_id}) checks beyond storing
 * {@code native_vlan_tag}.
 */
final class InterfaceRules implements TypeRules {
    static final List<String> GSC = List.of("default-global-system-config");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Override
    public Runnable preCreate(ObjectStore store, ObjectStore.Obj vmi) {
        ObjectNode f = vmi.fields;
        String vn = network(f);
        int vlan = vlan(f);
        Map<String, String> kv = bindings(f);
        JsonNode links = links(kv);
        if (!f.has("virtual_machine_interface_mac_addresses")) {
            boolean bareWithoutLinks = "baremetal".equals(kv.get("vnic_type")) && links.isEmpty();
            f.putObject("virtual_machine_interface_mac_addresses").putArray("mac_address")
                    .add(bareWithoutLinks ? "00:00:00:00:00:00" : mac(vmi.uuid));
        }
        if (f.has("virtual_machine_interface_bindings")) {
            ArrayNode pairs = f.withObjectProperty("virtual_machine_interface_bindings").withArrayProperty("key_value_pair");
            if (!kv.containsKey("vif_type")) {
                pairs.addObject().put("key", "vif_type").put("value", "vrouter");
            }
            if (!kv.containsKey("vnic_type")) {
                pairs.addObject().put("key", "vnic_type").put("value", "normal");
            }
        }
        return bind(store, vmi, f, kv, links, vn, vlan);
    }

    @Override
    public Runnable preUpdate(ObjectStore store, ObjectStore.Obj vmi, ObjectNode merged) {
        String vn = network(merged);
        int vlan = vlan(merged);
        Map<String, String> kv = bindings(merged);
        return bind(store, vmi, merged, kv, links(kv), vn, vlan);
    }

    private Runnable bind(ObjectStore store, ObjectStore.Obj vmi, ObjectNode f, Map<String, String> kv, JsonNode links,
                          String vn, int vlan) {
        if (!"baremetal".equals(kv.get("vnic_type"))) {
            return () -> {};
        }
        List<String> vpgRefs = ObjectStore.refUuids(f, "virtual-port-group");
        if (kv.get("vpg") == null && !kv.containsKey("profile") && vpgRefs.isEmpty()) {
            return () -> {}; // an Ironic port before its binding: nothing to attach yet
        }
        Association a = associate(store, vmi.uuid, links, vpgRefs, kv.get("vpg"), vn, vlan);
        boolean untagged = kv.containsKey("tor_port_vlan_id");
        if (vpgRefs.isEmpty()) {
            ObjectNode attr = NODES.objectNode().put(untagged ? "native_vlan_tag" : "vlan_tag", vlan);
            ObjectNode ref = f.putArray("virtual_port_group_refs").addObject();
            ref.set("to", array(a.vpg.fqName));
            ref.put("uuid", a.vpg.uuid);
            ref.set("attr", attr);
        }
        return () -> {
            if (a.ports != null) {
                for (String old : ObjectStore.refUuids(a.vpg.fields, "physical-interface")) {
                    if (!a.ports.contains(old)) {
                        store.removeRef(a.vpg, "physical-interface", old);
                    }
                }
                for (String pi : a.ports) {
                    store.addRef(a.vpg, store.get(pi), null);
                }
            }
            store.addRef(a.vpg, store.get(vmi.uuid), null);
            store.relax(a.vpg.uuid, vmi.uuid);
        };
    }

    /** The group to attach to and, when links were sent, its new set of ports. */
    private record Association(ObjectStore.Obj vpg, List<String> ports) {}

    private Association associate(ObjectStore store, String vmiUuid, JsonNode links, List<String> vpgRefs, String vpgName,
                                   String vn, int vlan) {
        String fabric = null;
        List<ObjectStore.Obj> ports = new ArrayList<>();
        for (JsonNode link : links) {
            String lf = link.path("fabric").asString("");
            if (!lf.isEmpty()) {
                if (fabric != null && !fabric.equals(lf)) {
                    throw ApiError.badRequest("Physical interfaces in the same vpg should belong to the same fabric");
                }
                fabric = lf;
            } else {
                fabric = vpgRefs.isEmpty() ? "default-fabric" : store.get(vpgRefs.getFirst()).fqName.get(1);
            }
            List<String> piName = List.of(GSC.getFirst(), link.path("switch_info").asString(""), link.path("port_id").asString(""));
            ObjectStore.Obj pi = store.find("physical-interface", piName);
            if (pi == null) {
                throw ApiError.notFound("Unable to attach Physical interface to Virtual Port Group ("
                        + (vpgName == null ? "vpg-internal-missing" : vpgName) + "). No such Physical Interface object ("
                        + piName.getLast() + ") exists");
            }
            ports.add(pi);
        }
        if (fabric == null) {
            if (vpgRefs.isEmpty()) {
                throw ApiError.badRequest("Unable to retrieve fabric name. No physical interfaces and no vpg refs");
            }
            fabric = store.get(vpgRefs.getFirst()).fqName.get(1);
        }
        for (ObjectStore.Obj pi : ports) {
            for (ObjectStore.Obj owner : store.referrers(pi.uuid)) {
                if (owner.type.equals("virtual-port-group") && !owner.fqName.getLast().equals(vpgName)) {
                    throw ApiError.badRequest("Physical interface " + PyRepr.of(pi.fqName) + " already belong to the vpg "
                            + owner.fqName.getLast());
                }
            }
        }
        if (vpgName == null) {
            throw ApiError.badRequest("this VNC API double does not create virtual-port-groups on the fly: name one in the 'vpg' binding");
        }
        ObjectStore.Obj vpg = store.find("virtual-port-group", List.of(GSC.getFirst(), fabric, vpgName));
        if (vpg == null) {
            throw ApiError.notFound("Vpg object " + vpgName + " is not found");
        }
        checkVlan(store, vpg, vmiUuid, vn, vlan);
        return new Association(vpg, ports.isEmpty() ? null : ports.stream().map(p -> p.uuid).toList());
    }

    /** The fabric's VLAN/network uniqueness rules (TF keeps them as ZooKeeper nodes; here they are computed). */
    private void checkVlan(ObjectStore store, ObjectStore.Obj vpg, String vmiUuid, String vn, int vlan) {
        ObjectStore.Obj fabric = store.get(vpg.parentUuid);
        if (vlan == 0 || fabric.fields.path("disable_vlan_vn_uniqueness_check").asBoolean(false)) {
            return;
        }
        boolean enterprise = fabric.fields.path("fabric_enterprise_style").asBoolean(false);
        for (ObjectStore.Obj other : attached(store, vpg, vmiUuid)) {
            String otherVn = network(other.fields);
            int otherVlan = attachedVlan(other, vpg.uuid);
            if (enterprise && otherVn.equals(vn) && otherVlan != vlan) {
                throw ApiError.badRequest("vlan:(" + otherVlan + ") already exists in virtual port group:(" + vpg.uuid
                        + ") with virtual network:(" + vn + ")");
            }
            if (otherVlan == vlan && (enterprise || otherVn.equals(vn))) {
                throw ApiError.badRequest("Virtual machine interface:(" + other.uuid + ") already exists in virtual network:("
                        + vn + ") with vlan(" + vlan + ")");
            }
        }
        if (enterprise) {
            for (ObjectStore.Obj group : store.all("virtual-port-group")) {
                if (!Objects.equals(group.parentUuid, fabric.uuid)) {
                    continue;
                }
                for (ObjectStore.Obj other : attached(store, group, vmiUuid)) {
                    boolean sameVn = network(other.fields).equals(vn);
                    boolean sameVlan = attachedVlan(other, group.uuid) == vlan;
                    if (sameVn != sameVlan) {
                        throw ApiError.badRequest("Virtual network:(" + vn + ") with other vlan(" + vlan + ") already exists in fabric:("
                                + fabric.uuid + ")");
                    }
                }
            }
        }
    }

    private static List<ObjectStore.Obj> attached(ObjectStore store, ObjectStore.Obj vpg, String except) {
        List<ObjectStore.Obj> vmis = new ArrayList<>();
        for (String uuid : ObjectStore.refUuids(vpg.fields, "virtual-machine-interface")) {
            ObjectStore.Obj o = store.get(uuid);
            if (o != null && !uuid.equals(except)) {
                vmis.add(o);
            }
        }
        return vmis;
    }

    private static int attachedVlan(ObjectStore.Obj vmi, String vpgUuid) {
        for (JsonNode ref : vmi.fields.path("virtual_port_group_refs")) {
            if (ref.path("uuid").asString("").equals(vpgUuid)) {
                return ref.path("attr").path("vlan_tag").asInt(0);
            }
        }
        return vlan(vmi.fields);
    }

    private static String network(JsonNode f) {
        List<String> vns = ObjectStore.refUuids(f, "virtual-network");
        if (vns.isEmpty()) {
            throw ApiError.badRequest("Virtual Machine Interface must have valid Virtual Network reference");
        }
        return vns.getFirst();
    }

    private static int vlan(JsonNode f) {
        int tag = f.path("virtual_machine_interface_properties").path("sub_interface_vlan_tag").asInt(0);
        if (tag < 0 || tag > 4094) {
            throw ApiError.badRequest("Invalid sub-interface VLAN tag ID: " + tag);
        }
        return tag;
    }

    private static Map<String, String> bindings(JsonNode f) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (JsonNode pair : f.path("virtual_machine_interface_bindings").path("key_value_pair")) {
            kv.put(pair.path("key").asString(""), pair.path("value").asString(""));
        }
        return kv;
    }

    /** {@code local_link_information} of the {@code profile} binding (a JSON document in a string). */
    private static JsonNode links(Map<String, String> kv) {
        String profile = kv.get("profile");
        if (profile == null || profile.isBlank()) {
            return NODES.arrayNode();
        }
        try {
            return JSON.readTree(profile).path("local_link_information");
        } catch (JacksonException e) {
            throw ApiError.badRequest("Bad request: binding profile is not JSON: " + profile);
        }
    }

    private static String mac(String uuid) {
        String hex = uuid.replace("-", "");
        return "02:" + hex.substring(0, 2) + ":" + hex.substring(2, 4) + ":" + hex.substring(4, 6) + ":" + hex.substring(6, 8) + ":"
                + hex.substring(8, 10);
    }

    private static ArrayNode array(List<String> items) {
        ArrayNode a = NODES.arrayNode();
        items.forEach(a::add);
        return a;
    }
}
