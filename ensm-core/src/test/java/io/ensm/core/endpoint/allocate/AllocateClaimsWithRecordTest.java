package io.ensm.core.endpoint.allocate;

import io.ensm.api.connection.Connection;
import io.ensm.core.alloc.AddressPool;
import io.ensm.core.alloc.ClaimingAllocator;
import io.ensm.core.alloc.PoolAllocator;
import io.ensm.core.alloc.VlanPools;
import io.ensm.core.alloc.VniPool;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.negotiate.Negotiate;
import io.ensm.core.endpoint.select.SelectEndpoint;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.RecordingForwarder;
import io.ensm.core.testing.RecordingTail;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.Seed;
import io.ensm.core.testing.SharedClaims;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A new connection whose claims ride on its first record: when that write finds a value held by
 * another replica, Allocate gives the values back and sends the Request down again with others.
 */
class AllocateClaimsWithRecordTest {
    private final SharedClaims shared = SharedClaims.withRecords();
    private final ServiceSpec service = Fixtures.service();
    private final ExposedEndpoint endpoint = Fixtures.endpoint(RecordingBackend.serving(PlanKind.FABRIC_VLAN, PlanKind.DEVICE_VXLAN));
    private final BackendCapabilities caps = endpoint.backend().capabilities();

    private ClaimingAllocator replica(int vniFirst, int vniLast) {
        VlanPools vlans = new VlanPools();
        vlans.register(caps.vlanPool(), caps.vlans());
        return new ClaimingAllocator(new PoolAllocator(Map.of(service.name(), new AddressPool(service.name(), service.cidrs())),
                vlans, new VniPool(vniFirst, vniLast)), shared);
    }

    /** The chain of one replica down to a tail that stands for Provision's PENDING write. */
    private Connection request(ClaimingAllocator allocator, RecordingTail tail, String id, PlanKind plan, String callerVni) {
        Endpoint chain = new Endpoint(List.of(
                Seed.with(SelectEndpoint.SERVICE, service).and(SelectEndpoint.ENDPOINT, endpoint).and(Negotiate.PLAN, plan),
                new Allocate(allocator, RecordingForwarder.DEFAULT_INFO, 1500, x -> false),
                tail.onCall(ctx -> shared.writeRecord(id))));
        var mechanism = plan == PlanKind.DEVICE_VXLAN ? Requests.vxlan().toBuilder().putParameters("vni", callerVni).build()
                : Requests.vlan();
        var request = Requests.request().id(id).build();
        return chain.request(request.toBuilder().setConnection(request.getConnection().toBuilder().setMechanism(mechanism)).build(),
                CallContext.client());
    }

    @Test
    void aRefusedFirstRecordIsRetriedWithOtherValuesAndTheRequestSucceeds() {
        RecordingTail tailA = new RecordingTail();
        RecordingTail tailB = new RecordingTail();
        Connection first = request(replica(5000, 5009), tailA, "conn-a", PlanKind.FABRIC_VLAN, "");
        Connection second = request(replica(5000, 5009), tailB, "conn-b", PlanKind.FABRIC_VLAN, "");

        assertThat(tailB.requests()).as("sent down twice: the first record was refused").hasSize(2);
        assertThat(second.getContext().getIpContext().getDstIpAddrsList())
                .doesNotContainAnyElementsOf(first.getContext().getIpContext().getDstIpAddrsList());
        assertThat(second.getMechanism().getParametersMap().get(Allocate.VLAN_ID))
                .isNotEqualTo(first.getMechanism().getParametersMap().get(Allocate.VLAN_ID));
        assertThat(shared.holders()).containsValues("conn-a", "conn-b").hasSize(4);
        assertThat(shared.waiting()).isEmpty();
    }

    @Test
    void aCallersVniHeldByAnotherReplicaIsAlreadyExistsNamingTheMechanismParameter() {
        request(replica(5000, 5009), new RecordingTail(), "conn-a", PlanKind.DEVICE_VXLAN, "5004");
        RecordingTail tail = new RecordingTail();
        assertThatThrownBy(() -> request(replica(5000, 5009), tail, "conn-b", PlanKind.DEVICE_VXLAN, "5004"))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
                    assertThat(e.getStatus().getDescription()).startsWith("mechanism VXLAN parameter vni").contains("5004");
                });
        assertThat(tail.requests()).hasSize(1);
        assertThat(shared.holders()).doesNotContainValue("conn-b");
    }
}
