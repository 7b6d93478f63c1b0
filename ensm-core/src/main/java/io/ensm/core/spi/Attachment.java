package io.ensm.core.spi;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The L2/L3 handle a backend provisioned for one connection. The forwarder cross-connects the
 * cluster leg to it; the store keeps it as a kind plus string parameters.
 */
public sealed interface Attachment {

    /** A VLAN on ensm's uplink towards the box or fabric. */
    record Vlan(String uplink, int vlanId) implements Attachment {
        public Vlan {
            if (vlanId < 1 || vlanId > 4094) {
                throw new IllegalArgumentException("vlan id " + vlanId + " outside 1-4094");
            }
        }
    }

    /** An untagged interface on the ensm host (the box's port, or a dedicated uplink). */
    record Untagged(String interfaceName) implements Attachment {}

    /** A veth end inside a named network namespace on the ensm host. */
    record Namespace(String netns, String interfaceName) implements Attachment {}

    /** The box terminates VXLAN itself: nothing for ensm's forwarder to do. */
    record DeviceVxlan(String deviceIp, int vni) implements Attachment {}

    /** The caller's forwarder reaches the box on a shared fabric VLAN: nothing local to wire. */
    record FabricVlan(int vlanId) implements Attachment {}

    default String kind() {
        return switch (this) {
            case Vlan v -> "vlan";
            case Untagged u -> "untagged";
            case Namespace n -> "namespace";
            case DeviceVxlan d -> "device-vxlan";
            case FabricVlan f -> "fabric-vlan";
        };
    }

    default Map<String, String> parameters() {
        Map<String, String> p = new LinkedHashMap<>();
        switch (this) {
            case Vlan v -> { p.put("uplink", v.uplink()); p.put("vlan", Integer.toString(v.vlanId())); }
            case Untagged u -> p.put("interface", u.interfaceName());
            case Namespace n -> { p.put("netns", n.netns()); p.put("interface", n.interfaceName()); }
            case DeviceVxlan d -> { p.put("device-ip", d.deviceIp()); p.put("vni", Integer.toString(d.vni())); }
            case FabricVlan f -> p.put("vlan", Integer.toString(f.vlanId()));
        }
        return p;
    }

    static Attachment of(String kind, Map<String, String> p) {
        return switch (kind) {
            case "vlan" -> new Vlan(p.get("uplink"), Integer.parseInt(p.get("vlan")));
            case "untagged" -> new Untagged(p.get("interface"));
            case "namespace" -> new Namespace(p.get("netns"), p.get("interface"));
            case "device-vxlan" -> new DeviceVxlan(p.get("device-ip"), Integer.parseInt(p.get("vni")));
            case "fabric-vlan" -> new FabricVlan(Integer.parseInt(p.get("vlan")));
            default -> throw new IllegalArgumentException("unknown attachment kind '" + kind + "'");
        };
    }
}
