package io.ensm.core.runtime;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.Segment;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.Requests;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A segment on a {@code preprovisioned} endpoint, through the running service: the box already
 * carries the segment (its fixed VLAN and the gateway), so ensm hands out the segment's addresses
 * and VLAN and writes nothing; a segment taking its VLAN from the pool is refused at start-up.
 */
class PreprovisionedSegmentTest {
    private EnsmRuntime runtime;
    private ManagedChannel channel;

    private static EnsmSettings settings(int segmentVlan) {
        ServiceSpec lan = new ServiceSpec("lan", Payload.ETHERNET, List.of("10.50.0.0/24"), List.of(),
                new Segment(List.of("10.50.0.1"), List.of("0.0.0.0/0"), segmentVlan));
        EndpointDefinition box = new EndpointDefinition(new EndpointSpec("box-1", "lan", Map.of()), "preprovisioned",
                Map.of("uplink", "eth1", "vlans", "100-109", "plans", "fabric-vlan"));
        return new EnsmSettings("ensm-test", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null,
                Path.of("unused"), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMinutes(1),
                1500, 1, 1000, List.of(lan), List.of(box), null, Map.of());
    }

    private EnsmRuntime start(int segmentVlan) {
        return EnsmRuntime.start(settings(segmentVlan), dir -> InMemoryConnectionStore.with(),
                EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    private NetworkServiceGrpc.NetworkServiceBlockingStub stub() {
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @Test
    void connectionsShareTheFixedVlanAndTheSegmentsSubnetWithNothingWritten() {
        runtime = start(105);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
        List<Connection> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            replies.add(stub().request(Requests.request().service("lan").expires(Instant.now().plus(Duration.ofMinutes(10)))
                    .mechanisms(Requests.vlan()).build()));
        }
        assertThat(replies).extracting(c -> c.getMechanism().getParametersOrThrow("vlan-id")).containsOnly("105");
        assertThat(replies).extracting(c -> c.getContext().getIpContext().getSrcIpAddrs(0))
                .doesNotHaveDuplicates().allSatisfy(a -> assertThat(a).startsWith("10.50.0.").endsWith("/24")
                        .isNotIn("10.50.0.0/24", "10.50.0.1/24", "10.50.0.255/24"));
        assertThat(replies).extracting(c -> c.getContext().getIpContext().getDstIpAddrs(0)).containsOnly("10.50.0.1/24");
        for (Connection c : replies) {
            stub().close(c);
        }
        assertThat(runtime.connections().all()).isEmpty();
    }

    @Test
    void aSegmentVlanFromThePoolIsRefusedAtStartUpNamingTheKey() {
        assertThatThrownBy(() -> runtime = start(0))
                .hasMessageContaining("ensm.services[0].segment.vlan")
                .hasMessageContaining("endpoint 'box-1'")
                .hasMessageContaining("fixed VLAN");
    }
}
