package io.ensm.tf.backend;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.testing.Contexts;
import io.ensm.tf.vncdouble.Seed;
import io.ensm.tf.vncdouble.VncApiDouble;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A VNC API double with the standard world, and intents and settings for a tungsten endpoint on it. */
final class TfBed implements AutoCloseable {
    static final String ENDPOINT = "blue-nse";
    static final String UPLINK = "eth1";

    final VncApiDouble api = VncApiDouble.start();
    final Seed.Standard world = Seed.standard(api);
    final Seed seed = new Seed(api);

    Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("api-url", api.url());
        s.put("virtual-network", Seed.Standard.NETWORK);
        s.put("port-group", Seed.Standard.PORT_GROUP);
        s.put("uplink", UPLINK);
        s.put("vlans", "300-399");
        s.put("timeout", "2s");
        s.put("retries", "1");
        return s;
    }

    TungstenBackend backend() {
        return backend(ENDPOINT, settings());
    }

    static TungstenBackend backend(String endpoint, Map<String, String> settings) {
        return backend(endpoint, settings, Contexts.OWNER);
    }

    static TungstenBackend backend(String endpoint, Map<String, String> settings, Owner owner) {
        return (TungstenBackend) new TungstenBackendProvider().create(Contexts.backend(new EndpointSpec(endpoint, "blue", Map.of()),
                settings, owner));
    }

    static ProvisionIntent intent(String id, int vlan, String... endpointAddrs) {
        return intent(id, vlan, PlanKind.FORWARDER_VXLAN, endpointAddrs);
    }

    static ProvisionIntent intent(String id, int vlan, PlanKind plan, String... endpointAddrs) {
        List<String> client = Arrays.stream(endpointAddrs).map(a -> a.replace(".1/", ".2/").replace("::1/", "::2/")).toList();
        Allocation allocation = new Allocation(List.of(endpointAddrs), client, "uplink:" + UPLINK, vlan, 5001);
        VxlanPeer peer = plan == PlanKind.FORWARDER_VXLAN ? new VxlanPeer("192.0.2.1", 4789) : null;
        return new ProvisionIntent(id, new EndpointSpec(ENDPOINT, "blue", Map.of()), plan, allocation, peer, 1450);
    }

    String interfaceUuid(String connectionId) {
        return ObjectIds.interfaceUuid(ENDPOINT, connectionId);
    }

    String ipUuid(String connectionId, String family) {
        return ObjectIds.instanceIpUuid(ENDPOINT, connectionId, family);
    }

    /** The stored fields of an object, or null. */
    ObjectNode fields(String uuid) {
        return Seed.fields(api, uuid);
    }

    /** What a GET of the object shows (with back refs). */
    JsonNode read(String type, String uuid) {
        return api.store().read(type, uuid, true, true).path(type);
    }

    String uuidOf(String type, String... fqName) {
        return api.store().find(type, List.of(fqName)).uuid();
    }

    @Override
    public void close() {
        api.close();
    }
}
