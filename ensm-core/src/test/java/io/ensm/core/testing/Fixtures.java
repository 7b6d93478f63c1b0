package io.ensm.core.testing;

import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.Forwarder;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.assertj.core.api.ThrowableAssert;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Services, endpoints, catalogs and stored records for tests, and a status assertion. */
public final class Fixtures {
    public static final String ENDPOINT = "router-1";
    public static final String CIDR = "172.16.0.0/24";

    private Fixtures() {}

    public static ServiceSpec service() {
        return service(Requests.SERVICE, Payload.ETHERNET);
    }

    public static ServiceSpec service(String name, Payload payload) {
        return new ServiceSpec(name, payload, List.of(CIDR), List.of());
    }

    public static ExposedEndpoint endpoint(Backend backend) {
        return endpoint(ENDPOINT, Requests.SERVICE, backend);
    }

    public static ExposedEndpoint endpoint(String name, String service, Backend backend) {
        return new ExposedEndpoint(new EndpointSpec(name, service, Map.of("site", "lab")), backend);
    }

    public static Catalog catalog(List<ServiceSpec> services, List<ExposedEndpoint> endpoints, Forwarder forwarder) {
        return new Catalog(services, endpoints, forwarder);
    }

    /** One service and one endpoint on the given backend. */
    public static Catalog catalog(Backend backend, Forwarder forwarder) {
        return new Catalog(List.of(service()), List.of(endpoint(backend)), forwarder);
    }

    public static Allocation allocation() {
        return new Allocation(List.of("172.16.0.1/32"), List.of("172.16.0.2/32"), "uplink:uplink0", 100, 5000);
    }

    /** An APPLIED forwarder-VXLAN connection of {@link #ENDPOINT} with {@link #allocation()}. */
    public static StoredConnection stored(String id, Phase phase, Instant expires) {
        Attachment attachment = phase == Phase.PENDING ? null : new Attachment.Vlan(RecordingBackend.UPLINK, 100);
        return new StoredConnection(id, ENDPOINT, Requests.SERVICE, phase, PlanKind.FORWARDER_VXLAN, allocation(),
                new VxlanPeer(Requests.CLIENT_IP, Requests.CLIENT_PORT), 1450, attachment, expires, new byte[0]);
    }

    /** Asserts the call fails with this gRPC code and a description containing every fragment. */
    public static void assertStatus(ThrowableAssert.ThrowingCallable call, Status.Code code, String... fragments) {
        assertThatThrownBy(call)
                .isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> {
                    Status s = ((StatusRuntimeException) e).getStatus();
                    org.assertj.core.api.Assertions.assertThat(s.getCode()).as("status code of: %s", s).isEqualTo(code);
                    for (String f : fragments) {
                        org.assertj.core.api.Assertions.assertThat(s.getDescription()).contains(f);
                    }
                });
    }
}
