package io.ensm.tf.backend;

import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.provision.Segments;
import io.ensm.core.endpoint.provision.StepFailure;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.Segment;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.ReadBack;
import io.ensm.core.spi.Verification;
import io.ensm.core.testing.Contexts;
import io.ensm.core.testing.OutputCapture;
import io.ensm.tf.testbed.OpenSdn;
import io.ensm.tf.testbed.RealOpenSdn;
import io.ensm.tf.testbed.TfRest;
import io.ensm.tf.testbed.TfWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A shared segment on a tungsten endpoint against OpenSDN's config API server, on a
 * virtual-port-group in the server's own {@code default-fabric}, which is enterprise style (one VLAN
 * per network on a group): the segment's one interface, made with its first connection and deleted
 * after its last, each connection's addresses reserved as instance-ips of the network. The first
 * join and the last leave are decided by the core's {@link Provisioner}, as in the service.
 */
@RealOpenSdn
class TungstenSegmentTest {
    static final String VMI = "virtual-machine-interface";
    static final String IIP = "instance-ip";
    static final Segment SEGMENT = new Segment(List.of("10.60.0.254", "fd00:60::ffff:ffff:ffff:fffe"), List.of("0.0.0.0/0"), 0);
    static final EndpointSpec SPEC = new EndpointSpec(TfBed.ENDPOINT, "blue", Map.of());
    static final String MARKER = Segment.markerId("blue");
    /**
     * On an enterprise-style fabric a VLAN id belongs to one network across the whole fabric, and the
     * server's default-fabric is shared by every test of the JVM: each test takes VLANs of its own.
     */
    static final AtomicInteger NEXT_VLAN = new AtomicInteger(1000 + 2 * ThreadLocalRandom.current().nextInt(1400));

    final int vlan = NEXT_VLAN.getAndAdd(2);
    TfBed bed;
    /** An owner of this test's own: the segment's interface is one per owner, endpoint and segment in the whole TF. */
    Owner owner;
    String group;
    TungstenBackend backend;
    ExposedEndpoint endpoint;
    /** The connections the core holds on the segment, as its store would say. */
    final Set<String> members = ConcurrentHashMap.newKeySet();
    Provisioner provisioner;

    @BeforeEach
    void start(OpenSdn server) {
        bed = TfBed.on(server);
        owner = new Owner("ensm-test-" + bed.world.tag());
        group = "campus-" + bed.world.tag();
        TfWorld.portGroup(bed.rest, "default-fabric", group, bed.world.port(2));
        backend = segmentBackend(enterpriseSettings());
        endpoint = new ExposedEndpoint(SPEC, backend);
        provisioner = new Provisioner(null, new Segments() {
            @Override
            public Segment of(String service) {
                return service.equals("blue") ? SEGMENT : null;
            }

            @Override
            public boolean othersOn(String endpoint, String service, int vlanId, String connectionId) {
                return members.stream().anyMatch(m -> !m.equals(connectionId));
            }

            @Override
            public boolean anyOn(String service) {
                return !members.isEmpty();
            }
        });
    }

    @AfterEach
    void close() {
        backend.close();
        bed.close();
    }

    /** The settings an operator writes for a default TF: the group only, found in default-fabric. */
    Map<String, String> enterpriseSettings() {
        Map<String, String> s = new LinkedHashMap<>(bed.settings());
        s.remove("fabric");
        s.put("port-group", group);
        return s;
    }

    TungstenBackend segmentBackend(Map<String, String> settings) {
        return (TungstenBackend) new TungstenBackendProvider().create(Contexts.backend(SPEC, settings, owner).withSegment(SEGMENT));
    }

    /** Connection {@code n}'s intent on the segment: the test's VLAN, the gateways, client addresses .10+n and ::10+n. */
    ProvisionIntent intent(int n) {
        Allocation a = new Allocation(List.of("10.60.0.254/24", "fd00:60::ffff:ffff:ffff:fffe/64"),
                List.of("10.60.0." + (10 + n) + "/24", "fd00:60::" + (10 + n) + "/64"), "uplink:" + TfBed.UPLINK, vlan, 5000 + n);
        return new ProvisionIntent(bed.id("c" + n), SPEC, PlanKind.FABRIC_VLAN, a, null, 1450, SEGMENT);
    }

