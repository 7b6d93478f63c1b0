package io.ensm.core.alloc;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.VlanRange;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.SharedClaims;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two replicas, each with its own pools, claiming from one set of claims: never the same value twice. */
class ClaimingAllocatorTest {
    private final ServiceSpec service = Fixtures.service();
    private final BackendCapabilities caps = RecordingBackend.capabilities(PlanKind.FABRIC_VLAN, PlanKind.FORWARDER_VXLAN);
    private final SharedClaims shared = new SharedClaims();

    private ClaimingAllocator replica() {
        VlanPools vlans = new VlanPools();
        vlans.register(caps.vlanPool(), caps.vlans());
        PoolAllocator pools = new PoolAllocator(Map.of(service.name(), new AddressPool(service.name(), service.cidrs())), vlans,
                new VniPool(5000, 5009));
        return new ClaimingAllocator(pools, shared);
    }

    private Allocation allocate(ClaimingAllocator a, String id) {
        return a.allocate(id, service, caps, PlanKind.FORWARDER_VXLAN, List.of());
    }

    @Test
    void aValueAnotherReplicaClaimedIsSkippedAndEveryValueIsClaimedOnce() {
        ClaimingAllocator a = replica();
        ClaimingAllocator b = replica();
        Allocation first = allocate(a, "conn-a");
        Allocation second = allocate(b, "conn-b");

        assertThat(second.vlanId()).isNotEqualTo(first.vlanId());
        assertThat(second.vni()).isNotEqualTo(first.vni());
        assertThat(second.endpointAddrs()).doesNotContainAnyElementsOf(first.endpointAddrs());
        assertThat(shared.holders()).hasSize(6).containsValues("conn-a", "conn-b");
        assertThat(b.foreignMarks()).as("what ensm-a holds is marked taken at ensm-b").isEqualTo(3);
    }

    /** Two VLAN ids and two VNIs only, so a value marked taken cannot be skipped past. */
    private ClaimingAllocator tight() {
        VlanPools vlans = new VlanPools();
        vlans.register("uplink:tight", new VlanRange(100, 101));
        return new ClaimingAllocator(new PoolAllocator(Map.of(), vlans, new VniPool(5000, 5001)), shared);
    }

    private final BackendCapabilities tightCaps = new BackendCapabilities(Set.of(PlanKind.FABRIC_VLAN), "uplink:tight",
            new VlanRange(100, 101), "");
    private final ServiceSpec bare = new ServiceSpec("bare", service.payload(), List.of(), List.of());

    private Allocation allocateTight(ClaimingAllocator a, String id) {
        return a.allocate(id, bare, tightCaps, PlanKind.FABRIC_VLAN, List.of());
    }

    @Test
    void aValueGivenBackElsewhereIsUsableAgainAfterTheMarksAreDropped() {
        ClaimingAllocator a = tight();
        ClaimingAllocator b = tight();
        Allocation first = allocateTight(a, "conn-a");
        Allocation second = allocateTight(b, "conn-b");
        assertThat(second.vlanId()).isNotEqualTo(first.vlanId());
        a.release("conn-a", bare.name(), first);

        assertThatThrownBy(() -> allocateTight(b, "conn-c")).as("still marked as held elsewhere")
                .isInstanceOf(StatusRuntimeException.class);
        b.forgetForeign();
        Allocation third = allocateTight(b, "conn-c");

        assertThat(third.vlanId()).isEqualTo(first.vlanId());
        assertThat(b.foreignMarks()).isZero();
    }

    @Test
    void aConnectionTakenOverIsRestoredEvenWhereItsValuesWereMarkedAsHeldElsewhere() {
        ClaimingAllocator a = tight();
        ClaimingAllocator b = tight();
        Allocation adopted = allocateTight(a, "conn-a");
        allocateTight(b, "conn-b");
        assertThat(b.foreignMarks()).isEqualTo(1);

        b.restore("conn-a", bare.name(), adopted);
        b.release("conn-a", bare.name(), adopted);

        assertThat(shared.holders()).doesNotContainValue("conn-a");
        assertThat(allocateTight(b, "conn-c").vlanId()).as("given back by the replica that took it over").isEqualTo(adopted.vlanId());
    }

    @Test
    void whenEveryFreeValueIsHeldElsewhereTheCallerGetsResourceExhaustedNamingTheReason() {
        VlanPools vlans = new VlanPools();
        vlans.register("uplink:one", new VlanRange(100, 100));
        BackendCapabilities one = new BackendCapabilities(Set.of(PlanKind.FABRIC_VLAN), "uplink:one", new VlanRange(100, 100), "");
        ClaimingAllocator a = new ClaimingAllocator(new PoolAllocator(Map.of(), vlans, new VniPool(1, 10)), shared);
        VlanPools otherVlans = new VlanPools();
        otherVlans.register("uplink:one", new VlanRange(100, 100));
        ClaimingAllocator b = new ClaimingAllocator(new PoolAllocator(Map.of(), otherVlans, new VniPool(1, 10)), shared);
        a.allocate("conn-a", bare, one, PlanKind.FABRIC_VLAN, List.of());

        assertThatThrownBy(() -> b.allocate("conn-b", bare, one, PlanKind.FABRIC_VLAN, List.of()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        assertThat(shared.holders()).containsOnlyKeys(new Claims.Claim("vlan/uplink:one", "100"));
    }

    @Test
    void aCallersVniAnotherReplicaHoldsIsRefusedAsAlreadyExistsAndLeavesNothingHeld() {
        ClaimingAllocator a = replica();
        ClaimingAllocator b = replica();
        Allocation first = a.allocate("conn-a", service, caps, PlanKind.FORWARDER_VXLAN, List.of(), 5004);
        assertThat(first.vni()).isEqualTo(5004);
        assertThat(shared.holders()).containsEntry(new Claims.Claim("vni", "5004"), "conn-a");

        assertThatThrownBy(() -> b.allocate("conn-b", service, caps, PlanKind.FORWARDER_VXLAN, List.of(), 5004))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
                    assertThat(e.getStatus().getDescription()).contains("VNI 5004").contains("another ensm replica");
                });
        assertThat(shared.holders()).as("conn-b claims nothing").doesNotContainValue("conn-b");

        a.release("conn-a", service.name(), first);
        b.forgetForeign();
        assertThat(b.allocate("conn-b", service, caps, PlanKind.FORWARDER_VXLAN, List.of(), 5004).vni()).isEqualTo(5004);
    }
}
