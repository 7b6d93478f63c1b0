package io.ensm.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ensm.api.registry.Destination;
import io.ensm.api.registry.Match;
import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceQuery;
import io.ensm.api.registry.NetworkServiceRegistryGrpc;
import io.ensm.api.registry.NetworkServiceResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EmbeddedNetworkServiceRegistryTest {
    private final TcpRegistry tcp = new TcpRegistry(new MutableClock(Instant.parse("2030-01-01T00:00:00Z")), Duration.ofMinutes(1));
    private final NetworkServiceRegistryGrpc.NetworkServiceRegistryBlockingStub stub =
            NetworkServiceRegistryGrpc.newBlockingStub(tcp.channel);

    @AfterEach
    void stop() throws InterruptedException {
        tcp.close();
    }

    private List<NetworkService> find(NetworkService query) {
        List<NetworkService> out = new ArrayList<>();
        stub.find(NetworkServiceQuery.newBuilder().setNetworkService(query).build())
                .forEachRemaining(r -> out.add(r.getNetworkService()));
        return out;
    }

    @Test
    void registerFindAndUnregisterAService() {
        NetworkService vlan = NetworkService.newBuilder().setName("vlan").setPayload("ETHERNET")
                .addMatches(Match.newBuilder().addRoutes(Destination.newBuilder().putDestinationSelector("a", "b"))).build();
        assertThat(stub.register(vlan)).isEqualTo(vlan);
        stub.register(NetworkService.newBuilder().setName("l3").setPayload("IP").build());

        assertThat(find(NetworkService.newBuilder().setPayload("ETHERNET").build())).containsExactly(vlan);

        stub.unregister(vlan);
        stub.unregister(vlan);
        assertThat(find(NetworkService.getDefaultInstance())).extracting(NetworkService::getName).containsExactly("l3");
    }

    @Test
    void watchStreamsChangesAndDeletionsUntilCancelled() throws Exception {
        var w = new Watcher<NetworkServiceQuery, NetworkServiceResponse>();
        NetworkServiceRegistryGrpc.newStub(tcp.channel).find(NetworkServiceQuery.newBuilder().setWatch(true).build(), w);
        NetworkService vlan = NetworkService.newBuilder().setName("vlan").build();

        stub.register(vlan);
        assertThat(w.next().getNetworkService()).isEqualTo(vlan);
        stub.unregister(vlan);
        NetworkServiceResponse deleted = w.next();
        assertThat(deleted.getDeleted()).isTrue();
        assertThat(deleted.getNetworkService().getName()).isEqualTo("vlan");

        w.close();
        Await.until("watcher released", () -> tcp.registry.networkServices().watchCount() == 0);
    }

    @Test
    void invalidServicesAreRejectedWithReason() {
        assertThatThrownBy(() -> stub.register(NetworkService.newBuilder().setPayload("IP").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo("network service name is empty");
                });
        assertThatThrownBy(() -> stub.register(NetworkService.newBuilder().setName("vlan")
                .addMatches(Match.newBuilder().putSourceSelector("k".repeat(257), "v")).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).contains("label key longer than 256"));
    }
}