    /** What the core does for a Request: the member is stored first, then provisioned. */
    void request(ProvisionIntent intent) throws Exception {
        members.add(intent.connectionId());
        provisioner.apply(endpoint, intent);
    }

    /** What the core does for a Close: released, then forgotten. */
    void close(ProvisionIntent intent) throws Exception {
        provisioner.undo(endpoint, intent, null);
        members.remove(intent.connectionId());
    }

    /** {@code call} twice (both families) for each of n connections. */
    static List<String> calls(int n, String call) {
        return java.util.Collections.nCopies(2 * n, call);
    }

    String segmentInterface() {
        return ObjectIds.segmentInterfaceUuid(owner.name(), TfBed.ENDPOINT, MARKER);
    }

    String ipOf(int n, String family) {
        return ObjectIds.instanceIpUuid(TfBed.ENDPOINT, bed.id("c" + n), family);
    }

    static String mark(JsonNode object, String key) {
        for (JsonNode pair : object.path("annotations").path("key_value_pair")) {
            if (pair.path("key").asString("").equals(key)) {
                return pair.path("value").asString("");
            }
        }
        return null;
    }

    @Test
    void fourConnectionsOnAnEnterpriseFabricShareOneInterfaceAndTheLastLeaveRemovesIt() throws Exception {
        List<ProvisionIntent> four = List.of(intent(1), intent(2), intent(3), intent(4));
        bed.clearCalls();

        for (ProvisionIntent c : four) {
            request(c);
        }

        assertThat(bed.calls()).as("every call of the four requests")
                .containsExactly(List.of(List.of("POST /virtual-machine-interfaces"), calls(4, "POST /instance-ips")).stream()
                        .flatMap(List::stream).toArray(String[]::new));
        assertThat(bed.interfaces()).containsExactly(segmentInterface());
        JsonNode vmi = bed.rest.read(VMI, segmentInterface()).orElseThrow();
        assertThat(vmi.path("virtual_machine_interface_properties").path("sub_interface_vlan_tag").asInt()).isEqualTo(vlan);
        assertThat(vmi.path("virtual_port_group_refs").get(0).path("to").toString()).contains("default-fabric", group);
        assertThat(vmi.path("virtual_port_group_refs").get(0).path("attr").path("vlan_tag").asInt()).isEqualTo(vlan);
        assertThat(mark(vmi, Marker.CONNECTION)).isEqualTo(MARKER);
        assertThat(bed.instanceIps()).hasSize(8);
        for (int n = 1; n <= 4; n++) {
            JsonNode v4 = bed.rest.read(IIP, ipOf(n, ObjectIds.V4)).orElseThrow();
            JsonNode v6 = bed.rest.read(IIP, ipOf(n, ObjectIds.V6)).orElseThrow();
            assertThat(v4.path("instance_ip_address").asString()).isEqualTo("10.60.0." + (10 + n));
            assertThat(v6.path("instance_ip_address").asString()).isEqualTo("fd00:60::" + (10 + n));
            assertThat(mark(v4, Marker.CONNECTION)).isEqualTo(bed.id("c" + n));
            assertThat(TfRest.refUuids(v4, "virtual_network_refs")).containsExactly(bed.world.networkUuid());
            assertThat(v4.path("virtual_machine_interface_refs").isMissingNode() || v4.path("virtual_machine_interface_refs").isEmpty())
                    .as("a client's address refers to the network alone").isTrue();
            assertThat(backend.verify(four.get(n - 1))).isEqualTo(Verification.PRESENT);
        }

        bed.clearCalls();
        for (int n = 1; n <= 3; n++) {
            close(four.get(n - 1));
            assertThat(bed.instanceIps()).as("after close %d", n).hasSize(8 - 2 * n).doesNotContain(ipOf(n, ObjectIds.V4), ipOf(n, ObjectIds.V6));
            assertThat(bed.interfaces()).as("after close %d", n).containsExactly(segmentInterface());
            assertThat(backend.verify(four.get(3))).isEqualTo(Verification.PRESENT);
        }
        close(four.get(3));

        assertThat(bed.calls()).as("the writes of the four closes").filteredOn(c -> !c.startsWith("GET "))
                .hasSize(9).containsOnlyOnce("DELETE /virtual-machine-interface/" + segmentInterface())
                .endsWith("DELETE /virtual-machine-interface/" + segmentInterface());
        assertThat(bed.interfaces()).isEmpty();
        assertThat(bed.instanceIps()).isEmpty();
        assertThat(bed.portGroup().path("virtual_machine_interface_refs")).isEmpty();
    }

