package io.ensm.tf.backend;

import io.ensm.tf.vnc.FqName;
import io.ensm.tf.vnc.VncClient;
import io.ensm.tf.vnc.VncException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the virtual network, the virtual-port-group and its fabric an endpoint is configured with,
 * and checks that they can carry ensm's connections. A configured object that TF does not have is
 * reported as {@link Missing}, naming the settings key, so a typo stops start-up. Without the
 * {@code fabric} setting the group is looked for in every fabric (the one found last is tried
 * first, so a pass costs the same as with the setting).
 */
final class AnchorResolver {
    static final FqName GLOBAL_SYSTEM_CONFIG = FqName.of("default-global-system-config");

    private final VncClient client;
    private final TungstenSettings settings;
    private final boolean segment;
    private volatile String lastFabric;

    /** @param segment whether the endpoint's connections share one segment (one VLAN, which any fabric allows) */
    AnchorResolver(VncClient client, TungstenSettings settings, boolean segment) {
        this.client = client;
        this.settings = settings;
        this.segment = segment;
        this.lastFabric = settings.fabric();
    }

    /** A configured object is absent or unusable; {@code key} is the setting to correct. */
    static final class Missing extends Exception {
        private final String key;

        Missing(String key, String message) {
            super(message);
            this.key = key;
        }

        String key() {
            return key;
        }
    }

    Anchors resolve() throws VncException, Missing {
        FqName vnName = settings.virtualNetwork();
        String vnUuid = client.fqNameToId("virtual-network", vnName).orElseThrow(() -> new Missing(TungstenSettings.VIRTUAL_NETWORK,
                "TF has no virtual network " + vnName + " (POST /fqname-to-id answered 404)"));
        ObjectNode vn = client.read("virtual-network", vnUuid).orElseThrow(() -> new Missing(TungstenSettings.VIRTUAL_NETWORK,
                "virtual network " + vnName + " disappeared while it was being read"));
        String projectUuid = vn.path("parent_uuid").asString("");
        if (projectUuid.isEmpty()) {
            throw new Missing(TungstenSettings.VIRTUAL_NETWORK, "virtual network " + vnName + " has no parent project in TF's answer");
        }
        Group group = portGroup();
        FqName vpgName = group.name();
        String vpgUuid = group.uuid();
        ObjectNode vpg = client.read("virtual-port-group", vpgUuid).orElseThrow(() -> new Missing(TungstenSettings.PORT_GROUP,
                "virtual-port-group '" + settings.portGroup() + "' disappeared while it was being read"));
        checkFabric(vpgName.parts().get(1), vpg.path("parent_uuid").asString(""));
        return new Anchors(vnName, vnUuid, projectUuid, vpgName, vpgUuid, links(vpg, vpgName.parts().get(1)), reserved(vn));
    }

    /** What TF keeps in the network's subnets, reading the network-ipams whose own subnets it uses. */
    private List<String> reserved(ObjectNode vn) throws VncException {
        List<ObjectNode> ipams = new ArrayList<>();
        for (String uuid : SubnetReservations.flatIpams(vn)) {
            // its subnets only: a shared ipam's back refs name every network on it
            client.read("network-ipam", uuid, List.of("ipam_subnets")).ifPresent(ipams::add);
        }
        return SubnetReservations.of(vn, ipams);
    }

    /** A virtual-port-group found by name. */
    private record Group(FqName name, String uuid) {}

