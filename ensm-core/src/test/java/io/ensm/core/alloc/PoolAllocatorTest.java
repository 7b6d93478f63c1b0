package io.ensm.core.alloc;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.VlanRange;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoolAllocatorTest {
    static final ServiceSpec SERVICE = new ServiceSpec("blue", Payload.ETHERNET, List.of("10.0.0.248/29"), List.of());

    PoolAllocator allocator() {
        VlanPools vlans = new VlanPools();
        vlans.register("uplink:eth1", new VlanRange(100, 199));
        return new PoolAllocator(Map.of("blue", new AddressPool("blue", SERVICE.cidrs())), vlans, new VniPool());
    }

    static List<String> endpoints(PoolAllocator a, BackendCapabilities caps, List<String> excluded) {
        List<String> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            try {
                Allocation got = a.allocate("c" + i, SERVICE, caps, PlanKind.FABRIC_VLAN, excluded);
                out.addAll(got.endpointAddrs());
                out.addAll(got.clientAddrs());
            } catch (StatusRuntimeException e) {
                return out;
            }
        }
    }

    @Test
    void aPairNeverHoldsAnAddressTheBackendsNetworkReserves() {
        BackendCapabilities caps = new BackendCapabilities(Set.of(PlanKind.FABRIC_VLAN), "uplink:eth1", new VlanRange(100, 199), null,
                List.of("10.0.0.253", "10.0.0.254"));

        assertThat(endpoints(allocator(), caps, List.of())).containsExactly("10.0.0.249/32", "10.0.0.250/32", "10.0.0.251/32", "10.0.0.252/32");
    }

    @Test
    void reservedAddressesAddToWhatTheClientExcludes() {
        BackendCapabilities caps = new BackendCapabilities(Set.of(PlanKind.FABRIC_VLAN), "uplink:eth1", new VlanRange(100, 199), null,
                List.of("10.0.0.254"));

        assertThat(endpoints(allocator(), caps, List.of("10.0.0.249/32"))).containsExactly("10.0.0.251/32", "10.0.0.252/32");
    }

    @Test
    void withoutReservedAddressesEveryPairIsHandedOut() {
        BackendCapabilities caps = new BackendCapabilities(Set.of(PlanKind.FABRIC_VLAN), "uplink:eth1", new VlanRange(100, 199), null);

        assertThat(endpoints(allocator(), caps, List.of())).hasSize(6);
        assertThatThrownBy(() -> allocator().allocate("x", SERVICE, caps.withReservedAddresses(List.of("10.0.0.248/29")),
                PlanKind.FABRIC_VLAN, List.of())).hasMessageContaining("exhausted");
    }

    private static final BackendCapabilities BOX = new BackendCapabilities(Set.of(PlanKind.DEVICE_VXLAN), "uplink:eth1",
            new VlanRange(100, 101), "192.0.2.1");

    @Test
    void theCallersVniIsTheConnectionsAndAnotherConnectionAskingForItGetsAlreadyExistsAndHoldsNothing() {
        PoolAllocator a = allocator();
        Allocation got = a.allocate("c1", SERVICE, BOX, PlanKind.DEVICE_VXLAN, List.of(), 777);
        assertThat(got.vni()).isEqualTo(777);
        assertThat(got.vlanId()).isEqualTo(100);

        assertThatThrownBy(() -> a.allocate("c2", SERVICE, BOX, PlanKind.DEVICE_VXLAN, List.of(), 777))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.ALREADY_EXISTS);
                    assertThat(e.getStatus().getDescription()).contains("VNI 777");
                });
        assertThat(inUse(a)).as("what c1 holds, nothing of c2").containsExactly(1L, 1L, 1L);

        a.release("c1", SERVICE.name(), got);
        assertThat(a.allocate("c2", SERVICE, BOX, PlanKind.DEVICE_VXLAN, List.of(), 777).vni()).isEqualTo(777);
    }

    @Test
    void aFailureAfterTheCallersVniWasTakenGivesItBack() {
        PoolAllocator a = allocator();
        for (int i = 0; i < 100; i++) {
            a.allocate("v" + i, new ServiceSpec("bare", Payload.ETHERNET, List.of(), List.of()), BOX, PlanKind.FABRIC_VLAN, List.of());
        }
        assertThatThrownBy(() -> a.allocate("c1", SERVICE, BOX, PlanKind.DEVICE_VXLAN, List.of(), 777))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.RESOURCE_EXHAUSTED));
        BackendCapabilities noVlan = new BackendCapabilities(Set.of(PlanKind.FORWARDER_VXLAN), "", null, "");
        assertThat(a.allocate("c2", SERVICE, noVlan, PlanKind.FORWARDER_VXLAN, List.of(), 777).vni()).as("free again").isEqualTo(777);
    }

    @Test
    void withoutACallersVniTheConnectionGetsOneFromThePool() {
        PoolAllocator a = allocator();
        assertThat(a.allocate("c1", SERVICE, BOX, PlanKind.DEVICE_VXLAN, List.of(), 0).vni()).isBetween(1, VniPool.MAX_VNI);
    }

    /** Addresses, VLAN ids and VNIs in use. */
    private static List<Long> inUse(PoolAllocator a) {
        long addrs = a.usage().stream().filter(u -> u.kind() == PoolUsage.Kind.IPV4).mapToLong(PoolUsage::used).sum();
        long vlans = a.usage().stream().filter(u -> u.kind() == PoolUsage.Kind.VLAN).mapToLong(PoolUsage::used).sum();
        long vnis = a.usage().stream().filter(u -> u.kind() == PoolUsage.Kind.VNI).mapToLong(PoolUsage::used).sum();
        return List.of(addrs, vlans, vnis);
    }
}
