package io.ensm.core.endpoint.negotiate;

import io.ensm.api.connection.Mechanism;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.endpoint.select.SelectEndpoint;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.store.Phase;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.RecordingTail;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.Seed;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static io.grpc.Status.Code.FAILED_PRECONDITION;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static org.assertj.core.api.Assertions.assertThat;

class NegotiateTest {
    private final RecordingTail tail = new RecordingTail();

    private Endpoint chain(boolean forwarder, ServiceSpec service, Seed extra, PlanKind... plans) {
        ExposedEndpoint endpoint = Fixtures.endpoint(RecordingBackend.serving(plans));
        Seed seed = Seed.with(SelectEndpoint.SERVICE, service).and(SelectEndpoint.ENDPOINT, endpoint);
        return new Endpoint(extra == null
                ? List.of(seed, new Negotiate(new PlanFilter(forwarder)), tail)
                : List.of(seed, extra, new Negotiate(new PlanFilter(forwarder)), tail));
    }

    private Endpoint chain(boolean forwarder, PlanKind... plans) {
        return chain(forwarder, Fixtures.service(), null, plans);
    }

    private PlanKind plan(Endpoint e, NetworkServiceRequest r) {
        e.request(r, CallContext.client());
        return tail.lastContext().get(Negotiate.PLAN);
    }

    @Test
    void firstSupportedPreferenceInOrderWins() {
        Endpoint e = chain(true, PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN);
        assertThat(plan(e, Requests.request().mechanisms(Requests.mechanism("KERNEL"), Requests.vlan(), Requests.vxlan()).build()))
                .isEqualTo(PlanKind.FABRIC_VLAN);
        assertThat(plan(e, Requests.request().mechanisms(Requests.vxlan(), Requests.vlan()).build()))
                .isEqualTo(PlanKind.FORWARDER_VXLAN);
    }

    @Test
    void deviceVxlanIsPreferredOverForwarderVxlan() {
        Endpoint e = chain(true, PlanKind.FORWARDER_VXLAN, PlanKind.DEVICE_VXLAN);
        assertThat(plan(e, Requests.simple())).isEqualTo(PlanKind.DEVICE_VXLAN);
    }

    @Test
    void forwarderVxlanNeedsAForwarder() {
        Endpoint e = chain(false, PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN);
        assertStatus(() -> e.request(Requests.simple(), CallContext.client()), FAILED_PRECONDITION, "offered [VXLAN]",
                "supports [VLAN (fabric-vlan)]");
    }

    @Test
    void ipPayloadExcludesVxlan() {
        Endpoint e = chain(true, Fixtures.service("routed", Payload.IP), null, PlanKind.DEVICE_VXLAN, PlanKind.FABRIC_VLAN);
        assertThat(plan(e, Requests.request().service("routed").mechanisms(Requests.vxlan(), Requests.vlan()).build()))
                .isEqualTo(PlanKind.FABRIC_VLAN);
        assertThat(tail.lastRequest().getConnection().getPayload()).isEqualTo("IP");
    }

    @Test
    void payloadMismatchIsRejected() {
        Endpoint e = chain(true, PlanKind.FORWARDER_VXLAN);
        assertStatus(() -> e.request(Requests.request().payload("IP").build(), CallContext.client()), INVALID_ARGUMENT,
                "connection.payload IP", "carries ETHERNET");
        assertStatus(() -> e.request(Requests.request().payload("MPLS").build(), CallContext.client()), INVALID_ARGUMENT,
                "connection.payload", "MPLS");
    }

    @Test
    void emptyPreferencesAreRejectedNamingWhatIsSupported() {
        Endpoint e = chain(true, PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN);
        assertStatus(() -> e.request(Requests.request().mechanisms().build(), CallContext.client()), INVALID_ARGUMENT,
                "mechanism_preferences is empty", "VXLAN (forwarder-vxlan)", "VLAN (fabric-vlan)");
        assertThat(tail.calls()).isZero();
    }

