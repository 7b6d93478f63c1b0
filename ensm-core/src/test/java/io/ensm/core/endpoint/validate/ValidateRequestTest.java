package io.ensm.core.endpoint.validate;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connectioncontext.IPContext;
import io.ensm.api.connectioncontext.Route;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.testing.RecordingTail;
import io.ensm.core.testing.Requests;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.UnaryOperator;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static org.assertj.core.api.Assertions.assertThat;

class ValidateRequestTest {
    private final RecordingTail tail = new RecordingTail();
    private final Endpoint endpoint = new Endpoint(List.of(new ValidateRequest(), tail));

    private void rejects(NetworkServiceRequest request, String... fragments) {
        assertStatus(() -> endpoint.request(request, CallContext.client()), INVALID_ARGUMENT, fragments);
        assertThat(tail.calls()).isZero();
    }

    private static NetworkServiceRequest withConnection(UnaryOperator<Connection.Builder> change) {
        NetworkServiceRequest r = Requests.simple();
        return r.toBuilder().setConnection(change.apply(r.getConnection().toBuilder())).build();
    }

    private static NetworkServiceRequest withIp(UnaryOperator<IPContext.Builder> change) {
        return withConnection(c -> {
            c.getContextBuilder().setIpContext(change.apply(c.getContext().getIpContext().toBuilder()));
            return c;
        });
    }

    @Test
    void validRequestPassesUntouched() {
        NetworkServiceRequest r = Requests.request().label("app", "web").excluded("10.0.0.0/8").build();
        Connection reply = endpoint.request(r, CallContext.client());
        assertThat(tail.lastRequest()).isEqualTo(r);
        assertThat(reply).isEqualTo(r.getConnection());
    }

    /** Found by fuzzing: an expiry beyond what an Instant holds reached the expiry element and became INTERNAL. */
    @Test
    void segmentExpiryOutsideTheTimestampRangeIsRejected() {
        rejects(withConnection(c -> c.setPath(c.getPath().toBuilder().setPathSegments(0, c.getPath().getPathSegments(0)
                        .toBuilder().setExpires(com.google.protobuf.Timestamp.newBuilder().setSeconds(Long.MAX_VALUE))))),
                "connection.path.path_segments[0].expires", "years 1 to 9999");
        rejects(withConnection(c -> c.setPath(c.getPath().toBuilder().setPathSegments(0, c.getPath().getPathSegments(0)
                        .toBuilder().setExpires(com.google.protobuf.Timestamp.newBuilder().setSeconds(1).setNanos(-1))))),
                "nanos -1");
    }

    @Test
    void segmentExpiryAtTheEdgesOfTheTimestampRangeIsAccepted() {
        for (long seconds : new long[] {ValidateRequest.MIN_TIMESTAMP_SECONDS, ValidateRequest.MAX_TIMESTAMP_SECONDS}) {
            NetworkServiceRequest r = withConnection(c -> c.setPath(c.getPath().toBuilder().setPathSegments(0, c.getPath()
                    .getPathSegments(0).toBuilder().setExpires(com.google.protobuf.Timestamp.newBuilder().setSeconds(seconds)
                            .setNanos(999_999_999)))));
            endpoint.request(r, CallContext.client());
        }
        assertThat(tail.calls()).isEqualTo(2);
    }

    @Test
    void missingConnectionIsRejected() {
        rejects(NetworkServiceRequest.newBuilder().addMechanismPreferences(Requests.vxlan()).build(), "no connection");
    }

    @Test
    void emptyNetworkServiceIsRejected() {
        rejects(withConnection(c -> c.setNetworkService("  ")), "connection.network_service");
    }

    @Test
    void tooManyLabelsAreRejected() {
        rejects(withConnection(c -> {
            for (int i = 0; i <= ValidateRequest.MAX_LABELS; i++) {
                c.putLabels("k" + i, "v");
            }
            return c;
        }), "connection.labels", "65 entries");
    }

    @Test
    void overlongLabelKeyIsRejected() {
        rejects(withConnection(c -> c.putLabels("k".repeat(254), "v")), "connection.labels key");
    }

    @Test
    void overlongLabelValueIsRejected() {
        rejects(withConnection(c -> c.putLabels("app", "v".repeat(257))), "connection.labels['app']", "256");
    }

