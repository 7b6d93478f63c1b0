package io.ensm.openstack.neutron;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** The few Neutron resources ensm reads, as values, and their parsing from Neutron's JSON. */
public final class Models {
    private Models() {}

    /**
     * A network. The provider fields are null when Neutron hides them (the default policy shows
     * them to admins only).
     */
    public record Network(String id, String name, String networkType, String physicalNetwork, Integer segmentationId,
                          List<String> tags, String projectId) {
        public Network {
            tags = List.copyOf(tags);
        }

        public boolean providerVisible() {
            return networkType != null;
        }

        static Network of(JsonNode n) {
            JsonNode seg = n.get("provider:segmentation_id");
            return new Network(n.path("id").asText(), n.path("name").asText(""), text(n, "provider:network_type"),
                    text(n, "provider:physical_network"), seg == null || seg.isNull() ? null : seg.asInt(),
                    strings(n.path("tags")), n.path("project_id").asText(n.path("tenant_id").asText("")));
        }
    }

    public record FixedIp(String subnetId, String ipAddress) {}

    /** A subnet: its CIDR and its gateway ({@code gateway_ip}), null when it has none. */
    public record Subnet(String id, String networkId, String cidr, String gatewayIp) {
        static Subnet of(JsonNode s) {
            return new Subnet(s.path("id").asText(), s.path("network_id").asText(), s.path("cidr").asText(), text(s, "gateway_ip"));
        }
    }

    public record Port(String id, String name, String description, String networkId, String macAddress,
                       List<FixedIp> fixedIps, List<String> tags, String deviceId, String trunkId) {
        public Port {
            fixedIps = List.copyOf(fixedIps);
            tags = List.copyOf(tags);
        }

        public List<String> addresses() {
            return fixedIps.stream().map(FixedIp::ipAddress).toList();
        }

        static Port of(JsonNode p) {
            List<FixedIp> ips = new ArrayList<>();
            p.path("fixed_ips").forEach(ip -> ips.add(new FixedIp(ip.path("subnet_id").asText(""), ip.path("ip_address").asText())));
            JsonNode trunk = p.get("trunk_details");
            return new Port(p.path("id").asText(), p.path("name").asText(""), p.path("description").asText(""),
                    p.path("network_id").asText(), p.path("mac_address").asText(""), ips, strings(p.path("tags")),
                    p.path("device_id").asText(""), trunk == null || trunk.isNull() ? null : trunk.path("trunk_id").asText(null));
        }
    }

    public record Subport(String portId, String segmentationType, int segmentationId) {}

    public record Trunk(String id, String name, String portId, boolean adminStateUp, String status, List<Subport> subports,
                        List<String> tags) {
        public Trunk {
            subports = List.copyOf(subports);
            tags = List.copyOf(tags);
        }

        static Trunk of(JsonNode t) {
            List<Subport> subs = new ArrayList<>();
            t.path("sub_ports").forEach(s -> subs.add(new Subport(s.path("port_id").asText(),
                    s.path("segmentation_type").asText(""), s.path("segmentation_id").asInt())));
            return new Trunk(t.path("id").asText(), t.path("name").asText(""), t.path("port_id").asText(),
                    t.path("admin_state_up").asBoolean(true), t.path("status").asText(""), subs, strings(t.path("tags")));
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
