package io.ensm.openstack;

import com.fasterxml.jackson.databind.JsonNode;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.core.testing.Contexts;
import io.ensm.openstack.testbed.RawOpenStack;
import io.ensm.openstack.testbed.RealOpenStack;
import io.ensm.openstack.testbed.TestBed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A shared segment on a Neutron network endpoint, against the real Neutron: every connection is a
 * marked port on the one network with the client's address; the network and its subnets are the
 * segment, checked at the join. Checked with raw HTTP.
 */
@RealOpenStack
class NetworkSegmentTest {
    static final String PREFIX = "nst-";
    static final String ENDPOINT = "nst-lan";
    static final int VLAN = 167;
    static final String GATEWAY = "172.16.67.1/24";
    static final String GATEWAY6 = "fd00:67::1/64";

    static RawOpenStack raw;
    static String networkId;
    static OpenStackBackend backend;

    @BeforeAll
    static void setUp(TestBed bed, @TempDir Path dir) {
        raw = new RawOpenStack(bed);
        raw.sweep(PREFIX);
        networkId = raw.vlanNetwork(PREFIX + "net", "physnet1", VLAN, null, null);
        raw.subnet(networkId, PREFIX + "v4", "172.16.67.0/24", "172.16.67.1");
        raw.subnet(networkId, PREFIX + "v6", "fd00:67::/64", "fd00:67::1");
        Map<String, String> settings = new LinkedHashMap<>(bed.adminSettings(dir.resolve("password")));
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

    static ProvisionIntent member(int host) {
        return Intents.onSegment(ENDPOINT, backend.capabilities().vlanPool(), VLAN, List.of(GATEWAY, GATEWAY6),
                List.of("172.16.67." + host + "/24", "fd00:67::" + Integer.toHexString(host) + "/64"));
    }

    static List<JsonNode> portsOf(ProvisionIntent i) {
        return raw.portsTagged("ensm-connection=" + i.connectionId());
    }

    @Test
    void networkEndpointsServeSegments() {
        assertThat(backend.servesSegments()).isTrue();
    }

    @Test
    void fiveConnectionsAtOnceAreFivePortsOnTheNetworkWithTheClientsAddressesAndAllGoOnRelease() throws Exception {
        List<ProvisionIntent> members = new ArrayList<>();
        for (int host = 10; host < 15; host++) {
            members.add(member(host));
        }
        long before = backend.cloud().calls().total();
        backend.joinSegment(members.getFirst());
        long join = backend.cloud().calls().total() - before;

        List<Attachment> attachments = all(members.stream().<Callable<Attachment>>map(m -> () -> backend.provision(m)).toList());
        long provisions = backend.cloud().calls().total() - before - join;

        assertThat(attachments).containsOnly(new Attachment.Vlan("eth1", VLAN));
        for (ProvisionIntent m : members) {
            assertThat(portsOf(m)).as("port of " + m.allocation().clientAddrs()).singleElement().satisfies(p -> {
                assertThat(p.path("network_id").asText()).isEqualTo(networkId);
                List<String> want = m.allocation().clientAddrs().stream().map(a -> a.substring(0, a.indexOf('/'))).toList();
                assertThat(RawOpenStack.fixedIps(p)).containsExactlyInAnyOrderElementsOf(want);
                assertThat(RawOpenStack.texts(p.path("tags"))).containsExactlyInAnyOrder("ensm-connection=" + m.connectionId(),
                        "ensm-endpoint=" + ENDPOINT, "ensm-owner=" + Contexts.OWNER.name());
            });
            assertThat(backend.verify(m)).isEqualTo(Verification.PRESENT);
        }
        // the join reads the network (once per process), its subnets and its ports; each connection costs
        // what a point-to-point one does: lookup by marker, create, tag (when Neutron cannot tag in the create)
        assertThat(join).isLessThanOrEqualTo(3);
        assertThat(provisions).isLessThanOrEqualTo(5 * 3);
        // the gateways are Neutron's and stay so: no port of ensm holds them
        assertThat(raw.get("/ports?network_id=" + networkId).path("ports")).hasSize(5)
                .noneSatisfy(p -> assertThat(RawOpenStack.fixedIps(p)).contains("172.16.67.1"));

        all(members.stream().<Callable<Void>>map(m -> () -> {
            backend.release(m);
            return null;
        }).toList());
        backend.leaveSegment(members.getFirst());

        for (ProvisionIntent m : members) {
            assertThat(portsOf(m)).isEmpty();
            assertThat(backend.verify(m)).isEqualTo(Verification.MISSING);
        }
        assertThat(raw.get("/ports?network_id=" + networkId).path("ports")).isEmpty();
    }

    @Test
    void aMembersDriftIsFoundAndRepairedAndItsPortSweptWhenUnknown() throws Exception {
        ProvisionIntent kept = member(20);
        ProvisionIntent lost = member(21);
        backend.joinSegment(kept);
        backend.provision(kept);
        backend.provision(lost);
        String portId = portsOf(kept).getFirst().path("id").asText();

        raw.put("/ports/" + portId, RawOpenStack.parse("{\"port\":{\"fixed_ips\":[{\"ip_address\":\"172.16.67.99\"}]}}"));
        assertThat(backend.verify(kept)).isEqualTo(Verification.DRIFTED);
        backend.joinSegment(kept);
        backend.provision(kept);
        assertThat(RawOpenStack.fixedIps(raw.get("/ports/" + portId).path("port"))).containsExactlyInAnyOrder("172.16.67.20", "fd00:67::14");
        assertThat(backend.verify(kept)).isEqualTo(Verification.PRESENT);

        assertThat(backend.removeOrphans(id -> id.equals(kept.connectionId()))).containsExactly(lost.connectionId());
        assertThat(portsOf(lost)).isEmpty();
        assertThat(portsOf(kept)).hasSize(1);
        backend.release(kept);
    }

    @Test
    void addressesOtherPortsHoldAreRefusedOnceAndThenLeftOutOfNewConnections() throws Exception {
        String operators = raw.port(PREFIX + "operator", networkId, "172.16.67.40");
        String late = null;
        try {
            ProvisionIntent clashing = member(40);
            assertThatThrownBy(() -> backend.joinSegment(clashing))
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.REJECTED);
                        assertThat(e.getMessage()).contains("address 172.16.67.40 of connection " + clashing.connectionId()
                                + " is held by another port on network " + PREFIX + "net");
                    });
            assertThat(backend.capabilities().reservedAddresses()).containsExactly("172.16.67.40");

