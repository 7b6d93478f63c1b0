package io.ensm.tf.backend;

import io.ensm.tf.vnc.FqName;
import io.ensm.tf.vnc.VncClient;
import io.ensm.tf.vnc.VncException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the virtual network, the fabric and the virtual-port-group an endpoint is configured with,
 * and checks that they can carry ensm's connections. A configured object that TF does not have is
 * reported as {@link Missing}, naming the settings key, so a typo stops start-up.
 */
final class AnchorResolver {
    static final FqName GLOBAL_SYSTEM_CONFIG = FqName.of("default-global-system-config");

    private final VncClient client;
    private final TungstenSettings settings;

    AnchorResolver(VncClient client, TungstenSettings settings) {
        this.client = client;
        this.settings = settings;
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
        checkFabric();
        FqName vpgName = GLOBAL_SYSTEM_CONFIG.child(settings.fabric()).child(settings.portGroup());
        String vpgUuid = client.fqNameToId("virtual-port-group", vpgName).orElseThrow(() -> new Missing(TungstenSettings.PORT_GROUP,
                "TF has no virtual-port-group '" + settings.portGroup() + "' in fabric '" + settings.fabric() + "'"));
        return new Anchors(vnName, vnUuid, projectUuid, vpgName, vpgUuid, links(vpgUuid), SubnetReservations.of(vn));
    }

    /** The group's ports, as TF's physical interfaces under their routers. */
    private List<Anchors.Link> links(String vpgUuid) throws VncException, Missing {
        ObjectNode vpg = client.read("virtual-port-group", vpgUuid).orElseThrow(() -> new Missing(TungstenSettings.PORT_GROUP,
                "virtual-port-group '" + settings.portGroup() + "' disappeared while it was being read"));
        List<Anchors.Link> links = new ArrayList<>();
        for (JsonNode ref : vpg.path("physical_interface_refs")) {
            FqName pi = FqName.fromJson(ref.path("to"));
            // [default-global-system-config, <physical-router>, <physical-interface>]
            if (pi.size() == 3) {
                links.add(new Anchors.Link(pi.parts().get(1), pi.parts().get(2), settings.fabric()));
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
     * so a second connection to the same network would always be refused: say so at start.
     */
    private void checkFabric() throws VncException, Missing {
        FqName name = GLOBAL_SYSTEM_CONFIG.child(settings.fabric());
        String uuid = client.fqNameToId("fabric", name).orElseThrow(() -> new Missing(TungstenSettings.FABRIC,
                "TF has no fabric '" + settings.fabric() + "'"));
        ObjectNode fabric = client.read("fabric", uuid).orElseThrow(() -> new Missing(TungstenSettings.FABRIC,
                "fabric '" + settings.fabric() + "' disappeared while it was being read"));
        if (fabric.path("fabric_enterprise_style").asBoolean(false)
                && !fabric.path("disable_vlan_vn_uniqueness_check").asBoolean(false)) {
            throw new Missing(TungstenSettings.FABRIC, "fabric '" + settings.fabric() + "' is enterprise style: TF then allows one VLAN"
                    + " per virtual network on a virtual-port-group, but ensm gives each connection its own VLAN; use a"
                    + " service-provider-style fabric or set disable_vlan_vn_uniqueness_check on it");
        }
    }
}
