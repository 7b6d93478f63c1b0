package io.ensm.core.endpoint.provision;

import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.Segment;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.core.testing.RecordingForwarder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What the forwarder is told of a connection: a segment connection's cross-connect names its segment. */
class SegmentCrossConnectTest {
    private static final Segment SEGMENT = new Segment(List.of("10.50.0.1"), List.of(), 0);

    /** A box whose access uplink carries the segment: the same untagged attachment for every connection. */
    private static final class AccessBox implements Backend {
        @Override
        public BackendCapabilities capabilities() {
            return new BackendCapabilities(Set.of(PlanKind.FORWARDER_VXLAN), "", null, null);
        }

        @Override
        public Attachment provision(ProvisionIntent intent) {
            return new Attachment.Untagged("up0");
        }

        @Override
        public void release(ProvisionIntent intent) {}

        @Override
        public Verification verify(ProvisionIntent intent) {
            return Verification.PRESENT;
        }

        @Override
        public boolean servesSegments() {
            return true;
        }

        @Override
        public void joinSegment(ProvisionIntent intent) {}
    }

    private static ProvisionIntent intent(String id, String service) {
        return new ProvisionIntent(id, new EndpointSpec("box-1", service, Map.of()), PlanKind.FORWARDER_VXLAN,
                new Allocation(List.of("10.50.0.1/24"), List.of("10.50.0.7/24"), "uplink:up0", 100, 5007),
                new VxlanPeer("192.0.2.7", 4789), 1450);
    }

    @Test
    void aSegmentConnectionsCrossConnectCarriesTheSegmentsIdAndAPointToPointOneNone() throws Exception {
        RecordingForwarder forwarder = new RecordingForwarder();
        Segments segments = new Segments() {
            @Override
            public Segment of(String service) {
                return service.equals("lan") ? SEGMENT : null;
            }

            @Override
            public boolean othersOn(String endpoint, String service, int vlanId, String connectionId) {
                return false;
            }

            @Override
            public boolean anyOn(String service) {
                return false;
            }
        };
        Provisioner provisioner = new Provisioner(forwarder, segments);
        ExposedEndpoint lan = new ExposedEndpoint(new EndpointSpec("box-1", "lan", Map.of()), new AccessBox());
        ExposedEndpoint p2p = new ExposedEndpoint(new EndpointSpec("box-2", "wire", Map.of()), new AccessBox());

        provisioner.apply(lan, intent("c-1", "lan"));
        provisioner.apply(p2p, intent("c-2", "wire"));

        CrossConnect member = forwarder.crossConnectOf("c-1").orElseThrow();
        assertThat(member.segment()).isEqualTo("segment.lan");
        assertThat(member.isSegment()).isTrue();
        assertThat(forwarder.crossConnectOf("c-2").orElseThrow().segment()).isNull();

        provisioner.undo(lan, intent("c-1", "lan"), member.attachment());
        assertThat(forwarder.calls()).contains("disconnect c-1");
    }
}
