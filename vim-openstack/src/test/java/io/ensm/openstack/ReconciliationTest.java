package io.ensm.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.testing.Requests;
import io.ensm.openstack.testbed.RawOpenStack;
import io.ensm.openstack.testbed.RealOpenStack;
import io.ensm.openstack.testbed.TestBed;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ensm's periodic reconciliation against the real Neutron: what an operator breaks by hand is
 * repaired, tagged ports of connections ensm does not hold are removed, untagged ports stay.
 */
@RealOpenStack
class ReconciliationTest {
    static final String PREFIX = "rct-";

    static RawOpenStack raw;
    static String network;
    static String trunkNetwork;
    static RawOpenStack.Trunk vm;
    static EnsmRuntime ensm;
    static ManagedChannel channel;

    @BeforeAll
    static void setUp(TestBed bed, @TempDir Path dir) {
        raw = new RawOpenStack(bed);
        raw.sweep(PREFIX);
        network = raw.vlanNetwork(PREFIX + "net", "physnet1", 130, "172.16.30.0/24", null);
        trunkNetwork = raw.vlanNetwork(PREFIX + "sub-131", "physnet1", 131, "172.16.31.0/24", null, "ensm-subports=rct");
        vm = raw.vmTrunk(PREFIX + "vm", raw.vlanNetwork(PREFIX + "vm-net", "physnet1", 132, null, null), UUID.randomUUID().toString());
        Map<String, String> login = bed.adminSettings(dir.resolve("password"));
        EnsmSettings settings = new EnsmSettings("ensm-rct", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null, dir,
                Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofSeconds(1), 1500, 1, 1000,
                List.of(new ServiceSpec("rct-net", Payload.ETHERNET, List.of("172.16.30.0/24"), List.of()),
                        new ServiceSpec("rct-vm", Payload.ETHERNET, List.of("172.16.31.0/24"), List.of())),
                List.of(endpoint("rct-net-1", "rct-net", login, Map.of("network", network, "vlans", "130")),
                        endpoint("rct-vm-1", "rct-vm", login, Map.of("trunk", vm.id(), "vlans", "131-131",
                                "subport-networks", "ensm-subports=rct"))),
                null, Map.of());
        ensm = EnsmRuntime.start(settings, SqliteConnectionStore::new, EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
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

    static EndpointDefinition endpoint(String name, String service, Map<String, String> login, Map<String, String> target) {
        Map<String, String> s = new LinkedHashMap<>(login);
        s.putAll(Map.of("physical-network", "physnet1", "uplink", "eth1"));
        s.putAll(target);
        return new EndpointDefinition(new EndpointSpec(name, service, Map.of()), "openstack", s);
    }

    static Connection request(String service) {
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS).request(Requests.request()
                .service(service).mechanisms(Requests.vlan()).expires(Instant.now().plus(Duration.ofMinutes(10))).build());
    }

    static String ensmId(Connection c) {
        return c.getPath().getPathSegments(c.getPath().getIndex() + 1).getId();
    }

    static List<JsonNode> portsOf(Connection c) {
        return raw.portsTagged("ensm-connection=" + ensmId(c));
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    @Test
    void aPortDeletedByHandIsCreatedAgainAndARemovedSubportAddedBack() throws Exception {
        Connection toNet = request("rct-net");
        Connection toVm = request("rct-vm");
        String address = toNet.getContext().getIpContext().getDstIpAddrs(0).replace("/32", "");
        String oldPort = portsOf(toNet).getFirst().path("id").asText();
        String subport = portsOf(toVm).getFirst().path("id").asText();

        raw.delete("/ports/" + oldPort);
        raw.put("/trunks/" + vm.id() + "/remove_subports", RawOpenStack.parse("{\"sub_ports\":[{\"port_id\":\"" + subport + "\"}]}"));

        await("port created again", () -> portsOf(toNet).size() == 1);
        assertThat(RawOpenStack.fixedIps(portsOf(toNet).getFirst())).containsExactly(address);
        await("subport added back", () -> raw.subports(vm.id()).stream().anyMatch(s -> s.path("port_id").asText().equals(subport)
                && s.path("segmentation_id").asInt() == 131));
    }

    @Test
    void aTaggedPortOfAnUnknownConnectionIsRemovedAndAnUntaggedOneStays() throws Exception {
        String orphan = raw.port(PREFIX + "orphan", network, "172.16.30.201");
        raw.setTags("ports", orphan, List.of("ensm-connection=" + UUID.randomUUID(), "ensm-endpoint=rct-net-1", "ensm-owner=ensm-rct"));
        String untagged = raw.port(PREFIX + "operator", network, "172.16.30.202");

        await("orphan removed", () -> raw.status("/ports/" + orphan) == 404);

        assertThat(raw.status("/ports/" + untagged)).isEqualTo(200);
    }
}
