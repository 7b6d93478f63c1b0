package io.ensm.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.openstack.testbed.RawOpenStack;
import io.ensm.openstack.testbed.RealOpenStack;
import io.ensm.openstack.testbed.TestBed;
import io.ensm.core.testing.Contexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A VM exposed through its trunk, against the real Neutron; checked with raw HTTP. */
@RealOpenStack
class TrunkEndpointTest {
    static final String PREFIX = "trt-";
    static final String ENDPOINT = "trt-vm";
    static final String POOL_TAG = "ensm-subports=trt";
    static final String SERVER = UUID.randomUUID().toString();

    static RawOpenStack raw;
    static RawOpenStack.Trunk vm;
    static String parentNet;
    static OpenStackBackend backend;
    static Path dir;
    static TestBed bed;

    @BeforeAll
    static void setUp(TestBed testBed, @TempDir Path tmp) {
        bed = testBed;
        dir = tmp;
        raw = new RawOpenStack(bed);
        raw.sweep(PREFIX);
        parentNet = raw.vlanNetwork(PREFIX + "vm-net", "physnet1", 150, "10.150.0.0/24", null);
        for (int vlan = 160; vlan <= 164; vlan++) {
            raw.vlanNetwork(PREFIX + "sub-" + vlan, "physnet1", vlan, "172.16.60.0/24", null, POOL_TAG);
        }
        vm = raw.vmTrunk(PREFIX + "vm1", parentNet, SERVER);
        backend = backend(ENDPOINT, Map.of("trunk", PREFIX + "vm1"));
    }

    @AfterAll
    static void tearDown() {
        if (raw != null) {
            raw.sweep(PREFIX);
        }
    }

    static OpenStackBackend backend(String endpoint, Map<String, String> target) {
        Map<String, String> s = new LinkedHashMap<>(bed.adminSettings(dir.resolve("password")));
        s.putAll(target);
        s.put("physical-network", "physnet1");
        s.put("uplink", "eth1");
        s.put("vlans", "160-169");
        s.put("subport-networks", POOL_TAG);
        return (OpenStackBackend) new OpenStackBackendProvider().create(Contexts.backend(Intents.endpoint(endpoint), s));
    }

    static ProvisionIntent intent(int vlan, String address) {
        return Intents.intent(ENDPOINT, "uplink:eth1", vlan, address, "172.16.60.250");
    }

    static List<JsonNode> portsOf(ProvisionIntent i) {
        return raw.portsTagged("ensm-connection=" + i.connectionId());
    }

    static String networkOfVlan(int vlan) {
        return raw.get("/networks?name=" + PREFIX + "sub-" + vlan).path("networks").get(0).path("id").asText();
    }

