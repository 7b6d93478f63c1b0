package io.ensm.core.endpoint.allocate;

import io.ensm.api.connection.Connection;
import io.ensm.api.connectioncontext.IPContext;
import io.ensm.api.connectioncontext.Route;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.endpoint.negotiate.Negotiate;
import io.ensm.core.endpoint.select.SelectEndpoint;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.RecordingForwarder;
import io.ensm.core.testing.RecordingTail;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.Seed;
import io.ensm.core.testing.SimpleAllocator;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllocateTest {
    private static final int DEFAULT_MTU = 1500;

    private final SimpleAllocator allocator = new SimpleAllocator();
    private final RecordingTail tail = new RecordingTail();
    /** Connection ids the rest of the chain still stores after a call. */
    private final java.util.Set<String> stored = new java.util.HashSet<>();
    private final ExposedEndpoint endpoint = Fixtures.endpoint(
            RecordingBackend.serving(PlanKind.FORWARDER_VXLAN, PlanKind.DEVICE_VXLAN, PlanKind.FABRIC_VLAN));

    private Endpoint chain(PlanKind plan, StoredConnection known) {
        Seed seed = Seed.with(SelectEndpoint.SERVICE, Fixtures.service()).and(SelectEndpoint.ENDPOINT, endpoint)
                .and(Negotiate.PLAN, plan);
        if (known != null) {
            seed = seed.and(LoadKnown.KNOWN, known);
        }
        return new Endpoint(List.of(seed, new Allocate(allocator, RecordingForwarder.DEFAULT_INFO, DEFAULT_MTU, stored::contains), tail));
    }

    private Connection below(PlanKind plan) {
        chain(plan, null).request(Requests.request().mechanisms(Requests.vxlan()).build().toBuilder()
                .setConnection(Requests.request().connection().toBuilder().setMechanism(Requests.vxlan()))
                .build(), CallContext.client());
        return tail.lastRequest().getConnection();
    }

    @Test
    void addressesGoToEachSideWithRoutesToTheOther() {
        IPContext ip = below(PlanKind.FORWARDER_VXLAN).getContext().getIpContext();
        assertThat(ip.getDstIpAddrsList()).containsExactly("172.16.0.1/32");
        assertThat(ip.getSrcIpAddrsList()).containsExactly("172.16.0.2/32");
        assertThat(ip.getSrcRoutesList()).extracting(Route::getPrefix).containsExactly("172.16.0.1/32");
        assertThat(ip.getDstRoutesList()).extracting(Route::getPrefix).containsExactly("172.16.0.2/32");
    }

    @Test
    void forwarderVxlanGetsForwarderEndVniAndForwarderMtu() {
        Connection c = below(PlanKind.FORWARDER_VXLAN);
        assertThat(c.getMechanism().getParametersMap())
                .containsEntry("dst_ip", "192.0.2.10").containsEntry("dst_port", "4789")
                .containsEntry("vni", Integer.toString(SimpleAllocator.FIRST_VNI)).containsEntry("MTU", "1450")
                .containsEntry("src_ip", Requests.CLIENT_IP);
        assertThat(c.getContext().getMTU()).isEqualTo(1450);
        assertThat(tail.lastContext().get(Allocate.MTU)).isEqualTo(1450);
    }

    @Test
    void deviceVxlanGetsTheDeviceAddressItsPortAndTheMtuLessVxlanOverhead() {
        Connection c = below(PlanKind.DEVICE_VXLAN);
        assertThat(c.getMechanism().getParametersMap()).containsEntry("dst_ip", "198.51.100.1")
                .containsEntry("dst_port", Integer.toString(RecordingBackend.DEVICE_VXLAN_PORT))
                .containsEntry("vni", Integer.toString(SimpleAllocator.FIRST_VNI))
                .containsEntry("MTU", Integer.toString(DEFAULT_MTU - 50));
        assertThat(c.getContext().getMTU()).isEqualTo(DEFAULT_MTU - 50);
        assertThat(tail.lastContext().get(Allocate.MTU)).isEqualTo(DEFAULT_MTU - 50);
    }

    @Test
    void vlanPlanGetsVlanId() {
        Connection c = below(PlanKind.FABRIC_VLAN);
        assertThat(c.getMechanism().getParametersMap()).containsEntry(Allocate.VLAN_ID, "100").doesNotContainKey("vni");
        assertThat(tail.lastContext().get(Allocate.ALLOCATION).vlanId()).isEqualTo(100);
    }

    @Test
    void staleAddressesInTheRequestAreReplaced() {
        Connection asked = Requests.request().connection().toBuilder()
                .setContext(Requests.request().connection().getContext().toBuilder()
                        .setIpContext(IPContext.newBuilder().addSrcIpAddrs("10.9.9.9/32").addDstIpAddrs("10.9.9.8/32")))
                .build();
        chain(PlanKind.FABRIC_VLAN, null).request(Requests.simple().toBuilder().setConnection(asked).build(), CallContext.client());
        IPContext ip = tail.lastRequest().getConnection().getContext().getIpContext();
        assertThat(ip.getSrcIpAddrsList()).containsExactly("172.16.0.2/32");
        assertThat(ip.getDstIpAddrsList()).containsExactly("172.16.0.1/32");
    }

    private static StoredConnection known(Allocation allocation) {
        StoredConnection s = Fixtures.stored("own-1", Phase.APPLIED, MutableClock.START);
        return new StoredConnection(s.id(), s.endpoint(), s.service(), s.phase(), PlanKind.FORWARDER_VXLAN, allocation,
                s.peer(), s.mtu(), s.attachment(), s.expires(), s.connection());
    }

    @Test
    void refreshReusesTheStoredAllocationWithoutCallingTheAllocator() {
        Allocation stored = Fixtures.allocation();
        chain(PlanKind.FORWARDER_VXLAN, known(stored)).request(Requests.request().id("own-1").build(), CallContext.client());
        assertThat(allocator.allocateCalls()).isZero();
        assertThat(tail.lastContext().get(Allocate.ALLOCATION)).isEqualTo(stored);
        assertThat(tail.lastRequest().getConnection().getContext().getIpContext().getDstIpAddrsList())
                .containsExactly("172.16.0.1/32");
    }

    @Test
    void downstreamFailureReleasesANewAllocation() {
        tail.failing(new IllegalStateException("provision failed"));
        assertThatThrownBy(() -> chain(PlanKind.FORWARDER_VXLAN, null).request(Requests.request().id("c1").build(),
                CallContext.client())).hasMessage("provision failed");
        assertThat(allocator.allocateCalls()).isEqualTo(1);
        assertThat(allocator.releaseCalls()).isEqualTo(1);
        assertThat(allocator.held()).isEmpty();
    }

    @Test
    void downstreamFailureKeepsAReusedAllocation() {
        stored.add("own-1");
        tail.failing(new IllegalStateException("provision failed"));
        assertThatThrownBy(() -> chain(PlanKind.FORWARDER_VXLAN, known(Fixtures.allocation()))
                .request(Requests.request().id("own-1").build(), CallContext.client())).hasMessage("provision failed");
        assertThat(allocator.releaseCalls()).isZero();
    }

    @Test
    void allocatorFailureReachesTheCallerWithoutCallingNext() {
        allocator.failNext(() -> io.ensm.core.chain.Failures.exhausted("no VLAN id left in pool uplink:uplink0"));
        Fixtures.assertStatus(() -> chain(PlanKind.FABRIC_VLAN, null).request(Requests.simple(), CallContext.client()),
                io.grpc.Status.Code.RESOURCE_EXHAUSTED, "no VLAN id left");
        assertThat(tail.calls()).isZero();
    }

    @Test
    void closeReleasesAfterNextSucceeded() {
        StoredConnection k = known(Fixtures.allocation());
        allocator.restore(k.id(), k.service(), k.allocation());
        tail.onCall(c -> assertThat(allocator.held()).as("still held while the rest closes").containsKey("own-1"));
        chain(PlanKind.FORWARDER_VXLAN, k).close(Connection.newBuilder().setId("own-1").build(), CallContext.client());
        assertThat(tail.closes()).hasSize(1);
        assertThat(allocator.held()).isEmpty();
    }

    @Test
    void failedCloseKeepsTheAllocation() {
        StoredConnection k = known(Fixtures.allocation());
        tail.failing(new IllegalStateException("release failed"));
        assertThatThrownBy(() -> chain(PlanKind.FORWARDER_VXLAN, k).close(Connection.newBuilder().setId("own-1").build(),
                CallContext.client()));
        assertThat(allocator.releaseCalls()).isZero();
    }

    @Test
    void downstreamFailureOfANewConnectionWhoseIntentStaysStoredKeepsItsAllocationForTheRollBack() {
        // e.g. its provision was fenced and forgetting its PENDING record was refused too
        stored.add("c2");
        tail.failing(new IllegalStateException("provision failed"));
        assertThatThrownBy(() -> chain(PlanKind.FORWARDER_VXLAN, null).request(Requests.request().id("c2").build(),
                CallContext.client())).isInstanceOf(IllegalStateException.class).hasMessage("provision failed");
        assertThat(allocator.releaseCalls()).isZero();
        assertThat(allocator.held()).containsKey("c2");
    }

    @Test
    void downstreamFailureAfterTheConnectionWasForgottenGivesBackWhatItHeld() {
        StoredConnection k = known(Fixtures.allocation());
        allocator.restore(k.id(), k.service(), k.allocation());
        tail.failing(new IllegalStateException("provision failed"));
        assertThatThrownBy(() -> chain(PlanKind.FORWARDER_VXLAN, k)
                .request(Requests.request().id("own-1").build(), CallContext.client())).hasMessage("provision failed");
        assertThat(allocator.held()).doesNotContainKey("own-1");
        assertThat(allocator.released()).contains(k.allocation());
    }

    @Test
    void planChangeGivesBackWhatOnlyTheOldPlanUsed() {
        stored.add("own-1");
        StoredConnection k = known(Fixtures.allocation());
        chain(PlanKind.FABRIC_VLAN, k).request(Requests.request().id("own-1").mechanisms(Requests.vlan()).build(), CallContext.client());
        assertThat(allocator.released()).hasSize(1);
        Allocation dropped = allocator.released().getFirst();
        assertThat(dropped.vni()).as("the VLAN plan needs no VNI").isEqualTo(5000);
        assertThat(dropped.endpointAddrs()).as("addresses are kept by the new plan").isEmpty();
    }

    @Test
    void surplusHoldsOnlyPartsTheKeptAllocationDoesNotUse() {
        Allocation held = new Allocation(java.util.List.of("172.16.0.1/32"), java.util.List.of("172.16.0.2/32"), "uplink:a", 100, 7);
        assertThat(Allocate.surplus(held, held)).isEqualTo(Allocation.NONE);
        assertThat(Allocate.surplus(held, Allocation.NONE)).isEqualTo(held);
        Allocation otherPool = new Allocation(held.endpointAddrs(), held.clientAddrs(), "uplink:b", 100, 0);
        assertThat(Allocate.surplus(held, otherPool))
                .isEqualTo(new Allocation(java.util.List.of(), java.util.List.of(), "uplink:a", 100, 7));
    }

    @Test
    void aSegmentClientGetsItsAddressTheGatewayAsDestinationAndItsRoutesThroughTheGateway() {
        io.ensm.core.model.ServiceSpec lan = new io.ensm.core.model.ServiceSpec("lan", io.ensm.core.model.Payload.ETHERNET,
                List.of("10.50.0.0/24", "fd00:50::/64"), List.of(),
                new io.ensm.core.model.Segment(List.of("10.50.0.1", "fd00:50::1"), List.of("0.0.0.0/0", "192.168.0.0/16", "::/0"), 0));
        io.ensm.core.alloc.VlanPools vlans = new io.ensm.core.alloc.VlanPools();
        var caps = endpoint.backend().capabilities();
        vlans.register(caps.vlanPool(), caps.vlans());
        Allocator pools = new io.ensm.core.alloc.PoolAllocator(java.util.Map.of(), List.of(lan), vlans,
                new io.ensm.core.alloc.VniPool(5000, 5009));
        Seed seed = Seed.with(SelectEndpoint.SERVICE, lan).and(SelectEndpoint.ENDPOINT, endpoint).and(Negotiate.PLAN, PlanKind.FABRIC_VLAN);
        new Endpoint(List.of(seed, new Allocate(pools, RecordingForwarder.DEFAULT_INFO, DEFAULT_MTU, stored::contains), tail))
                .request(Requests.request().mechanisms(Requests.vlan()).build(), CallContext.client());

        IPContext ip = tail.lastRequest().getConnection().getContext().getIpContext();
        assertThat(ip.getSrcIpAddrsList()).containsExactly("10.50.0.2/24", "fd00:50::2/64");
        assertThat(ip.getDstIpAddrsList()).containsExactly("10.50.0.1/24", "fd00:50::1/64");
        assertThat(ip.getSrcRoutesList()).containsExactly(
                Route.newBuilder().setPrefix("0.0.0.0/0").setNextHop("10.50.0.1").build(),
                Route.newBuilder().setPrefix("192.168.0.0/16").setNextHop("10.50.0.1").build(),
                Route.newBuilder().setPrefix("::/0").setNextHop("fd00:50::1").build());
        assertThat(ip.getDstRoutesList()).as("the gateway reaches its subnet directly").isEmpty();
    }
}