    @Test
    void noSupportedMechanismListsOfferedSupportedAndUnimplemented() {
        Endpoint e = chain(true, PlanKind.FABRIC_VLAN);
        assertStatus(() -> e.request(Requests.request().mechanisms(Requests.mechanism("KERNEL"), Requests.mechanism("MEMIF"),
                        Requests.vxlan()).build(), CallContext.client()), FAILED_PRECONDITION,
                "offered [KERNEL, MEMIF, VXLAN]", "endpoint '" + Fixtures.ENDPOINT + "' supports [VLAN (fabric-vlan)]",
                "does not implement [KERNEL, MEMIF]");
        assertThat(tail.calls()).isZero();
    }

    @Test
    void refreshKeepsTheStoredPlan() {
        // Stored as forwarder VXLAN though device VXLAN would now be preferred: a refresh keeps it.
        Seed known = Seed.with(LoadKnown.KNOWN, Fixtures.stored("own-1", Phase.APPLIED, MutableClock.START));
        Endpoint e = chain(true, Fixtures.service(), known, PlanKind.FORWARDER_VXLAN, PlanKind.DEVICE_VXLAN);
        assertThat(plan(e, Requests.request().id("own-1").build())).isEqualTo(PlanKind.FORWARDER_VXLAN);
    }

    @Test
    void refreshPrefersTheMechanismInUse() {
        Endpoint e = chain(true, PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN);
        NetworkServiceRequest r = Requests.request().mechanisms(Requests.vxlan(), Requests.vlan()).build();
        NetworkServiceRequest refresh = r.toBuilder().setConnection(r.getConnection().toBuilder().setMechanism(Requests.vlan())).build();
        assertThat(plan(e, refresh)).isEqualTo(PlanKind.FABRIC_VLAN);
    }

    @Test
    void badSourceIpIsRejected() {
        Endpoint e = chain(true, PlanKind.FORWARDER_VXLAN);
        Mechanism m = Requests.vxlan().toBuilder().putParameters("src_ip", "host.example").build();
        assertStatus(() -> e.request(Requests.request().mechanisms(m).build(), CallContext.client()), INVALID_ARGUMENT,
                "src_ip 'host.example'");
    }

    @Test
    void badSourcePortIsRejected() {
        Endpoint e = chain(true, PlanKind.FORWARDER_VXLAN);
        for (String port : List.of("0", "65536", "udp")) {
            Mechanism m = Requests.vxlan().toBuilder().putParameters("src_port", port).build();
            assertStatus(() -> e.request(Requests.request().mechanisms(m).build(), CallContext.client()), INVALID_ARGUMENT,
                    "src_port '" + port + "'");
        }
    }

    @Test
    void missingSourcePortDefaultsToVxlanPort() {
        Endpoint e = chain(true, PlanKind.FORWARDER_VXLAN);
        Mechanism m = Requests.vxlan().toBuilder().removeParameters("src_port").build();
        e.request(Requests.request().mechanisms(m).build(), CallContext.client());
        assertThat(tail.lastContext().get(Negotiate.PEER)).isEqualTo(new VxlanPeer(Requests.CLIENT_IP, 4789));
    }

    @Test
    void chosenMechanismIsRemoteWithTheCallersParameters() {
        Endpoint e = chain(true, PlanKind.FORWARDER_VXLAN);
        Mechanism offered = Requests.vxlan("192.0.2.7", 8472).toBuilder().setCls("LOCAL").setType("vxlan").build();
        e.request(Requests.request().mechanisms(offered).build(), CallContext.client());
        Mechanism chosen = tail.lastRequest().getConnection().getMechanism();
        assertThat(chosen.getCls()).isEqualTo("REMOTE");
        assertThat(chosen.getType()).isEqualTo("VXLAN");
        assertThat(chosen.getParametersMap()).containsEntry("src_ip", "192.0.2.7").containsEntry("src_port", "8472");
        assertThat(tail.lastContext().get(Negotiate.PEER)).isEqualTo(new VxlanPeer("192.0.2.7", 8472));
        assertThat(tail.lastRequest().getConnection().getPayload()).isEqualTo("ETHERNET");
    }

    @Test
    void vlanPlanHasNoPeer() {
        Endpoint e = chain(true, PlanKind.FABRIC_VLAN);
        e.request(Requests.request().mechanisms(Requests.vlan()).build(), CallContext.client());
        assertThat(tail.lastContext().find(Negotiate.PEER)).isEmpty();
    }
}