            // a port made after the join: Neutron refuses the address, and it is read with the others
            late = raw.port(PREFIX + "late", networkId, "172.16.67.41");
            ProvisionIntent refused = member(41);
            assertThatThrownBy(() -> backend.provision(refused))
                    .isInstanceOfSatisfying(BackendException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.REJECTED);
                        assertThat(e.getMessage()).contains("172.16.67.41", "another port on network " + PREFIX + "net holds it");
                    });
            assertThat(portsOf(refused)).isEmpty();
            assertThat(backend.capabilities().reservedAddresses()).containsExactlyInAnyOrder("172.16.67.40", "172.16.67.41");
        } finally {
            raw.delete("/ports/" + operators);
            if (late != null) {
                raw.delete("/ports/" + late);
            }
        }
    }

    @Test
    void aSegmentCidrThatIsNotTheNetworksSubnetIsRejectedNamingTheNetworkAndLeavesNothing() {
        ProvisionIntent i = Intents.onSegment(ENDPOINT, backend.capabilities().vlanPool(), VLAN, List.of("10.67.0.1/24"),
                List.of("10.67.0.5/24"));
        long portsBefore = raw.get("/ports?network_id=" + networkId).path("ports").size();

        assertThatThrownBy(() -> backend.joinSegment(i))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.REJECTED);
                    assertThat(e.getMessage()).contains("network " + PREFIX + "net has no subnet 10.67.0.0/24",
                            "172.16.67.0/24 gateway 172.16.67.1", "the service's CIDRs must be the network's subnets");
                });
        assertThat(raw.get("/ports?network_id=" + networkId).path("ports")).hasSize((int) portsBefore);
    }

    @Test
    void aPrefixLengthOtherThanTheSubnetsIsRejected() {
        ProvisionIntent i = Intents.onSegment(ENDPOINT, backend.capabilities().vlanPool(), VLAN, List.of("172.16.67.1/25"),
                List.of("172.16.67.5/25"));

        assertThatThrownBy(() -> backend.joinSegment(i))
                .isInstanceOfSatisfying(BackendException.class, e -> assertThat(e.getMessage())
                        .contains("network " + PREFIX + "net has no subnet 172.16.67.0/25"));
    }

    @Test
    void aGatewayOtherThanNeutronsIsRejected() {
        ProvisionIntent i = Intents.onSegment(ENDPOINT, backend.capabilities().vlanPool(), VLAN, List.of("172.16.67.254/24"),
                List.of("172.16.67.5/24"));

        assertThatThrownBy(() -> backend.joinSegment(i))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.REJECTED);
                    assertThat(e.getMessage()).contains("network " + PREFIX + "net: subnet 172.16.67.0/24 has gateway 172.16.67.1 in Neutron",
                            "not the segment's 172.16.67.254");
                });
    }

    @Test
    void aSegmentVlanOtherThanTheNetworksIsRejected() {
        ProvisionIntent i = Intents.onSegment(ENDPOINT, backend.capabilities().vlanPool(), VLAN + 1, List.of(GATEWAY),
                List.of("172.16.67.5/24"));

        assertThatThrownBy(() -> backend.joinSegment(i))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(Kind.REJECTED);
                    assertThat(e.getMessage()).contains("network " + PREFIX + "net is VLAN " + VLAN, "has VLAN " + (VLAN + 1));
                });
    }

    private static <T> List<T> all(List<Callable<T>> tasks) throws Exception {
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = pool.invokeAll(tasks);
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        }
    }
}
