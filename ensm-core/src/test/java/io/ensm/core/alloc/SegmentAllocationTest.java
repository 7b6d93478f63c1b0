package io.ensm.core.alloc;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.Segment;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.VlanRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Connections of a segment service share its VLAN per uplink and get one address each from its subnets. */
class SegmentAllocationTest {
    private static final BackendCapabilities UPLINK = new BackendCapabilities(Set.of(PlanKind.FABRIC_VLAN, PlanKind.FORWARDER_VXLAN),
            "uplink:eth1", new VlanRange(100, 109), "");
    private static final ServiceSpec LAN = new ServiceSpec("lan", Payload.ETHERNET, List.of("10.50.0.0/24"), List.of(),
            new Segment(List.of("10.50.0.1"), List.of("0.0.0.0/0"), 0));
    private static final ServiceSpec P2P = new ServiceSpec("p2p", Payload.ETHERNET, List.of("172.16.0.0/24"), List.of());

    private final VlanPools vlans = new VlanPools();

    private PoolAllocator allocator(ServiceSpec... segments) {
        vlans.register(UPLINK.vlanPool(), UPLINK.vlans());
        return new PoolAllocator(Map.of(P2P.name(), new AddressPool(P2P.name(), P2P.cidrs())), List.of(segments), vlans,
                new VniPool(5000, 5009));
    }

    @Test
    void everyConnectionOfTheSegmentGetsItsVlanAndItsOwnAddressAndTheVlanGoesWithTheLast() {
        PoolAllocator a = allocator(LAN);
        Allocation first = a.allocate("c1", LAN, UPLINK, PlanKind.FABRIC_VLAN, List.of());
        Allocation second = a.allocate("c2", LAN, UPLINK, PlanKind.FABRIC_VLAN, List.of());
        Allocation other = a.allocate("p1", P2P, UPLINK, PlanKind.FABRIC_VLAN, List.of());

        assertThat(second.vlanId()).isEqualTo(first.vlanId());
        assertThat(other.vlanId()).as("a point-to-point connection on the same uplink").isNotEqualTo(first.vlanId());
        assertThat(first.clientAddrs()).containsExactly("10.50.0.2/24");
        assertThat(second.clientAddrs()).containsExactly("10.50.0.3/24");
        assertThat(first.endpointAddrs()).containsExactly("10.50.0.1/24");
        assertThat(vlans.inUse(UPLINK.vlanPool())).isEqualTo(2);

        a.release("c1", LAN.name(), first);
        assertThat(vlans.inUse(UPLINK.vlanPool())).as("still one member").isEqualTo(2);
        a.release("c2", LAN.name(), second);
        assertThat(vlans.inUse(UPLINK.vlanPool())).as("the last left").isEqualTo(1);
        assertThat(a.allocate("c3", LAN, UPLINK, PlanKind.FABRIC_VLAN, List.of()).clientAddrs()).containsExactly("10.50.0.2/24");
    }

    @Test
    void aFixedVlanIsKeptFromTheUplinksPointToPointConnections() {
        ServiceSpec fixed = new ServiceSpec("fixed", Payload.ETHERNET, List.of("10.60.0.0/24"), List.of(),
                new Segment(List.of("10.60.0.254"), List.of(), 100));
        PoolAllocator a = allocator(fixed);
        Allocation c = a.allocate("c1", fixed, UPLINK, PlanKind.FABRIC_VLAN, List.of());
        assertThat(c.vlanId()).isEqualTo(100);
        assertThat(c.endpointAddrs()).containsExactly("10.60.0.254/24");
        assertThat(c.clientAddrs()).containsExactly("10.60.0.1/24");
        assertThat(a.allocate("p1", P2P, UPLINK, PlanKind.FABRIC_VLAN, List.of()).vlanId()).isNotEqualTo(100);
    }

    @Test
    void restoredMembersShareTheStoredVlanAndEachVxlanLegHasItsOwnVni() {
        PoolAllocator a = allocator(LAN);
        Allocation stored1 = new Allocation(List.of("10.50.0.1/24"), List.of("10.50.0.7/24"), UPLINK.vlanPool(), 105, 5003);
        Allocation stored2 = new Allocation(List.of("10.50.0.1/24"), List.of("10.50.0.8/24"), UPLINK.vlanPool(), 105, 5004);
        a.restore("c1", LAN.name(), stored1);
        a.restore("c2", LAN.name(), stored2);
        assertThat(a.segmentMembers(LAN.name(), UPLINK.vlanPool())).isEqualTo(2);

        Allocation joined = a.allocate("c3", LAN, UPLINK, PlanKind.FORWARDER_VXLAN, List.of());
        assertThat(joined.vlanId()).isEqualTo(105);
        assertThat(joined.vni()).isNotIn(5003, 5004);
        assertThat(joined.clientAddrs()).containsExactly("10.50.0.2/24");
    }

    @Test
    void aSegmentWithAWrongGatewayStopsTheAllocatorNamingTheService() {
        ServiceSpec bad = new ServiceSpec("bad", Payload.ETHERNET, List.of("10.70.0.0/24"), List.of(),
                new Segment(List.of("10.70.0.0"), List.of(), 0));
        assertThatThrownBy(() -> allocator(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("service bad").hasMessageContaining("network or broadcast");
    }
}
