package io.ensm.openstack;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.Segment;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.ProvisionIntent;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Provision intents as the core makes them for an openstack endpoint. */
final class Intents {
    private Intents() {}

    static EndpointSpec endpoint(String name) {
        return new EndpointSpec(name, "svc", Map.of());
    }

    /** A forwarder-VXLAN connection with a fresh id, the VLAN and one IPv4 address pair. */
    static ProvisionIntent intent(String endpoint, String pool, int vlan, String endpointAddr, String clientAddr) {
        return intent(UUID.randomUUID().toString(), endpoint, pool, vlan, endpointAddr, clientAddr);
    }

    static ProvisionIntent intent(String id, String endpoint, String pool, int vlan, String endpointAddr, String clientAddr) {
        Allocation a = new Allocation(List.of(endpointAddr + "/32"), List.of(clientAddr + "/32"), pool, vlan, 5000 + vlan);
        return new ProvisionIntent(id, endpoint(endpoint), PlanKind.FORWARDER_VXLAN, a, new VxlanPeer("192.0.2.1", 4789), 1450);
    }

    /**
     * A forwarder-VXLAN connection of service {@code svc} on its segment, as the core makes it:
     * the client's addresses and the gateways with the subnets' prefix lengths.
     */
    static ProvisionIntent onSegment(String endpoint, String pool, int vlan, List<String> gateways, List<String> clientAddrs) {
        Allocation a = new Allocation(gateways, clientAddrs, pool, vlan, 0);
        Segment s = new Segment(gateways.stream().map(g -> g.substring(0, g.indexOf('/'))).toList(), List.of("0.0.0.0/0"), 0);
        return new ProvisionIntent(UUID.randomUUID().toString(), endpoint(endpoint), PlanKind.FORWARDER_VXLAN, a,
                new VxlanPeer("192.0.2.1", 4789), 1450, s);
    }

    /** The same connection with other endpoint addresses. */
    static ProvisionIntent withAddress(ProvisionIntent i, String endpointAddr) {
        Allocation a = i.allocation().withAddresses(List.of(endpointAddr + "/32"), i.allocation().clientAddrs());
        return new ProvisionIntent(i.connectionId(), i.endpoint(), i.plan(), a, i.peer(), i.mtu());
    }
}