    @Test
    void twoEndpointsServingTheSegmentOverTwoGroupsOfTheFabricHaveAnInterfaceEach() throws Exception {
        String second = "campus-b-" + bed.world.tag();
        TfWorld.portGroup(bed.rest, "default-fabric", second, bed.world.port(1));
        Map<String, String> settings = enterpriseSettings();
        settings.put("port-group", second);
        EndpointSpec otherSpec = new EndpointSpec("blue-nse-2", "blue", Map.of());
        ProvisionIntent onOther = new ProvisionIntent(bed.id("d1"), otherSpec, PlanKind.FABRIC_VLAN, intent(5).allocation(), null,
                1450, SEGMENT);
        try (TungstenBackend other = (TungstenBackend) new TungstenBackendProvider().create(
                Contexts.backend(otherSpec, settings, owner).withSegment(SEGMENT))) {
            request(intent(1));
            other.joinSegment(onOther);
            other.provision(onOther);

            assertThat(bed.interfaces()).containsExactlyInAnyOrder(segmentInterface(),
                    ObjectIds.segmentInterfaceUuid(owner.name(), "blue-nse-2", MARKER));
            assertThat(backend.verify(intent(1))).isEqualTo(Verification.PRESENT);
            assertThat(other.verify(onOther)).isEqualTo(Verification.PRESENT);
            other.release(onOther);
            other.leaveSegment(onOther);
        }
        assertThat(bed.interfaces()).containsExactly(segmentInterface());
    }

    @Test
    void aGatewayTfDoesNotKeepIsWarnedAboutAtStartAndTfsOwnGatewayIsNot() {
        Segment elsewhere = new Segment(List.of("10.60.0.1", "fd00:60::ffff:ffff:ffff:fffe"), List.of(), 0);
        String log;
        try (OutputCapture out = OutputCapture.start()) {
            new TungstenBackendProvider().create(Contexts.backend(SPEC, enterpriseSettings(), owner).withSegment(SEGMENT)).close();
            new TungstenBackendProvider().create(Contexts.backend(SPEC, enterpriseSettings(), owner).withSegment(elsewhere)).close();
            log = out.text();
        }

        assertThat(log.lines().filter(l -> l.contains("event=tf-segment-gateway-not-reserved")))
                .singleElement().asString().contains("gateway=10.60.0.1 ", "network=" + bed.world.networkName());
    }

