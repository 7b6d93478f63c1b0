package io.ensm.core.alloc;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.Segment;
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
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A new connection's claims left to its first record write (stores that write both in one
 * transaction): nothing is claimed before the record, a value found held elsewhere is given back
 * and skipped, a segment's shared claims are still made at once.
 */
class ClaimsWithRecordAllocatorTest {
    private final ServiceSpec service = Fixtures.service();
    private final BackendCapabilities caps = RecordingBackend.capabilities(PlanKind.FABRIC_VLAN, PlanKind.FORWARDER_VXLAN);
    private final SharedClaims shared = SharedClaims.withRecords();

    private ClaimingAllocator replica() {
        VlanPools vlans = new VlanPools();
        vlans.register(caps.vlanPool(), caps.vlans());
        PoolAllocator pools = new PoolAllocator(Map.of(service.name(), new AddressPool(service.name(), service.cidrs())), vlans,
                new VniPool(5000, 5009));
        return new ClaimingAllocator(pools, shared);
    }

    private Allocation allocateNew(ClaimingAllocator a, String id, int callerVni) {
        return a.allocateNew(id, service, caps, PlanKind.FORWARDER_VXLAN, List.of(), callerVni);
    }

    @Test
    void theClaimsWaitForTheRecordAndAValueFoundHeldElsewhereIsSkippedNextTime() {
        ClaimingAllocator a = replica();
        ClaimingAllocator b = replica();
        Allocation first = allocateNew(a, "conn-a", 0);
        assertThat(shared.holders()).as("nothing is claimed before the record").isEmpty();
        shared.writeRecord("conn-a");
        assertThat(shared.holders()).hasSize(3).allSatisfy((claim, holder) -> assertThat(holder).isEqualTo("conn-a"));

        Allocation same = allocateNew(b, "conn-b", 0);
        assertThat(same).as("ensm-b's pools know nothing of ensm-a's connection").isEqualTo(first);
        ClaimsRefused refused = catchThrowableOfType(ClaimsRefused.class, () -> shared.writeRecord("conn-b"));
        assertThat(refused.refused()).hasSize(3);
        b.refused("conn-b", service.name(), same, refused.refused(), 0);
        Allocation second = allocateNew(b, "conn-b", 0);
        shared.writeRecord("conn-b");

        assertThat(second.vlanId()).isNotEqualTo(first.vlanId());
        assertThat(second.vni()).isNotEqualTo(first.vni());
        assertThat(second.endpointAddrs()).doesNotContainAnyElementsOf(first.endpointAddrs());
        assertThat(b.foreignMarks()).isEqualTo(3);
        assertThat(shared.holders()).hasSize(6).containsValues("conn-a", "conn-b");
    }

    @Test
    void aCallersVniFoundHeldElsewhereIsAlreadyExistsAndNothingStaysHeld() {
        ClaimingAllocator a = replica();
        ClaimingAllocator b = replica();
        allocateNew(a, "conn-a", 5004);
        shared.writeRecord("conn-a");

        Allocation wanted = allocateNew(b, "conn-b", 5004);
        ClaimsRefused refused = catchThrowableOfType(ClaimsRefused.class, () -> shared.writeRecord("conn-b"));
        assertThatThrownBy(() -> b.refused("conn-b", service.name(), wanted, refused.refused(), 5004))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
                    assertThat(e.getStatus().getDescription()).contains("VNI 5004");
                });
        assertThat(shared.holders()).doesNotContainValue("conn-b");
        assertThat(shared.waiting()).isEmpty();
        assertThat(b.foreignMarks()).as("a caller's VNI is not skipped past: nothing to mark").isZero();
    }

    @Test
    void aSegmentsSharedVlanIsClaimedAtOnceAsBefore() {
        BackendCapabilities uplink = new BackendCapabilities(Set.of(PlanKind.FABRIC_VLAN), "uplink:eth1", new VlanRange(100, 109), "");
        ServiceSpec lan = new ServiceSpec("lan", Payload.ETHERNET, List.of("10.50.0.0/24"), List.of(),
                new Segment(List.of("10.50.0.1"), List.of(), 0));
        VlanPools vlans = new VlanPools();
        vlans.register(uplink.vlanPool(), uplink.vlans());
        ClaimingAllocator a = new ClaimingAllocator(new PoolAllocator(Map.of(), List.of(lan), vlans, new VniPool(5000, 5009)), shared);

        a.allocateNew("c1", lan, uplink, PlanKind.FABRIC_VLAN, List.of(), 0);

        assertThat(shared.waiting()).as("shared claims are granted by holder, not with a record").isEmpty();
        assertThat(shared.holders()).containsEntry(new Claims.Claim("vlan/uplink:eth1", "100"), "segment:lan")
                .containsValue("c1");
    }
}
