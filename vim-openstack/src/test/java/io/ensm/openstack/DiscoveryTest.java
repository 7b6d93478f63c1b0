package io.ensm.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointQuery;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.runtime.SourceDefinition;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.Requests;
import io.ensm.openstack.testbed.RawOpenStack;
import io.ensm.openstack.testbed.RealOpenStack;
import io.ensm.openstack.testbed.TestBed;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Discovery against the real Neutron, through ensm's runtime: a network or trunk tagged
 * {@code ensm-service=<service>} becomes a registered NSE; when the tag goes, the NSE takes no new
 * connections, and is unregistered once its connection is closed.
 */
@RealOpenStack
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DiscoveryTest {
    static final String PREFIX = "dst-";
    static final String SERVICE = "dst-blue";
    static final String TAG = "ensm-service=" + SERVICE;

    static RawOpenStack raw;
    static String network;
    static RawOpenStack.Trunk vm;
    static EnsmRuntime ensm;
    static ManagedChannel channel;
    static Connection connection;

    @BeforeAll
    static void setUp(TestBed bed, @TempDir Path dir) {
        raw = new RawOpenStack(bed);
        raw.sweep(PREFIX);
        network = raw.vlanNetwork(PREFIX + "net", "physnet1", 180, "172.16.80.0/24", null);
        raw.vlanNetwork(PREFIX + "sub-175", "physnet1", 175, "172.16.80.0/24", null, "ensm-subports=dst");
        String vmNet = raw.vlanNetwork(PREFIX + "vm-net", "physnet1", 181, "10.181.0.0/24", null);
        vm = raw.vmTrunk(PREFIX + "vm", vmNet, UUID.randomUUID().toString());

        Map<String, String> source = new LinkedHashMap<>(bed.adminSettings(dir.resolve("password")));
        source.putAll(Map.of("physical-network", "physnet1", "uplink", "eth1", "vlans", "175-176",
                "subport-networks", "ensm-subports=dst", "labels", "site=lab"));
        EnsmSettings settings = new EnsmSettings("ensm-dst", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null,
                dir, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofHours(1), 1500, 1, 1000,
                List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of("172.16.80.0/24"), List.of())), List.of(), null, Map.of(),
                List.of(new SourceDefinition("os", "openstack", Duration.ofHours(1), source)));
        ensm = EnsmRuntime.start(settings, d -> InMemoryConnectionStore.with(), EnsmRuntime.Transport.plaintext(List.of()),
                Clock.systemUTC());
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", ensm.port()).usePlaintext().build();
    }

    @AfterAll
    static void tearDown() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (ensm != null) {
            ensm.close();
        }
        if (raw != null) {
            raw.sweep(PREFIX);
        }
    }

    static List<String> registered() {
        List<String> names = new ArrayList<>();
        NetworkServiceEndpointRegistryGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .find(NetworkServiceEndpointQuery.newBuilder().setNetworkServiceEndpoint(NetworkServiceEndpoint.getDefaultInstance()).build())
                .forEachRemaining(r -> names.add(r.getNetworkServiceEndpoint().getName()));
        return names;
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    static NetworkServiceGrpc.NetworkServiceBlockingStub ns() {
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @Test
    @Order(1)
    void untaggedResourcesAreNotExposed() {
        assertThat(ensm.catalog().endpoints()).isEmpty();
    }

    @Test
    @Order(2)
    void aTaggedNetworkAndATaggedTrunkBecomeRegisteredEndpoints() throws Exception {
        raw.setTags("networks", network, List.of(TAG));
        raw.setTags("trunks", vm.id(), List.of(TAG));

        ensm.endpointSync().syncAll();

        assertThat(ensm.catalog().endpointsOf(SERVICE)).extracting(e -> e.name()).containsExactlyInAnyOrder("os-dst-net", "os-dst-vm");
        assertThat(ensm.catalog().endpoint("os-dst-net").orElseThrow().spec().labels())
                .containsEntry("site", "lab").containsEntry("openstack-kind", "network").containsEntry("openstack-id", network);
        await("both registered", () -> registered().containsAll(List.of("os-dst-net", "os-dst-vm")));
    }

    @Test
    @Order(3)
    void aConnectionToTheFoundNetworkIsAPortOnIt() {
        connection = ns().request(Requests.request().service(SERVICE).endpoint("os-dst-net").mechanisms(Requests.vlan())
                .expires(Instant.now().plus(Duration.ofMinutes(10))).build());

        assertThat(connection.getMechanism().getParametersOrThrow("vlan-id")).isEqualTo("180");
        List<JsonNode> ports = raw.get("/ports?network_id=" + network).path("ports").findParents("id").stream()
                .filter(p -> p.path("name").asText().startsWith("ensm-")).toList();
        assertThat(ports).singleElement().satisfies(p -> assertThat(RawOpenStack.fixedIps(p))
                .containsExactly(connection.getContext().getIpContext().getDstIpAddrs(0).replace("/32", "")));
    }

    @Test
    @Order(4)
    void withoutItsTagTheNetworkTakesNoNewConnectionsButStaysRegisteredWhileItHasOne() throws Exception {
        raw.setTags("networks", network, List.of());

        ensm.endpointSync().syncAll();

        assertThat(ensm.catalog().isWithdrawn("os-dst-net")).isTrue();
        assertThatThrownBy(() -> ns().request(Requests.request().service(SERVICE).endpoint("os-dst-net")
                .mechanisms(Requests.vlan()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).contains("being withdrawn");
                });
        ensm.endpointSync().syncAll();
        assertThat(registered()).contains("os-dst-net");
        assertThat(ensm.catalog().endpoint("os-dst-net")).isPresent();
    }

    @Test
    @Order(5)
    void onceItsConnectionIsClosedTheNetworkEndpointIsRemovedAndUnregistered() throws Exception {
        ns().close(connection);
        assertThat(raw.get("/ports?network_id=" + network).path("ports")).isEmpty();

        ensm.endpointSync().syncAll();

        assertThat(ensm.catalog().endpoint("os-dst-net")).isEmpty();
        await("unregistered", () -> !registered().contains("os-dst-net"));
        assertThat(registered()).contains("os-dst-vm");
    }

    @Test
    @Order(6)
    void aConnectionToTheFoundTrunkIsASubport() {
        Connection c = ns().request(Requests.request().service(SERVICE).endpoint("os-dst-vm").mechanisms(Requests.vlan())
                .expires(Instant.now().plus(Duration.ofMinutes(10))).build());

        assertThat(c.getMechanism().getParametersOrThrow("vlan-id")).isIn("175", "176");
        assertThat(raw.subports(vm.id())).singleElement()
                .satisfies(s -> assertThat(s.path("segmentation_id").asInt()).isEqualTo(175));
        ns().close(c);
        assertThat(raw.subports(vm.id())).isEmpty();
    }
}