    /** The group: in the configured fabric, or in the one fabric that has a group of that name. */
    private Group portGroup() throws VncException, Missing {
        String configured = settings.fabric();
        if (configured != null) {
            FqName name = GLOBAL_SYSTEM_CONFIG.child(configured).child(settings.portGroup());
            Optional<String> uuid = client.fqNameToId("virtual-port-group", name);
            if (uuid.isPresent()) {
                return new Group(name, uuid.get());
            }
            if (client.fqNameToId("fabric", GLOBAL_SYSTEM_CONFIG.child(configured)).isEmpty()) {
                throw new Missing(TungstenSettings.FABRIC, "TF has no fabric '" + configured + "'");
            }
            throw new Missing(TungstenSettings.PORT_GROUP, "TF has no virtual-port-group '" + settings.portGroup() + "' in fabric '"
                    + configured + "'");
        }
        String known = lastFabric;
        if (known != null) {
            FqName name = GLOBAL_SYSTEM_CONFIG.child(known).child(settings.portGroup());
            Optional<String> uuid = client.fqNameToId("virtual-port-group", name);
            if (uuid.isPresent()) {
                return new Group(name, uuid.get());
            }
        }
        List<String> fabrics = new ArrayList<>();
        List<Group> holding = new ArrayList<>();
        for (ObjectNode f : client.list("fabric", null, List.of(), false)) {
            FqName fabric = FqName.fromJson(f.path("fq_name"));
            if (fabric.size() != 2) {
                continue;
            }
            fabrics.add(fabric.name());
            Optional<String> uuid = client.fqNameToId("virtual-port-group", fabric.child(settings.portGroup()));
            uuid.ifPresent(u -> holding.add(new Group(fabric.child(settings.portGroup()), u)));
        }
        if (holding.isEmpty()) {
            throw new Missing(TungstenSettings.PORT_GROUP, "TF has no virtual-port-group '" + settings.portGroup() + "' in any fabric"
                    + " (fabrics: " + String.join(", ", fabrics) + "): create it there with the fabric ports that lead to ensm's uplink");
        }
        if (holding.size() > 1) {
            throw new Missing(TungstenSettings.FABRIC, "virtual-port-group '" + settings.portGroup() + "' is in more than one fabric ("
                    + String.join(", ", holding.stream().map(g -> g.name().parts().get(1)).toList()) + "): set "
                    + TungstenSettings.FABRIC + " to the one of ensm's uplink");
        }
        lastFabric = holding.getFirst().name().parts().get(1);
        return holding.getFirst();
    }

    /** The group's ports, as TF's physical interfaces under their routers. */
    private List<Anchors.Link> links(ObjectNode vpg, String fabric) throws Missing {
        List<Anchors.Link> links = new ArrayList<>();
        for (JsonNode ref : vpg.path("physical_interface_refs")) {
            FqName pi = FqName.fromJson(ref.path("to"));
            // [default-global-system-config, <physical-router>, <physical-interface>]
            if (pi.size() == 3) {
                links.add(new Anchors.Link(pi.parts().get(1), pi.parts().get(2), fabric));
            }
        }
        if (links.isEmpty()) {
            throw new Missing(TungstenSettings.PORT_GROUP, "virtual-port-group '" + settings.portGroup()
                    + "' has no physical interfaces: attach the fabric ports that lead to ensm's uplink to it");
        }
        return links;
    }

    /**
     * An enterprise-style fabric lets a virtual network use one VLAN only on a virtual-port-group,
     * so a second point-to-point connection to the same network would always be refused: say so at
     * start, with what the operator can do (a fabric's style is fixed when it is created). A
     * segment's connections share one interface and one VLAN, which such a fabric allows.
     */
    private void checkFabric(String name, String uuid) throws VncException, Missing {
        ObjectNode fabric = uuid.isEmpty() ? null : client.read("fabric", uuid).orElse(null);
        if (fabric == null) {
            throw new Missing(TungstenSettings.FABRIC, "fabric '" + name + "' of virtual-port-group '" + settings.portGroup()
                    + "' disappeared while it was being read");
        }
        if (!segment && fabric.path("fabric_enterprise_style").asBoolean(false)
                && !fabric.path("disable_vlan_vn_uniqueness_check").asBoolean(false)) {
            throw new Missing(TungstenSettings.FABRIC, "fabric '" + name + "' (holding virtual-port-group '" + settings.portGroup()
                    + "') is enterprise style: TF then allows one VLAN per virtual network on a virtual-port-group, but ensm gives"
                    + " each connection its own VLAN, so a second connection to the network would be refused. A fabric's style cannot"
                    + " be changed (a new TF's own default-fabric is enterprise style). Either create a fabric with"
                    + " fabric_enterprise_style=false, move virtual-port-group '" + settings.portGroup() + "' there and set "
                    + TungstenSettings.FABRIC + " to it (or leave " + TungstenSettings.FABRIC + " unset: the fabric holding the group"
                    + " is used), or set disable_vlan_vn_uniqueness_check=true on fabric '" + name + "' (TF then checks no VLAN"
                    + " of any network on that fabric), or make the endpoint's service a shared segment (ensm.services[i].segment:"
                    + " all its connections on one VLAN)");
        }
    }
}
