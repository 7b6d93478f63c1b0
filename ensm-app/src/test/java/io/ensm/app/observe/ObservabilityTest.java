package io.ensm.app.observe;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.app.EnsmApplication;
import io.ensm.core.runtime.EnsmRuntime;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The operator's view: Actuator health carries ensm's state, Prometheus counts calls by method and status. */
class ObservabilityTest {
    @TempDir
    static Path data;
    static ConfigurableApplicationContext context;
    static ManagedChannel channel;
    static int httpPort;

    @BeforeAll
    static void start() throws IOException {
        int grpcPort;
        try (ServerSocket s = new ServerSocket(0)) {
            grpcPort = s.getLocalPort();
        }
        context = new SpringApplicationBuilder(EnsmApplication.class).run(
                "--server.port=0", "--ensm.listen=127.0.0.1:" + grpcPort, "--ensm.data-dir=" + data,
                "--ensm.services[0].name=blue", "--ensm.services[0].cidrs[0]=172.30.0.0/24",
                "--ensm.endpoints[0].name=box-a", "--ensm.endpoints[0].service=blue",
                "--ensm.endpoints[0].preprovisioned.uplink=eth9", "--ensm.endpoints[0].preprovisioned.vlans=300-303",
                "--ensm.endpoints[0].preprovisioned.plans=fabric-vlan");
        httpPort = ((WebServerApplicationContext) context).getWebServer().getPort();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    }

    @AfterAll
    static void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (context != null) {
            context.close();
        }
    }

    @Test
    void healthShowsEnsmComponentWithPortAndConnections() throws Exception {
        String body = get("/actuator/health");
        assertThat(body).contains("\"ensm\"").contains("\"port\":" + context.getBean(EnsmRuntime.class).port())
                .contains("\"connections\":0");
    }

    @Test
    void prometheusCountsRefusedRequestsByStatus() throws Exception {
        var stub = NetworkServiceGrpc.newBlockingStub(channel);
        NetworkServiceRequest bad = NetworkServiceRequest.newBuilder()
                .setConnection(Connection.newBuilder().setId("c1").setNetworkService("no-such-service")).build();
        assertThatThrownBy(() -> stub.request(bad)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
        String metrics = get("/actuator/prometheus");
        assertThat(metrics)
                .contains("ensm_grpc_server_calls_seconds_count{method=\"networkservice.NetworkService/Request\",status=\"NOT_FOUND\"}")
                .contains("ensm_connections_active 0.0");
    }

    /** The metrics README.md names, each with a series the scrape must hold after one Request. */
    static final List<String> NAMED = List.of(
            "ensm_grpc_server_calls_seconds_count{method=\"networkservice.NetworkService/Request\",status=\"OK\"}",
            "ensm_connections_active 1.0",
            "ensm_monitor_subscribers 0.0",
            "ensm_monitor_backlog_high_water 0.0",
            "ensm_backend_operations_seconds_count{backend=\"preprovisioned\",endpoint=\"box-a\",operation=\"provision\",outcome=\"ok\"} 1",
            "ensm_backend_operations_seconds_bucket{backend=\"preprovisioned\",endpoint=\"box-a\",operation=\"provision\",outcome=\"ok\",le=\"0.001\"}",
            "ensm_pool_used{kind=\"ipv4\",pool=\"blue\"} 1.0",
            "ensm_pool_capacity{kind=\"vlan\",pool=\"uplink:eth9\"} 4.0",
            "ensm_pool_utilisation{kind=\"vlan\",pool=\"uplink:eth9\"} 0.25",
            "ensm_pool_used{kind=\"vni\",pool=\"vni\"} 0.0",
            "ensm_reconcile_passes_seconds_count{kind=\"startup\",outcome=\"completed\"} 1",
            "ensm_reconcile_connections_total{result=\"verified\"}",
            "ensm_reconcile_orphans_removed_total",
            "ensm_registry_registrations{state=\"unregistered\"} 0.0",
            "ensm_store_writable 1.0",
            "ensm_store_refresh_backlog");

    @Test
    void prometheusHasEveryMetricTheReadmeNames() throws Exception {
        var stub = NetworkServiceGrpc.newBlockingStub(channel);
        Connection c = stub.request(io.ensm.core.testing.Requests.request().service("blue")
                .mechanisms(io.ensm.core.testing.Requests.vlan()).expires(java.time.Instant.now().plusSeconds(600)).build());
        try {
            io.ensm.core.registry.Await.until("registered", () -> context.getBean(EnsmRuntime.class).status().registered(),
                    java.time.Duration.ofSeconds(10));
            String metrics = get("/actuator/prometheus");
            String readme = Files.readString(Path.of("..", "README.md"));
            for (String series : NAMED) {
                assertThat(metrics).as("scrape").contains(series);
                String name = series.replaceAll("[{ ].*", "").replaceAll("_(count|bucket)$", "");
                assertThat(readme).as("README names " + name).contains("`" + name);
            }
        } finally {
            stub.close(c);
        }
    }

    @Test
    void healthHasOneComponentPerEndpointAndReadinessIncludesEnsm() throws Exception {
        String health = get("/actuator/health");
        assertThat(health).contains("\"backends\"").contains("\"box-a\"").contains("\"backend\":\"preprovisioned\"");
        assertThat(get("/actuator/health/readiness")).contains("\"ensm\"");
        assertThat(get("/actuator/health/liveness")).doesNotContain("\"ensm\"");
    }

    private static String get(String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            return r.body();
        }
    }
}
