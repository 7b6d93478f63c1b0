package io.ensm.tf.backend;

import io.ensm.core.alloc.AddressPool;
import io.ensm.core.alloc.PoolAllocator;
import io.ensm.core.alloc.VlanPools;
import io.ensm.core.alloc.VniPool;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.tf.testbed.OpenSdn;
import io.ensm.tf.testbed.RealOpenSdn;
import io.ensm.tf.testbed.TfWorld;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenSDN keeps some addresses of each subnet for itself: the network and last (broadcast)
 * addresses, the gateway (last - 1) and the service address (last - 2, its DNS). ensm's pools,
 * handing out addresses of a service's CIDR, must never give one of those to a TF endpoint: the
 * instance-ip would be refused (409 "IP address already in use") or would take TF's gateway. Here
 * the core's own allocator, fed with the backend's capabilities as the runtime does, hands out
 * every pair of a pool at the top of a subnet, and every pair is provisioned on the real server.
 * The subnets are the network's own or, for a network on a flat-subnet network-ipam, the ipam's.
 */
@RealOpenSdn
class TungstenReservedAddressTest {
    private static final String SERVICE = "blue";
    TfBed bed;
    TungstenBackend backend;

    /** A backend with every VLAN id, so that the address pool is what runs out. */
    TungstenBackend backendOn(Map<String, String> settings) {
        settings.put("vlans", "1-4094");
        return TfBed.backend(TfBed.ENDPOINT, settings);
    }

