package io.ensm.core.runtime;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnsmRuntimeTest {
    private EnsmRuntime runtime;
    private ManagedChannel channel;

    private static EnsmSettings settings(List<EndpointDefinition> endpoints) {
        return new EnsmSettings("ensm-test", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null,
                Path.of("unused"), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMinutes(1),
                1500, 1, 1000, List.of(new ServiceSpec("blue", Payload.ETHERNET, List.of("172.31.0.0/24"), List.of())),
                endpoints, null, Map.of());
    }

    @BeforeEach
    void start() {
        runtime = EnsmRuntime.start(settings(List.of(new EndpointDefinition(new EndpointSpec("box-1", "blue", Map.of()),
                        "preprovisioned", Map.of("uplink", "eth1", "vlans", "100-109", "plans", "fabric-vlan")))),
                dir -> InMemoryConnectionStore.with(), EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        runtime.close();
    }

    @Test
    void healthReportsServingForEachNsmService() {
        var health = HealthGrpc.newBlockingStub(channel);
        for (String service : List.of("networkservice.NetworkService", "connection.MonitorConnection",
                "registry.NetworkServiceRegistry", "registry.NetworkServiceEndpointRegistry")) {
            assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
                    .as(service).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        }
    }

    @Test
    void reflectionListsTheNsmServices() throws Exception {
        CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
        var requests = ServerReflectionGrpc.newStub(channel).serverReflectionInfo(new StreamObserver<>() {
            @Override public void onNext(ServerReflectionResponse r) { answer.complete(r); }
            @Override public void onError(Throwable t) { answer.completeExceptionally(t); }
            @Override public void onCompleted() {}
        });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
        var names = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
                .map(s -> s.getName()).toList();
        requests.onCompleted();
        assertThat(names).contains("networkservice.NetworkService", "connection.MonitorConnection",
                "registry.NetworkServiceEndpointRegistry", "grpc.health.v1.Health");
    }

    @Test
    void unknownBackendTypeIsRefusedNamingTheEndpointAndKnownTypes() {
        assertThatThrownBy(() -> EnsmRuntime.start(settings(List.of(new EndpointDefinition(
                        new EndpointSpec("box-9", "blue", Map.of()), "no-such", Map.of()))),
                dir -> InMemoryConnectionStore.with(), EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endpoints[0] (box-9)").hasMessageContaining("no-such").hasMessageContaining("preprovisioned");
    }
}
