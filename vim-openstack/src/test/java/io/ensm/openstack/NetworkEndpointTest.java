package io.ensm.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.core.spi.VlanRange;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A Neutron provider VLAN network as an NSE, against the real Neutron; checked with raw HTTP. */
@RealOpenStack
class NetworkEndpointTest {
    static final String PREFIX = "nwt-";
    static final String ENDPOINT = "nwt-edge";
    static final int SEGMENT = 140;

    static RawOpenStack raw;
    static String networkId;
    static OpenStackBackend backend;
    static Map<String, String> settings;

    @BeforeAll
    static void setUp(TestBed bed, @TempDir Path dir) {
        raw = new RawOpenStack(bed);
        raw.sweep(PREFIX);
        networkId = raw.vlanNetwork(PREFIX + "net", "physnet1", SEGMENT, "172.16.40.0/24", null);
        settings = new LinkedHashMap<>(bed.adminSettings(dir.resolve("password")));
        settings.put("network", PREFIX + "net");
        settings.put("physical-network", "physnet1");
        settings.put("uplink", "eth1");
        backend = (OpenStackBackend) new OpenStackBackendProvider().create(Contexts.backend(Intents.endpoint(ENDPOINT), settings));
    }

    @AfterAll
    static void tearDown() {
        if (raw != null) {
            raw.sweep(PREFIX);
        }
    }

    static ProvisionIntent intent(String address) {
        return Intents.intent(ENDPOINT, backend.capabilities().vlanPool(), SEGMENT, address, "172.16.40.250");
    }

    static List<JsonNode> portsOf(ProvisionIntent i) {
        return raw.portsTagged("ensm-connection=" + i.connectionId());
    }

    @Test
    void theNetworksSegmentIsTheEndpointsOnlyVlan() {
        assertThat(backend.capabilities().vlans()).isEqualTo(new VlanRange(SEGMENT, SEGMENT));
        assertThat(backend.capabilities().vlanPool()).isEqualTo("uplink:eth1/vlan:" + SEGMENT);
    }

    @Test
    void provisionCreatesOneMarkedPortWithTheFixedIpOnTheNetwork() throws Exception {
        ProvisionIntent i = intent("172.16.40.11");
        long before = backend.cloud().calls().total();

        Attachment a = backend.provision(i);

        assertThat(a).isEqualTo(new Attachment.Vlan("eth1", SEGMENT));
        List<JsonNode> ports = portsOf(i);
        assertThat(ports).hasSize(1);
        JsonNode port = ports.getFirst();
        assertThat(port.path("network_id").asText()).isEqualTo(networkId);
        assertThat(RawOpenStack.fixedIps(port)).containsExactly("172.16.40.11");
        assertThat(RawOpenStack.texts(port.path("tags"))).containsExactlyInAnyOrder("ensm-connection=" + i.connectionId(),
                "ensm-endpoint=" + ENDPOINT, "ensm-owner=" + Contexts.OWNER.name());
        assertThat(port.path("name").asText()).isEqualTo("ensm-" + i.connectionId());
        // lookup by marker, create, tag (this Neutron cannot tag in the create request)
        assertThat(backend.cloud().calls().total() - before).isLessThanOrEqualTo(4);
        backend.release(i);
    }

    @Test
    void provisionAgainChangesNothing() throws Exception {
        ProvisionIntent i = intent("172.16.40.12");
        backend.provision(i);
        String portId = portsOf(i).getFirst().path("id").asText();
        Map<String, Long> before = backend.cloud().calls().snapshot();

        backend.provision(i);

        assertThat(portsOf(i)).singleElement().satisfies(p -> assertThat(p.path("id").asText()).isEqualTo(portId));
        assertThat(backend.cloud().calls().snapshot().getOrDefault("POST /ports", 0L)).isEqualTo(before.getOrDefault("POST /ports", 0L));
        backend.release(i);
    }

    @Test
    void releaseDeletesThePortAndMayBeRepeated() throws Exception {
        ProvisionIntent i = intent("172.16.40.13");
        backend.provision(i);
        String portId = portsOf(i).getFirst().path("id").asText();

        backend.release(i);
        backend.release(i);

        assertThat(portsOf(i)).isEmpty();
        assertThat(raw.status("/ports/" + portId)).isEqualTo(404);
        assertThat(backend.verify(i)).isEqualTo(Verification.MISSING);
    }

    @Test
    void verifyFindsDriftAndProvisionRepairsIt() throws Exception {
        ProvisionIntent i = intent("172.16.40.14");
        backend.provision(i);
        assertThat(backend.verify(i)).isEqualTo(Verification.PRESENT);
        String portId = portsOf(i).getFirst().path("id").asText();

        // an operator changes the address by hand
        JsonNode change = RawOpenStack.parse("{\"port\":{\"fixed_ips\":[{\"ip_address\":\"172.16.40.99\"}]}}");
        raw.put("/ports/" + portId, change);
        assertThat(backend.verify(i)).isEqualTo(Verification.DRIFTED);
        backend.provision(i);
        assertThat(RawOpenStack.fixedIps(raw.get("/ports/" + portId).path("port"))).containsExactly("172.16.40.14");

        // and then deletes the port
        raw.delete("/ports/" + portId);
        assertThat(backend.verify(i)).isEqualTo(Verification.MISSING);
        backend.provision(i);
        assertThat(portsOf(i)).singleElement().satisfies(p -> assertThat(RawOpenStack.fixedIps(p)).containsExactly("172.16.40.14"));
        assertThat(backend.verify(i)).isEqualTo(Verification.PRESENT);
        backend.release(i);
    }