    @Test
    void aPointToPointEndpointOnTheSameFabricIsStillRefusedNamingSegmentsAmongTheRemedies() {
        assertThatThrownBy(() -> TfBed.backend(TfBed.ENDPOINT, enterpriseSettings())).isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("fabric: ").contains(
                        "fabric 'default-fabric' (holding virtual-port-group '" + group + "') is enterprise style",
                        "fabric_enterprise_style=false", "disable_vlan_vn_uniqueness_check=true",
                        "make the endpoint's service a shared segment (ensm.services[i].segment"));
    }

    @Test
    void theSegmentsInterfaceDeletedBehindEnsmsBackIsDriftForEveryMemberAndOneRepairPutsItBack() throws Exception {
        request(intent(1));
        request(intent(2));
        assertThat(bed.rest.remove(VMI, segmentInterface())).as("TF lets the interface go: no instance-ip refers to it").isTrue();

        assertThat(backend.verify(intent(1))).isEqualTo(Verification.DRIFTED);
        assertThat(backend.verify(intent(2))).isEqualTo(Verification.DRIFTED);
        provisioner.repair(endpoint, intent(1));

        assertThat(backend.verify(intent(1))).isEqualTo(Verification.PRESENT);
        assertThat(backend.verify(intent(2))).isEqualTo(Verification.PRESENT);
        assertThat(bed.interfaces()).containsExactly(segmentInterface());
        assertThat(bed.rest.read(VMI, segmentInterface()).orElseThrow().path("virtual_port_group_refs").get(0).path("attr")
                .path("vlan_tag").asInt()).isEqualTo(vlan);
    }

    @Test
    void aChangedVlanAndADeletedAddressAreDriftAndRepaired() throws Exception {
        request(intent(1));
        request(intent(2));
        bed.rest.update(VMI, segmentInterface(), "{\"virtual_machine_interface_properties\":{\"sub_interface_vlan_tag\":" + (vlan + 1) + "}}");
        bed.rest.remove(IIP, ipOf(2, ObjectIds.V6));

        assertThat(backend.verify(intent(1))).isEqualTo(Verification.DRIFTED);
        assertThat(backend.verify(intent(2))).isEqualTo(Verification.DRIFTED);
        provisioner.repair(endpoint, intent(2));

        assertThat(backend.verify(intent(1))).isEqualTo(Verification.PRESENT);
        assertThat(backend.verify(intent(2))).isEqualTo(Verification.PRESENT);
        assertThat(bed.rest.read(VMI, segmentInterface()).orElseThrow().path("virtual_machine_interface_properties")
                .path("sub_interface_vlan_tag").asInt()).isEqualTo(vlan);
    }

    @Test
    void aPassReadsTheSegmentInOneListingAndOneInterfaceReadAndFindsADriftedMember() throws Exception {
        List<ProvisionIntent> four = List.of(intent(1), intent(2), intent(3), intent(4));
        for (ProvisionIntent c : four) {
            request(c);
        }
        bed.rest.update(IIP, ipOf(3, ObjectIds.V4), "{\"virtual_machine_interface_refs\":[{\"to\":"
                + bed.rest.read(VMI, segmentInterface()).orElseThrow().path("fq_name") + "}]}");
        bed.clearCalls();

        ReadBack pass = backend.readBack();
        List<Verification> found = new ArrayList<>();
        for (ProvisionIntent c : four) {
            found.add(pass.verify(c));
        }

        assertThat(found).containsExactly(Verification.PRESENT, Verification.PRESENT, Verification.DRIFTED, Verification.PRESENT);
        assertThat(bed.calls()).containsExactly("GET /instance-ips", "GET /virtual-machine-interface/" + segmentInterface());
        assertThat(backend.verify(intent(3))).as("read on its own").isEqualTo(Verification.DRIFTED);
        provisioner.repair(endpoint, intent(3));
        assertThat(backend.readBack().verify(intent(3))).isEqualTo(Verification.PRESENT);
    }

    @Test
    void aRepairOfOneMembersAddressLeavesTheInterfaceAsItIs() throws Exception {
        request(intent(1));
        request(intent(2));
        bed.rest.remove(IIP, ipOf(1, ObjectIds.V4));
        assertThat(backend.verify(intent(1))).isEqualTo(Verification.DRIFTED);
        assertThat(backend.verify(intent(2))).isEqualTo(Verification.PRESENT);
        bed.clearCalls();

        provisioner.repair(endpoint, intent(1));

        assertThat(backend.verify(intent(1))).isEqualTo(Verification.PRESENT);
        assertThat(bed.calls()).as("the join finds the interface as wanted; only the address is written")
                .filteredOn(c -> !c.startsWith("GET ")).containsExactly("POST /virtual-machine-interfaces", "POST /instance-ips",
                        "POST /instance-ips");
    }

    @Test
    void theSweepRemovesAForgottenMembersAddressesAndKeepsTheInterfaceWhileTheSegmentIsKnown() throws Exception {
        request(intent(1));
        request(intent(2));
        request(intent(3));
        String foreign = foreignAddress("10.60.0.99");
        members.remove(bed.id("c3")); // its record is gone, its addresses are not

        Set<String> removed = backend.removeOrphans(this::known);

        assertThat(removed).containsExactly(bed.id("c3"));
        assertThat(bed.interfaces()).containsExactly(segmentInterface());
        assertThat(bed.instanceIps()).containsExactlyInAnyOrder(ipOf(1, ObjectIds.V4), ipOf(1, ObjectIds.V6), ipOf(2, ObjectIds.V4),
                ipOf(2, ObjectIds.V6), foreign);

        members.clear(); // the store lost every record: the segment is not known any more
        Set<String> all = backend.removeOrphans(this::known);

        assertThat(all).containsExactlyInAnyOrder(MARKER, bed.id("c1"), bed.id("c2"));
        assertThat(bed.interfaces()).isEmpty();
        assertThat(bed.instanceIps()).containsExactly(foreign);
    }

    /** As the core's reconciler decides: a segment's objects are known while any member is stored. */
    boolean known(String id) {
        return Segment.serviceOf(id) != null ? !members.isEmpty() : members.contains(id);
    }

    /** An address someone else reserved in the network, unmarked. */
    String foreignAddress(String address) {
        ObjectNode iip = JsonNodeFactory.instance.objectNode().put("instance_ip_address", address);
        iip.putArray("virtual_network_refs").addObject().set("to", TfRest.array(bed.world.networkFqName()));
        return bed.rest.create(IIP, null, List.of("operator-ip-" + bed.world.tag()), iip);
    }

    @Test
    void anAddressInUseFailsTheRequestWithTfsMessageAndLeavesNothingOfTheConnection() throws Exception {
        request(intent(1));
        String foreign = foreignAddress("fd00:60::12"); // connection 2's IPv6 address

        assertThatThrownBy(() -> request(intent(2))).isInstanceOf(StepFailure.class).hasMessageStartingWith("backend provision failed")
                .cause().isInstanceOf(BackendException.class).hasMessageContaining("IP address already in use")
                .satisfies(e -> assertThat(((BackendException) e).kind()).isEqualTo(BackendException.Kind.REJECTED));
        members.remove(intent(2).connectionId());

        assertThat(bed.instanceIps()).containsExactlyInAnyOrder(ipOf(1, ObjectIds.V4), ipOf(1, ObjectIds.V6), foreign);
        assertThat(bed.interfaces()).containsExactly(segmentInterface());
    }

    @Test
    void tfRefusesTheSegmentsInterfaceWhereTheNetworkAlreadyHasAVlanOnTheGroupAndEnsmSaysSo() throws Exception {
        String other = operatorInterfaceOnTheGroup(vlan + 1);

        assertThatThrownBy(() -> request(intent(1))).isInstanceOf(StepFailure.class).hasMessageStartingWith("segment join failed")
                .cause().isInstanceOf(BackendException.class)
                .hasMessageContaining("create virtual-machine-interface").hasMessageContaining("already exists in")
                .satisfies(e -> assertThat(((BackendException) e).kind()).isEqualTo(BackendException.Kind.REJECTED));

        assertThat(bed.interfaces()).containsExactly(other);
        assertThat(bed.instanceIps()).isEmpty();
    }

    /** An operator's bare-metal interface of the network on the group with a VLAN of its own. */
    String operatorInterfaceOnTheGroup(int vlan) {
        String profile = "{\"local_link_information\":[{\"switch_info\":\"" + bed.world.router() + "\",\"port_id\":\"xe-0/0/3\","
                + "\"fabric\":\"default-fabric\"}]}";
        ObjectNode vmi = JsonNodeFactory.instance.objectNode();
        vmi.putArray("virtual_network_refs").addObject().set("to", TfRest.array(bed.world.networkFqName()));
        vmi.putObject("virtual_machine_interface_properties").put("sub_interface_vlan_tag", vlan);
        var pairs = vmi.putObject("virtual_machine_interface_bindings").putArray("key_value_pair");
        pairs.addObject().put("key", "vnic_type").put("value", "baremetal");
        pairs.addObject().put("key", "vpg").put("value", group);
        pairs.addObject().put("key", "profile").put("value", profile);
        return bed.rest.create(VMI, "project", new ArrayList<>(List.of(TfWorld.DOMAIN, bed.world.project(), "operator-bms")), vmi);
    }
}
