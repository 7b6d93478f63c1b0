package io.ensm.core.runtime;

import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.Segment;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.spi.Forwarder;
import io.ensm.core.spi.Verification;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.RecordingForwarder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start-up refuses a segment service reached through a forwarder that makes one cross-connect per connection. */
class SegmentForwarderRefusalTest {
    private static final List<ServiceSpec> SERVICES = List.of(
            new ServiceSpec("wire", Payload.ETHERNET, List.of("10.40.0.0/24"), List.of()),
            new ServiceSpec("lan", Payload.ETHERNET, List.of("10.50.0.0/24"), List.of(),
                    new Segment(List.of("10.50.0.1"), List.of(), 0)));

    private static ExposedEndpoint endpoint(String service, PlanKind... plans) {
        return new ExposedEndpoint(new EndpointSpec("box-1", service, Map.of()),
                new RecordingBackend(new BackendCapabilities(Set.of(plans), "", null, null)));
    }

    /** A forwarder that bridges a segment's tunnels to one attachment. */
    private static final class SegmentForwarder implements Forwarder {
        @Override public ForwarderInfo info() { return RecordingForwarder.DEFAULT_INFO; }
        @Override public boolean servesSegments() { return true; }
        @Override public void connect(CrossConnect crossConnect) {}
        @Override public void disconnect(CrossConnect crossConnect) {}
        @Override public Verification verify(CrossConnect crossConnect) { return Verification.PRESENT; }
    }

    @Test
    void aSegmentEndpointOfferingTheForwarderPlanNeedsAForwarderThatServesSegments() {
        List<ExposedEndpoint> endpoints = List.of(endpoint("lan", PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN));
        assertThatThrownBy(() -> EnsmRuntime.refuseSegmentsThroughForwarder(SERVICES, endpoints, "other", new RecordingForwarder()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ensm.services[1].segment")
                .hasMessageContaining("endpoint 'box-1'")
                .hasMessageContaining("the other forwarder does not serve shared segments");
        assertThatCode(() -> EnsmRuntime.refuseSegmentsThroughForwarder(SERVICES, endpoints, "bridge", new SegmentForwarder()))
                .doesNotThrowAnyException();
        assertThatCode(() -> EnsmRuntime.refuseSegmentsThroughForwarder(SERVICES, endpoints, null, null))
                .as("no forwarder: the plan is never chosen").doesNotThrowAnyException();
    }

    @Test
    void pointToPointServicesAndSegmentEndpointsWithoutTheForwarderPlanAreNotRefused() {
        assertThatCode(() -> EnsmRuntime.refuseSegmentsThroughForwarder(SERVICES,
                List.of(endpoint("wire", PlanKind.FORWARDER_VXLAN), endpoint("lan", PlanKind.FABRIC_VLAN)), "other",
                new RecordingForwarder())).doesNotThrowAnyException();
    }
}