    @AfterEach
    void close() {
        if (backend != null) {
            backend.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    /** Every pair of the pool, as the runtime's allocator hands them out for this backend. */
    List<Allocation> allPairs(String poolCidr) {
        VlanPools vlans = new VlanPools();
        vlans.register(backend.capabilities().vlanPool(), backend.capabilities().vlans());
        PoolAllocator allocator = new PoolAllocator(Map.of(SERVICE, new AddressPool(SERVICE, List.of(poolCidr))), vlans, new VniPool());
        ServiceSpec service = new ServiceSpec(SERVICE, Payload.ETHERNET, List.of(poolCidr), List.of());
        List<Allocation> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            try {
                out.add(allocator.allocate(bed.id("c" + i), service, backend.capabilities(), PlanKind.FABRIC_VLAN, List.of()));
            } catch (StatusRuntimeException exhausted) {
                return out;
            }
        }
    }

    /** Provisions every allocation and reads it back: TF took every address. */
    void provisionAll(List<Allocation> pairs) throws Exception {
        for (int i = 0; i < pairs.size(); i++) {
            Allocation a = pairs.get(i);
            ProvisionIntent intent = new ProvisionIntent(bed.id("c" + i), new EndpointSpec(TfBed.ENDPOINT, SERVICE, Map.of()),
                    PlanKind.FABRIC_VLAN, a, null, 1500);
            backend.provision(intent);
            assertThat(backend.verify(intent)).isEqualTo(Verification.PRESENT);
        }
    }

    static List<String> addresses(List<Allocation> pairs) {
        List<String> out = new ArrayList<>();
        pairs.forEach(a -> {
            out.addAll(a.endpointAddrs());
            out.addAll(a.clientAddrs());
        });
        return out;
    }

    @Test
    void aPoolAtTheTopOfAnIpv4SlashTwentyFourNeverHandsOutTheGatewayOrServiceAddress(OpenSdn server) throws Exception {
        bed = TfBed.on(server, "10.61.0.0/24");
        backend = backendOn(bed.settings());

        List<Allocation> pairs = allPairs("10.61.0.240/28");

        provisionAll(pairs);
        assertThat(addresses(pairs)).doesNotContain("10.61.0.253/32", "10.61.0.254/32", "10.61.0.255/32")
                .contains("10.61.0.251/32", "10.61.0.252/32");
    }

    @Test
    void aWholeSlashTwentyFourPoolSkipsOnlyThePairTfKeeps(OpenSdn server) {
        bed = TfBed.on(server, "10.62.0.0/24");
        backend = backendOn(bed.settings());

        List<Allocation> pairs = allPairs("10.62.0.0/24");

        assertThat(pairs).hasSize(126); // 127 pairs between .1 and .254, less (.253, .254)
        assertThat(addresses(pairs)).doesNotContain("10.62.0.0/32", "10.62.0.253/32", "10.62.0.254/32", "10.62.0.255/32");
    }

    @Test
    void aPoolAtTheTopOfAnIpv6SlashSixtyFourNeverHandsOutTheGatewayOrServiceAddress(OpenSdn server) throws Exception {
        bed = TfBed.on(server, "fd00:61::/64");
        backend = backendOn(bed.settings());

        List<Allocation> pairs = allPairs("fd00:61::ffff:ffff:ffff:fff0/124");

        provisionAll(pairs);
        assertThat(addresses(pairs)).doesNotContain("fd00:61::ffff:ffff:ffff:fffd/128", "fd00:61::ffff:ffff:ffff:fffe/128",
                "fd00:61::ffff:ffff:ffff:ffff/128").contains("fd00:61::ffff:ffff:ffff:fffb/128");
    }

    @Test
    void aSubnetWhoseGatewayAndServiceAddressAreSetElsewhereIsFollowed(OpenSdn server) throws Exception {
        bed = TfBed.on(server);
        // a network whose operator put TF's addresses at the bottom of the subnet
        String green = bed.rest.create("virtual-network", "project", List.of("default-domain", bed.world.project(), "green"),
                (ObjectNode) new ObjectMapper().readTree("{\"network_ipam_refs\":[{\"to\":"
                        + "[\"default-domain\",\"" + bed.world.project() + "\",\"ipam\"],\"attr\":{\"ipam_subnets\":[{\"subnet\":"
                        + "{\"ip_prefix\":\"10.63.0.0\",\"ip_prefix_len\":24},\"default_gateway\":\"10.63.0.1\",\"dns_server_address\":\"10.63.0.2\"}]}}]}"));
        assertThat(green).isNotEmpty();
        Map<String, String> settings = bed.settings();
        settings.put("virtual-network", "default-domain:" + bed.world.project() + ":green");
        backend = backendOn(settings);

        List<Allocation> pairs = allPairs("10.63.0.0/29");

        provisionAll(pairs);
        assertThat(addresses(pairs)).doesNotContain("10.63.0.1/32", "10.63.0.2/32").contains("10.63.0.3/32", "10.63.0.4/32");
    }

    @Test
    void aSubnetAddedToTheNetworkIsReadAtTheNextPass(OpenSdn server) throws Exception {
        bed = TfBed.on(server, "10.64.0.0/24");
        backend = backendOn(bed.settings());
        assertThat(backend.capabilities().reservedAddresses()).containsExactly("10.64.0.0", "10.64.0.255", "10.64.0.254", "10.64.0.253");

        bed.rest.update("virtual-network", bed.world.networkUuid(), "{\"network_ipam_refs\":[{\"to\":[\"default-domain\",\""
                + bed.world.project() + "\",\"ipam\"],\"attr\":{\"ipam_subnets\":[{\"subnet\":{\"ip_prefix\":\"10.64.0.0\",\"ip_prefix_len\":24}},"
                + "{\"subnet\":{\"ip_prefix\":\"10.65.0.0\",\"ip_prefix_len\":24}}]}}]}");
        backend.removeOrphans(id -> true);

        assertThat(backend.capabilities().reservedAddresses()).contains("10.64.0.253", "10.65.0.0", "10.65.0.253", "10.65.0.254",
                "10.65.0.255");
        List<Allocation> pairs = allPairs("10.65.0.248/29");
        provisionAll(pairs);
        assertThat(addresses(pairs)).containsExactly("10.65.0.249/32", "10.65.0.250/32", "10.65.0.251/32", "10.65.0.252/32");
    }

    /**
     * A backend on a new network {@code name} whose addresses come from a flat-subnet network-ipam
     * of its own with these subnets; returns the ipam's uuid.
     */
    String flatNetworkBackend(String name, String... cidrs) {
        String ipam = TfWorld.flatIpam(bed.rest, List.of(TfWorld.DOMAIN, bed.world.project(), name + "-ipam"), cidrs);
        TfWorld.flatNetwork(bed.rest, List.of(TfWorld.DOMAIN, bed.world.project(), name), List.of(TfWorld.DOMAIN, bed.world.project(),
                name + "-ipam"));
        Map<String, String> settings = bed.settings();
        settings.put("virtual-network", TfWorld.DOMAIN + ":" + bed.world.project() + ":" + name);
        backend = backendOn(settings);
        return ipam;
    }

    @Test
    void aPoolAtTheTopOfAFlatIpv4SlashTwentyFourOfTheNetworksIpamNeverHandsOutTheGatewayOrServiceAddress(OpenSdn server)
            throws Exception {
        bed = TfBed.on(server);
        flatNetworkBackend("flat4", "10.67.0.0/24");

        List<Allocation> pairs = allPairs("10.67.0.240/28");

        provisionAll(pairs);
        assertThat(addresses(pairs)).doesNotContain("10.67.0.253/32", "10.67.0.254/32", "10.67.0.255/32")
                .contains("10.67.0.251/32", "10.67.0.252/32");
    }

    @Test
    void aPoolAtTheTopOfAFlatIpv6SlashSixtyFourOfTheNetworksIpamNeverHandsOutTheGatewayOrServiceAddress(OpenSdn server)
            throws Exception {
        bed = TfBed.on(server);
        flatNetworkBackend("flat6", "10.68.0.0/24", "fd00:68::/64");

        List<Allocation> pairs = allPairs("fd00:68::ffff:ffff:ffff:fff0/124");

        provisionAll(pairs);
        assertThat(addresses(pairs)).doesNotContain("fd00:68::ffff:ffff:ffff:fffd/128", "fd00:68::ffff:ffff:ffff:fffe/128",
                "fd00:68::ffff:ffff:ffff:ffff/128").contains("fd00:68::ffff:ffff:ffff:fffb/128");
    }

    @Test
    void aSubnetAddedToTheNetworksFlatIpamIsReadAtTheNextPass(OpenSdn server) throws Exception {
        bed = TfBed.on(server);
        String ipam = flatNetworkBackend("flat", "10.69.0.0/24");
        assertThat(backend.capabilities().reservedAddresses()).containsExactly("10.69.0.0", "10.69.0.255", "10.69.0.254", "10.69.0.253");

        ObjectNode change = JsonNodeFactory.instance.objectNode();
        change.putObject("ipam_subnets").set("subnets", TfWorld.flatSubnets("10.69.0.0/24", "10.70.0.0/24"));
        bed.rest.update("network-ipam", ipam, change);
        backend.removeOrphans(id -> true);

        assertThat(backend.capabilities().reservedAddresses()).contains("10.69.0.253", "10.70.0.0", "10.70.0.253", "10.70.0.254",
                "10.70.0.255");
        List<Allocation> pairs = allPairs("10.70.0.248/29");
        provisionAll(pairs);
        assertThat(addresses(pairs)).containsExactly("10.70.0.249/32", "10.70.0.250/32", "10.70.0.251/32", "10.70.0.252/32");
    }
}