    @Test
    void orphanSweepDeletesOnlyMarkedPortsOfUnknownConnections() throws Exception {
        ProvisionIntent known = intent("172.16.40.21");
        ProvisionIntent orphan = intent("172.16.40.22");
        backend.provision(known);
        backend.provision(orphan);
        String untagged = raw.port(PREFIX + "operator", networkId, "172.16.40.23");
        String otherEndpoint = raw.port(PREFIX + "other", networkId, "172.16.40.24");
        raw.setTags("ports", otherEndpoint, List.of("ensm-connection=not-ours", "ensm-endpoint=someone-else"));

        Set<String> removed = backend.removeOrphans(id -> id.equals(known.connectionId()));

        assertThat(removed).containsExactly(orphan.connectionId());
        assertThat(portsOf(orphan)).isEmpty();
        assertThat(portsOf(known)).hasSize(1);
        assertThat(raw.status("/ports/" + untagged)).isEqualTo(200);
        assertThat(raw.status("/ports/" + otherEndpoint)).isEqualTo(200);
        backend.release(known);
    }

    @Test
    void twoInstancesWithAnEndpointOfTheSameNameSweepOnlyTheirOwnPorts() throws Exception {
        ProvisionIntent known = intent("172.16.40.31");
        ProvisionIntent lost = intent("172.16.40.32");
        ProvisionIntent ofB = intent("172.16.40.33");
        OpenStackBackend b = new OpenStackBackendProvider().create(Intents.endpoint(ENDPOINT), OpenStackSettings.parse(settings),
                new Owner("ensm-b"));
        backend.provision(known);
        backend.provision(lost);
        b.provision(ofB);
        assertThat(RawOpenStack.texts(portsOf(ofB).getFirst().path("tags"))).contains("ensm-owner=ensm-b");

        Set<String> sweptByA = backend.removeOrphans(id -> id.equals(known.connectionId()));
        Set<String> sweptByB = b.removeOrphans(id -> id.equals(ofB.connectionId()));

        assertThat(sweptByA).as("swept by the first instance").containsExactly(lost.connectionId());
        assertThat(sweptByB).as("swept by the second instance").isEmpty();
        assertThat(portsOf(known)).hasSize(1);
        assertThat(portsOf(ofB)).hasSize(1);
        backend.release(known);
        b.release(ofB);
    }

    @Test
    void aPortTaggedWithoutOwnerIsNeverSweptButAKnownConnectionsIsItsOwn() throws Exception {
        ProvisionIntent held = intent("172.16.40.34");
        backend.provision(held);
        String heldPort = portsOf(held).getFirst().path("id").asText();
        // what an earlier ensm wrote: connection and endpoint tags, no owner
        raw.setTags("ports", heldPort, List.of("ensm-connection=" + held.connectionId(), "ensm-endpoint=" + ENDPOINT));
        String lostPort = raw.port(PREFIX + "unowned", networkId, "172.16.40.35");
        raw.setTags("ports", lostPort, List.of("ensm-connection=lost-to-an-earlier-ensm", "ensm-endpoint=" + ENDPOINT));

        assertThat(backend.removeOrphans(id -> id.equals(held.connectionId()))).isEmpty();

        assertThat(raw.status("/ports/" + lostPort)).isEqualTo(200);
        assertThat(backend.verify(held)).isEqualTo(Verification.PRESENT);
        backend.release(held);
        assertThat(raw.status("/ports/" + heldPort)).isEqualTo(404);
        raw.delete("/ports/" + lostPort);
    }

    @Test
    void anAddressOutsideTheNetworksSubnetsIsRejectedWithNeutronsMessageAndLeavesNothing() {
        ProvisionIntent i = Intents.intent(ENDPOINT, backend.capabilities().vlanPool(), SEGMENT, "10.99.0.1", "10.99.0.2");

        assertThatThrownBy(() -> backend.provision(i))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.REJECTED);
                    assertThat(e.getMessage()).contains("Neutron refused POST /ports", "HTTP 400", "10.99.0.1");
                });
        assertThat(portsOf(i)).isEmpty();
    }

    @Test
    void aNetworkThatIsGoneIsNotFoundWithNeutronsMessage(@TempDir Path dir, TestBed bed) throws Exception {
        String gone = raw.vlanNetwork(PREFIX + "gone", "physnet1", SEGMENT + 1, "172.16.41.0/24", null);
        Map<String, String> s = new LinkedHashMap<>(bed.adminSettings(dir.resolve("password")));
        s.putAll(Map.of("network", gone, "physical-network", "physnet1", "uplink", "eth1", "vlans", Integer.toString(SEGMENT + 1)));
        OpenStackBackend b = (OpenStackBackend) new OpenStackBackendProvider().create(Contexts.backend(Intents.endpoint(PREFIX + "gone"), s));
        raw.delete("/networks/" + gone);

        ProvisionIntent i = Intents.intent(PREFIX + "gone", b.capabilities().vlanPool(), SEGMENT + 1, "172.16.41.5", "172.16.41.6");
        assertThatThrownBy(() -> b.provision(i))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
                    assertThat(e.getMessage()).contains(gone).contains("could not be found");
                });
    }

    @Test
    void aNetworkThatIsNotAVlanOnTheUplinksPhysicalNetworkIsRefusedAtStart(@TempDir Path dir, TestBed bed) {
        raw.vlanNetwork(PREFIX + "physnet2", "physnet2", 2001, null, null);
        Map<String, String> s = new LinkedHashMap<>(bed.adminSettings(dir.resolve("password")));
        s.putAll(Map.of("network", PREFIX + "physnet2", "physical-network", "physnet1", "uplink", "eth1"));

        assertThatThrownBy(() -> new OpenStackBackendProvider().create(Contexts.backend(Intents.endpoint(PREFIX + "p2"), s)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("vlans: not set")
                .hasMessageContaining("not a VLAN network on physnet1");
    }
}
