package io.ensm.core.alloc;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.Segment;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.VlanRange;
import io.ensm.core.testing.SharedClaims;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas, each with its own pools, serving one segment through endpoints behind the same
 * uplink: one VLAN id for the segment, one address per client, the id kept until the last leaves.
 */
class SegmentClaimsTest {
    private static final BackendCapabilities UPLINK = new BackendCapabilities(Set.of(PlanKind.FABRIC_VLAN),
            "uplink:eth1", new VlanRange(100, 109), "");
    private static final ServiceSpec LAN = new ServiceSpec("lan", Payload.ETHERNET, List.of("10.50.0.0/24"), List.of(),
            new Segment(List.of("10.50.0.1"), List.of(), 0));
    private static final ServiceSpec P2P = new ServiceSpec("p2p", Payload.ETHERNET, List.of("172.16.0.0/24"), List.of());
    private static final Claims.Claim VLAN_100 = new Claims.Claim("vlan/uplink:eth1", "100");

    private final SharedClaims shared = new SharedClaims();

    private ClaimingAllocator replica() {
        VlanPools vlans = new VlanPools();
        vlans.register(UPLINK.vlanPool(), UPLINK.vlans());
        return new ClaimingAllocator(new PoolAllocator(Map.of(P2P.name(), new AddressPool(P2P.name(), P2P.cidrs())),
                List.of(LAN), vlans, new VniPool(5000, 5009)), shared);
    }

    @Test
    void replicasJoiningOneSegmentAgreeOnItsVlanAndHandOutEachAddressOnce() {
        ClaimingAllocator a = replica();
        ClaimingAllocator b = replica();
        // ensm-a's own pool would pick 102 next: 100 and 101 went to point-to-point connections, one given back.
        Allocation pa = a.allocate("pa", P2P, UPLINK, PlanKind.FABRIC_VLAN, List.of());
        a.allocate("pb", P2P, UPLINK, PlanKind.FABRIC_VLAN, List.of());
        a.release("pa", P2P.name(), pa);

        Allocation first = b.allocate("c1", LAN, UPLINK, PlanKind.FABRIC_VLAN, List.of());
        Allocation second = a.allocate("c2", LAN, UPLINK, PlanKind.FABRIC_VLAN, List.of());
        Allocation third = a.allocate("c3", LAN, UPLINK, PlanKind.FABRIC_VLAN, List.of());

        assertThat(first.vlanId()).isEqualTo(100);
        assertThat(List.of(second.vlanId(), third.vlanId())).as("the segment's id, not ensm-a's own pick").containsOnly(100);
        assertThat(List.of(first.clientAddrs(), second.clientAddrs(), third.clientAddrs())).as("one address each")
                .doesNotHaveDuplicates();
        assertThat(first.endpointAddrs()).containsExactly("10.50.0.1/24");
        assertThat(second.endpointAddrs()).as("the gateway is every member's far side").containsExactly("10.50.0.1/24");
        assertThat(shared.holders()).containsEntry(VLAN_100, "segment:lan")
                .containsEntry(new Claims.Claim("segment-vlans/uplink:eth1", "lan"), "vlan:100");
    }

    @Test
    void theSegmentsVlanStaysClaimedUntilItsLastMemberAtAnyReplicaLeaves() {
        ClaimingAllocator a = replica();
        ClaimingAllocator b = replica();
        Allocation first = a.allocate("c1", LAN, UPLINK, PlanKind.FABRIC_VLAN, List.of());
        Allocation second = b.allocate("c2", LAN, UPLINK, PlanKind.FABRIC_VLAN, List.of());

        a.release("c1", LAN.name(), first);
        assertThat(shared.holders()).as("c2 at ensm-b is still on it").containsEntry(VLAN_100, "segment:lan");
        a.forgetForeign();
        Allocation p2p = a.allocate("p1", P2P, UPLINK, PlanKind.FABRIC_VLAN, List.of());
        assertThat(p2p.vlanId()).as("not the segment's id").isNotEqualTo(100);

        b.release("c2", LAN.name(), second);
        assertThat(shared.holders()).doesNotContainKey(VLAN_100);
        a.forgetForeign();
        b.forgetForeign();
        Allocation again = b.allocate("c3", LAN, UPLINK, PlanKind.FABRIC_VLAN, List.of());
        assertThat(again.clientAddrs()).as("addresses given back are handed out again").containsExactly("10.50.0.2/24");
    }
}
