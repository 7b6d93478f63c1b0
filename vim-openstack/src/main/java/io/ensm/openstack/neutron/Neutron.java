package io.ensm.openstack.neutron;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ensm.core.spi.BackendException;
import io.ensm.openstack.neutron.Models.Network;
import io.ensm.openstack.neutron.Models.Port;
import io.ensm.openstack.neutron.Models.Subnet;
import io.ensm.openstack.neutron.Models.Trunk;
import org.openstack4j.core.transport.HttpMethod;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The Neutron v2.0 requests ensm makes: networks and their subnets, ports with tags, trunks and their subports. */
public final class Neutron {
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final NeutronTransport transport;

    public Neutron(NeutronTransport transport) {
        this.transport = transport;
    }

    /** The extension aliases this Neutron offers. */
    public Set<String> extensions() throws BackendException {
        Set<String> aliases = new TreeSet<>();
        get("/extensions", Map.of()).path("extensions").forEach(e -> aliases.add(e.path("alias").asText()));
        return aliases;
    }

    /** A network by id, or by name when unique; NOT_FOUND or REJECTED (ambiguous) otherwise. */
    public Network network(String idOrName) throws BackendException {
        if (UUID.matcher(idOrName).matches()) {
            return Network.of(get("/networks/" + idOrName, Map.of()).path("network"));
        }
        List<Network> found = networks(Map.of("name", List.of(idOrName)));
        return one(found, "network", idOrName);
    }

    public List<Network> networks(Map<String, List<String>> filters) throws BackendException {
        List<Network> out = new ArrayList<>();
        get("/networks", filters).path("networks").forEach(n -> out.add(Network.of(n)));
        return out;
    }

    /** The subnets of a network. */
    public List<Subnet> subnets(String networkId) throws BackendException {
        List<Subnet> out = new ArrayList<>();
        get("/subnets", Map.of("network_id", List.of(networkId))).path("subnets").forEach(s -> out.add(Subnet.of(s)));
        return out;
    }

    public Port port(String id) throws BackendException {
        return Port.of(get("/ports/" + id, Map.of()).path("port"));
    }

    public List<Port> ports(Map<String, List<String>> filters) throws BackendException {
        List<Port> out = new ArrayList<>();
        get("/ports", filters).path("ports").forEach(p -> out.add(Port.of(p)));
        return out;
    }

    /** Ports carrying every one of the tags. */
    public List<Port> portsTagged(String tag) throws BackendException {
        return ports(Map.of("tags", List.of(tag)));
    }

    /**
     * Creates a port.
     *
     * @param mac  the MAC address, or null for one Neutron chooses
     * @param tags set in the create request (Neutron with the tag-creation extension), or empty
     */
    public Port createPort(String networkId, String name, String description, List<String> addresses, String mac,
                           List<String> tags) throws BackendException {
        ObjectNode port = NODES.objectNode()
                .put("network_id", networkId)
                .put("name", name)
                .put("description", description);
        port.set("fixed_ips", fixedIps(addresses));
        if (mac != null) {
            port.put("mac_address", mac);
        }
        if (!tags.isEmpty()) {
            port.set("tags", strings(tags));
        }
        return Port.of(send(HttpMethod.POST, "/ports", NODES.objectNode().set("port", port)).path("port"));
    }

    public Port updateFixedIps(String portId, List<String> addresses) throws BackendException {
        ObjectNode port = NODES.objectNode();
        port.set("fixed_ips", fixedIps(addresses));
        return Port.of(send(HttpMethod.PUT, "/ports/" + portId, NODES.objectNode().set("port", port)).path("port"));
    }

    /** Replaces the port's tags. */
    public void setPortTags(String portId, List<String> tags) throws BackendException {
        send(HttpMethod.PUT, "/ports/" + portId + "/tags", NODES.objectNode().set("tags", strings(tags)));
    }

    /** Deletes a port; true when it existed. */
    public boolean deletePort(String portId) throws BackendException {
        try {
            send(HttpMethod.DELETE, "/ports/" + portId, null);
            return true;
        } catch (NeutronFailure e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** A trunk by id, or by name when unique. */
    public Trunk trunk(String idOrName) throws BackendException {
        if (UUID.matcher(idOrName).matches()) {
            return Trunk.of(get("/trunks/" + idOrName, Map.of()).path("trunk"));
        }
        List<Trunk> found = new ArrayList<>();
        get("/trunks", Map.of("name", List.of(idOrName))).path("trunks").forEach(t -> found.add(Trunk.of(t)));
        return one(found, "trunk", idOrName);
    }

    public List<Trunk> trunks(Map<String, List<String>> filters) throws BackendException {
        List<Trunk> out = new ArrayList<>();
        get("/trunks", filters).path("trunks").forEach(t -> out.add(Trunk.of(t)));
        return out;
    }

    /** Adds a VLAN subport; Neutron answers 409 DuplicateSubPort when the id is taken on the trunk. */
    public Trunk addSubport(String trunkId, String portId, int vlan) throws BackendException {
        ObjectNode sub = NODES.objectNode().put("port_id", portId).put("segmentation_type", "vlan").put("segmentation_id", vlan);
        ObjectNode body = NODES.objectNode();
        body.set("sub_ports", NODES.arrayNode().add(sub));
        return Trunk.of(send(HttpMethod.PUT, "/trunks/" + trunkId + "/add_subports", body));
    }

    /** Removes a subport; false when the port was not a subport of the trunk. */
    public boolean removeSubport(String trunkId, String portId) throws BackendException {
        ObjectNode body = NODES.objectNode();
        body.set("sub_ports", NODES.arrayNode().add(NODES.objectNode().put("port_id", portId)));
        try {
            send(HttpMethod.PUT, "/trunks/" + trunkId + "/remove_subports", body);
            return true;
        } catch (NeutronFailure e) {
            if ("SubPortNotFound".equals(e.type())) {
                return false;
            }
            throw e;
        }
    }

    private JsonNode get(String path, Map<String, List<String>> query) throws BackendException {
        return transport.send(HttpMethod.GET, path, query, null);
    }

    private JsonNode send(HttpMethod method, String path, JsonNode body) throws BackendException {
        return transport.send(method, path, Map.of(), body);
    }

    private static <T> T one(List<T> found, String what, String name) throws BackendException {
        if (found.isEmpty()) {
            throw new NeutronFailure(BackendException.Kind.NOT_FOUND, 404, "", what + " '" + name + "' not found in Neutron");
        }
        if (found.size() > 1) {
            throw new NeutronFailure(BackendException.Kind.REJECTED, 409, "", found.size() + " " + what + "s are named '" + name
                    + "' in Neutron; name it by id");
        }
        return found.getFirst();
    }

    private static ArrayNode fixedIps(List<String> addresses) {
        ArrayNode ips = NODES.arrayNode();
        addresses.forEach(a -> ips.add(NODES.objectNode().put("ip_address", a)));
        return ips;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = NODES.arrayNode();
        values.forEach(a::add);
        return a;
    }

    /** Query filters in a stable order. */
    public static Map<String, List<String>> filters(String... keyValues) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.computeIfAbsent(keyValues[i], k -> new ArrayList<>()).add(keyValues[i + 1]);
        }
        return m;
    }
}