    @Test
    void aTrunkEndpointDoesNotServeSegmentsAndSaysSo() {
        ProvisionIntent i = Intents.onSegment(ENDPOINT, backend.capabilities().vlanPool(), 161, List.of("172.16.60.1/24"),
                List.of("172.16.60.5/24"));

        assertThat(backend.servesSegments()).isFalse();
        assertThatThrownBy(() -> backend.joinSegment(i))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.REJECTED);
                    assertThat(e.getMessage()).contains("endpoint " + ENDPOINT + ": a trunk endpoint does not serve shared segments");
                });
    }

    @Test
    void provisionAddsAMarkedSubportWithTheVlanFixedIpAndParentMac() throws Exception {
        ProvisionIntent i = intent(161, "172.16.60.11");

        Attachment a = backend.provision(i);

        assertThat(a).isEqualTo(new Attachment.Vlan("eth1", 161));
        JsonNode port = portsOf(i).getFirst();
        assertThat(port.path("network_id").asText()).isEqualTo(networkOfVlan(161));
        assertThat(RawOpenStack.fixedIps(port)).containsExactly("172.16.60.11");
        assertThat(port.path("mac_address").asText()).isEqualTo(vm.parentMac());
        assertThat(RawOpenStack.texts(port.path("tags"))).contains("ensm-connection=" + i.connectionId(), "ensm-endpoint=" + ENDPOINT,
                "ensm-owner=" + Contexts.OWNER.name());
        assertThat(raw.subports(vm.id())).anySatisfy(s -> {
            assertThat(s.path("port_id").asText()).isEqualTo(port.path("id").asText());
            assertThat(s.path("segmentation_type").asText()).isEqualTo("vlan");
            assertThat(s.path("segmentation_id").asInt()).isEqualTo(161);
        });
        assertThat(backend.verify(i)).isEqualTo(Verification.PRESENT);
        backend.release(i);
    }

    @Test
    void releaseRemovesTheSubportAndItsPortAndMayBeRepeated() throws Exception {
        ProvisionIntent i = intent(162, "172.16.60.12");
        backend.provision(i);
        String portId = portsOf(i).getFirst().path("id").asText();

        backend.release(i);
        backend.release(i);

        assertThat(raw.subports(vm.id())).noneSatisfy(s -> assertThat(s.path("port_id").asText()).isEqualTo(portId));
        assertThat(raw.status("/ports/" + portId)).isEqualTo(404);
        assertThat(backend.verify(i)).isEqualTo(Verification.MISSING);
    }

    @Test
    void aSegmentationIdTakenOnTheTrunkIsRejectedWithNeutronsMessageAndThePortIsDeletedAgain() {
        String theirs = raw.port(PREFIX + "operator-sub", networkOfVlan(163));
        raw.put("/trunks/" + vm.id() + "/add_subports", RawOpenStack.parse(
                "{\"sub_ports\":[{\"port_id\":\"" + theirs + "\",\"segmentation_type\":\"vlan\",\"segmentation_id\":163}]}"));
        ProvisionIntent i = intent(163, "172.16.60.13");

        assertThatThrownBy(() -> backend.provision(i))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.REJECTED);
                    assertThat(e.getMessage()).contains("HTTP 409 DuplicateSubPort", "segmentation_id 163 already in use on trunk");
                });
        assertThat(portsOf(i)).isEmpty();
        assertThat(raw.subports(vm.id())).anySatisfy(s -> assertThat(s.path("port_id").asText()).isEqualTo(theirs));
        raw.put("/trunks/" + vm.id() + "/remove_subports", RawOpenStack.parse("{\"sub_ports\":[{\"port_id\":\"" + theirs + "\"}]}"));
        raw.delete("/ports/" + theirs);
    }

    @Test
    void aDisabledTrunkIsRejectedWithNeutronsMessageAndLeavesNothing() {
        raw.put("/trunks/" + vm.id(), RawOpenStack.parse("{\"trunk\":{\"admin_state_up\":false}}"));
        try {
            ProvisionIntent i = intent(164, "172.16.60.14");
            assertThatThrownBy(() -> backend.provision(i))
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.REJECTED);
                        assertThat(e.getMessage()).contains("TrunkDisabled", "is currently disabled");
                    });
            assertThat(portsOf(i)).isEmpty();
        } finally {
            raw.put("/trunks/" + vm.id(), RawOpenStack.parse("{\"trunk\":{\"admin_state_up\":true}}"));
        }
    }

    @Test
    void aTrunkThatIsGoneIsNotFoundAndLeavesNothing() throws Exception {
        RawOpenStack.Trunk doomed = raw.vmTrunk(PREFIX + "doomed", parentNet, UUID.randomUUID().toString());
        OpenStackBackend b = backend(PREFIX + "doomed-ep", Map.of("trunk", doomed.id()));
        ProvisionIntent first = Intents.intent(PREFIX + "doomed-ep", "uplink:eth1", 160, "172.16.60.20", "172.16.60.251");
        b.provision(first);
        b.release(first);
        raw.put("/ports/" + doomed.parentPort(), RawOpenStack.parse("{\"port\":{\"binding:host_id\":\"\"}}"));
        raw.delete("/trunks/" + doomed.id());

        ProvisionIntent i = Intents.intent(PREFIX + "doomed-ep", "uplink:eth1", 160, "172.16.60.21", "172.16.60.251");
        assertThatThrownBy(() -> b.provision(i))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
                    assertThat(e.getMessage()).contains(doomed.id());
                });
        assertThat(portsOf(i)).isEmpty();
    }

    @Test
    void aVlanWithoutASubportNetworkIsNotFoundNamingWhatToCreate() {
        ProvisionIntent i = intent(169, "172.16.60.19");

        assertThatThrownBy(() -> backend.provision(i))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
                    assertThat(e.getMessage()).contains("no subport network for VLAN 169", POOL_TAG);
                });
    }

    @Test
    void aSubportRemovedByHandIsDriftAndProvisionAddsItBack() throws Exception {
        ProvisionIntent i = intent(160, "172.16.60.15");
        backend.provision(i);
        String portId = portsOf(i).getFirst().path("id").asText();
        raw.put("/trunks/" + vm.id() + "/remove_subports", RawOpenStack.parse("{\"sub_ports\":[{\"port_id\":\"" + portId + "\"}]}"));

        assertThat(backend.verify(i)).isEqualTo(Verification.DRIFTED);
        backend.provision(i);

        assertThat(raw.subports(vm.id())).anySatisfy(s -> {
            assertThat(s.path("port_id").asText()).isEqualTo(portId);
            assertThat(s.path("segmentation_id").asInt()).isEqualTo(160);
        });
        assertThat(backend.verify(i)).isEqualTo(Verification.PRESENT);
        backend.release(i);
    }

    @Test
    void theServerIdFindsItsTrunk() throws Exception {
        OpenStackBackend byServer = backend(PREFIX + "by-server", Map.of("server", SERVER));
        ProvisionIntent i = Intents.intent(PREFIX + "by-server", "uplink:eth1", 162, "172.16.60.16", "172.16.60.252");

        byServer.provision(i);

        String portId = portsOf(i).getFirst().path("id").asText();
        assertThat(raw.subports(vm.id())).anySatisfy(s -> assertThat(s.path("port_id").asText()).isEqualTo(portId));
        byServer.release(i);
    }

    @Test
    void orphanSweepRemovesUnknownMarkedSubportsAndNeverTouchesUnmarkedOnes() throws Exception {
        ProvisionIntent known = intent(160, "172.16.60.31");
        ProvisionIntent orphan = intent(161, "172.16.60.32");
        backend.provision(known);
        backend.provision(orphan);
        String orphanPort = portsOf(orphan).getFirst().path("id").asText();
        String theirs = raw.port(PREFIX + "operator-164", networkOfVlan(164));
        raw.put("/trunks/" + vm.id() + "/add_subports", RawOpenStack.parse(
                "{\"sub_ports\":[{\"port_id\":\"" + theirs + "\",\"segmentation_type\":\"vlan\",\"segmentation_id\":164}]}"));

        Set<String> removed = backend.removeOrphans(id -> id.equals(known.connectionId()));

        assertThat(removed).containsExactly(orphan.connectionId());
        assertThat(raw.status("/ports/" + orphanPort)).isEqualTo(404);
        assertThat(raw.subports(vm.id())).extracting(s -> s.path("port_id").asText())
                .contains(theirs, portsOf(known).getFirst().path("id").asText())
                .doesNotContain(orphanPort);
        backend.release(known);
        raw.put("/trunks/" + vm.id() + "/remove_subports", RawOpenStack.parse("{\"sub_ports\":[{\"port_id\":\"" + theirs + "\"}]}"));
    }
}
