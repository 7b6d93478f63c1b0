package io.ensm.tf.backend;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.Segment;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.recovery.OrphanPolicy;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.testing.Requests;
import io.ensm.tf.testbed.OpenSdn;
import io.ensm.tf.testbed.RealOpenSdn;
import io.ensm.tf.testbed.TfRest;
import io.ensm.tf.testbed.TfWorld;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A segment service on a tungsten endpoint through the whole runtime in this JVM (gRPC, SQLite
 * store, provisioner, reconciler) against OpenSDN's config API server, with the endpoint's group in
 * the server's own enterprise-style {@code default-fabric} and no {@code fabric} setting, as on a
 * default TF: the service starts, its connections share one interface, reconciliation puts back the
 * interface deleted behind its back, and the last Close removes it.
 */
@RealOpenSdn
class TungstenSegmentRuntimeTest {
    static final String SERVICE = "lan";
    static final String ENDPOINT = "lan-nse";

    @TempDir
    Path dir;
    TfRest rest;
    TfWorld world;
    /** ensm's name, its owner too: the segment's interface is one per owner, endpoint and segment in the whole TF. */
    String name;
    String group;
    /** A fixed VLAN of this test's own: on an enterprise fabric a VLAN id belongs to one network fabric-wide. */
    final int vlan = 3000 + ThreadLocalRandom.current().nextInt(900);
    EnsmRuntime runtime;
    ManagedChannel channel;

    @BeforeEach
    void start(OpenSdn server) {
        rest = new TfRest(server.url());
        world = TfWorld.create(rest);
        name = "ensm-seg-" + world.tag();
        group = "campus-" + world.tag();
        TfWorld.portGroup(rest, "default-fabric", group, world.port(2));
        Map<String, String> tf = new LinkedHashMap<>();
        tf.put("api-url", server.url());
        tf.put("virtual-network", world.networkName());
        tf.put("port-group", group);
        tf.put("uplink", "eth1");
        tf.put("vlans", vlan + "-" + vlan);
        tf.put("timeout", "5s");
        Segment segment = new Segment(List.of("10.60.0.254", "fd00:60::ffff:ffff:ffff:fffe"), List.of("0.0.0.0/0"), vlan);
        List<ServiceSpec> services = List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of("10.60.0.0/24", "fd00:60::/64"),
                List.of(), segment));
        List<EndpointDefinition> endpoints = List.of(new EndpointDefinition(new EndpointSpec(ENDPOINT, SERVICE, Map.of()), "tungsten", tf));
        EnsmSettings settings = new EnsmSettings(name, new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:1", null,
                dir.resolve("data"), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofSeconds(2), Duration.ofSeconds(1), 1500, 1,
                1000, services, endpoints, null, Map.of(), List.of(), null, OrphanPolicy.SWEEP, null);
        runtime = EnsmRuntime.start(settings, SqliteConnectionStore::new, EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
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

    Connection request() {
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .request(Requests.request().service(SERVICE).expires(Instant.now().plus(Duration.ofHours(1)))
                        .mechanisms(Requests.vlan()).build());
    }

    void close(Connection reply) {
        NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).close(reply);
    }

    String segmentInterface() {
        return ObjectIds.segmentInterfaceUuid(name, ENDPOINT, Segment.markerId(SERVICE));
    }

    @Test
    void fourClientsOnOneInterfaceOfTheDefaultFabricRepairedByReconciliationAndRemovedAfterTheLastClose() throws Exception {
        List<Connection> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(request());
        }

        assertThat(world.interfaces()).containsExactly(segmentInterface());
        assertThat(world.instanceIps()).hasSize(8);
        assertThat(clients).allSatisfy(c -> {
            assertThat(c.getMechanism().getParametersOrThrow("vlan-id")).isEqualTo(Integer.toString(vlan));
            assertThat(c.getContext().getIpContext().getDstIpAddrsList()).containsExactly("10.60.0.254/24", "fd00:60::ffff:ffff:ffff:fffe/64");
        });
        assertThat(clients).extracting(c -> c.getContext().getIpContext().getSrcIpAddrs(0)).doesNotHaveDuplicates()
                .allSatisfy(a -> assertThat(a).endsWith("/24").isNotIn("10.60.0.253/24", "10.60.0.254/24"));
        JsonNode vmi = rest.read("virtual-machine-interface", segmentInterface()).orElseThrow();
        assertThat(vmi.path("virtual_port_group_refs").get(0).path("attr").path("vlan_tag").asInt()).isEqualTo(vlan);

        assertThat(rest.remove("virtual-machine-interface", segmentInterface())).isTrue();
        assertThat(waitFor(Duration.ofSeconds(20), () -> rest.read("virtual-machine-interface", segmentInterface()).isPresent()))
                .as("the interface deleted behind ensm's back is made again by a pass").isTrue();

        for (int i = 0; i < 3; i++) {
            close(clients.get(i));
            assertThat(world.interfaces()).containsExactly(segmentInterface());
        }
        assertThat(world.instanceIps()).hasSize(2);
        close(clients.get(3));

        assertThat(world.interfaces()).isEmpty();
        assertThat(world.instanceIps()).isEmpty();
    }

    static boolean waitFor(Duration limit, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }
}