    @Test
    void tooManyMechanismParametersAreRejected() {
        Mechanism.Builder m = Requests.vxlan().toBuilder();
        for (int i = 0; i <= ValidateRequest.MAX_PARAMETERS; i++) {
            m.putParameters("p" + i, "v");
        }
        rejects(Requests.request().mechanisms(m.build()).build(), "mechanism_preferences[0].parameters");
    }

    @Test
    void overlongMechanismParameterValueIsRejected() {
        Mechanism m = Requests.vxlan().toBuilder().putParameters("src_ip", "1".repeat(1025)).build();
        rejects(Requests.request().mechanisms(Requests.vlan(), m).build(), "mechanism_preferences[1].parameters['src_ip']");
    }

    @Test
    void tooManyPreferencesAreRejected() {
        Mechanism[] many = new Mechanism[ValidateRequest.MAX_PREFERENCES + 1];
        java.util.Arrays.fill(many, Requests.vxlan());
        rejects(Requests.request().mechanisms(many).build(), "mechanism_preferences", "17 entries");
    }

    @Test
    void overlongConnectionMechanismTypeIsRejected() {
        rejects(withConnection(c -> c.setMechanism(Mechanism.newBuilder().setType("X".repeat(65)))), "connection.mechanism.type");
    }

    @Test
    void malformedSourceAddressIsRejected() {
        rejects(withIp(ip -> ip.addSrcIpAddrs("10.0.0.1/33")), "ip_context.src_ip_addrs[0]", "10.0.0.1/33");
    }

    @Test
    void malformedDestinationAddressIsRejected() {
        rejects(withIp(ip -> ip.addDstIpAddrs("172.16.0.1/32").addDstIpAddrs("router.example")), "ip_context.dst_ip_addrs[1]");
    }

    @Test
    void malformedExcludedPrefixIsRejected() {
        rejects(withIp(ip -> ip.addExcludedPrefixes("10.0.0.0/x")), "ip_context.excluded_prefixes[0]");
    }

    @Test
    void tooManyAddressesAreRejected() {
        rejects(withIp(ip -> {
            for (int i = 0; i <= ValidateRequest.MAX_ADDRESSES; i++) {
                ip.addSrcIpAddrs("10.0.0.1/32");
            }
            return ip;
        }), "ip_context.src_ip_addrs", "257 entries");
    }

    @Test
    void malformedRoutePrefixIsRejected() {
        rejects(withIp(ip -> ip.addSrcRoutes(Route.newBuilder().setPrefix("not-a-prefix"))), "ip_context.src_routes[0].prefix");
    }

    @Test
    void malformedRouteNextHopIsRejected() {
        rejects(withIp(ip -> ip.addDstRoutes(Route.newBuilder().setPrefix("10.0.0.0/8").setNextHop("10.0.0.0/8"))),
                "ip_context.dst_routes[0].nextHop");
    }

    @Test
    void overlongConnectionIdIsRejected() {
        rejects(withConnection(c -> c.setId("x".repeat(257))), "connection.id", "257 characters");
    }

    @Test
    void overlongSegmentIdIsRejected() {
        rejects(withConnection(c -> {
            c.getPathBuilder().addPathSegments(PathSegment.newBuilder().setName("nsmgr").setId("y".repeat(257)));
            return c;
        }), "connection.path.path_segments[1].id");
    }

    @Test
    void overlongNetworkServiceIsRejected() {
        rejects(withConnection(c -> c.setNetworkService("s".repeat(254))), "connection.network_service");
    }

    @Test
    void tooManySegmentsAreRejected() {
        rejects(withConnection(c -> {
            for (int i = 0; i < ValidateRequest.MAX_SEGMENTS; i++) {
                c.getPathBuilder().addPathSegments(PathSegment.newBuilder().setName("hop" + i).setId("id" + i));
            }
            return c;
        }), "connection.path", "33 segments");
    }

    @Test
    void closeWithoutIdAndPathIsRejected() {
        assertStatus(() -> endpoint.close(Connection.newBuilder().setNetworkService("x").build(), CallContext.client()),
                INVALID_ARGUMENT, "close needs a connection id or a path");
        assertThat(tail.calls()).isZero();
    }

    @Test
    void closeWithOverlongIdIsRejected() {
        assertStatus(() -> endpoint.close(Connection.newBuilder().setId("z".repeat(300)).build(), CallContext.client()),
                INVALID_ARGUMENT, "connection.id");
    }

    @Test
    void closeWithIdPasses() {
        Connection c = Requests.simple().getConnection();
        endpoint.close(c, CallContext.client());
        assertThat(tail.closes()).containsExactly(c);
    }
}
