package io.ensm.netconf.backend;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.core.testing.Contexts;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.session.SessionPool;
import io.ensm.netconf.driver.ietf.IetfDriver;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.TestSubInterface;
import io.ensm.netconf.testbed.TestSubInterfaceCodec;
import io.ensm.netconf.testbed.TestSubInterfaceCodec.Found;
import io.ensm.netconf.testbed.UsesNetconfTestbed;
import io.ensm.netconf.transaction.TransactionRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The netconf backend against a real netconfd; every check of the box reads it with OpenSSH, not ensm. */
@UsesNetconfTestbed(devices = 2)
class NetconfBackendTest {
    private static final int DEVICE = 1;
    private static final EndpointSpec ENDPOINT = new EndpointSpec("box-1", "svc", Map.of());

    private final NetconfTestbed bed;
    private final List<Backend> backends = new ArrayList<>();
    private final List<ProvisionIntent> written = new ArrayList<>();

    NetconfBackendTest(NetconfTestbed bed) {
        this.bed = bed;
    }

    static Map<String, String> settings(NetconfTestbed.Device d, String port) {
        Map<String, String> s = new HashMap<>();
        s.put("host", d.host());
        s.put("port", Integer.toString(d.port()));
        s.put("username", d.username());
        s.put("password-file", d.passwordFile().toString());
        s.put("known-hosts", d.knownHosts().toString());
        s.put("driver", "ietf");
        s.put("port-name", port);
        s.put("uplink", "ensm-up0");
        s.put("vlans", "3100-3199");
        return s;
    }

    private Backend backend(Map<String, String> settings) {
        Backend b = new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, settings));
        backends.add(b);
        return b;
    }

    private Backend backend() {
        return backend(settings(bed.device(DEVICE), "eth1"));
    }

    private Backend backendOf(String owner) {
        Backend b = new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, settings(bed.device(DEVICE), "eth1"), new Owner(owner)));
        backends.add(b);
        return b;
    }

    static ProvisionIntent intent(String id, int vlan, String endpointAddr, String clientAddr) {
        Allocation a = new Allocation(List.of(endpointAddr), List.of(clientAddr), "uplink:ensm-up0", vlan, 0);
        return new ProvisionIntent(id, ENDPOINT, PlanKind.FORWARDER_VXLAN, a, null, 1500);
    }

    private ProvisionIntent track(ProvisionIntent i) {
        written.add(i);
        return i;
    }

    private Map<String, Found> boxInterfaces() {
        return TestSubInterfaceCodec.parse(bed.independentInterfaces(DEVICE));
    }

    /** The reply without its time stamp: netconfd moves last-modified on every commit, even one changing nothing. */
    static String configOf(String reply) {
        return reply.replaceAll("last-modified=\"[^\"]*\"", "");
    }

    @AfterEach
    void cleanUp() throws BackendException {
        try {
            if (!written.isEmpty()) {
                Backend b = backend();
                for (ProvisionIntent i : written) {
                    b.release(i);
                }
            }
        } finally {
            backends.forEach(Backend::close);
        }
    }

    @Test
    void provisionWritesTheSubInterfaceAndTwiceChangesNothing() throws Exception {
        Backend b = backend();
        ProvisionIntent i = track(intent("conn-a", 3101, "10.61.0.0/32", "10.61.0.1/32"));

        Attachment att = b.provision(i);

        assertThat(att).isEqualTo(new Attachment.Vlan("ensm-up0", 3101));
        String reply = bed.independentInterfaces(DEVICE);
        assertThat(TestSubInterfaceCodec.parse(reply).get("eth1.3101"))
                .isEqualTo(new Found("ensm@ensm-test:conn-a", "3101", "10.61.0.0"));
        assertThat(reply).containsPattern("<ip>10\\.61\\.0\\.0</ip>\\s*<prefix-length>31</prefix-length>");
        assertThat(b.verify(i)).isEqualTo(Verification.PRESENT);

        b.provision(i);
        assertThat(configOf(bed.independentInterfaces(DEVICE))).isEqualTo(configOf(reply));
    }

    @Test
    void sessionAndQueueGaugesFollowTheDeviceAndGoWithTheBackend() throws Exception {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        Backend b = new NetconfBackendProvider().create(new io.ensm.core.spi.BackendContext(ENDPOINT,
                new io.ensm.core.spi.SettingsReader("endpoint 'box-1'", settings(bed.device(DEVICE), "eth1")), Contexts.OWNER, registry));
        backends.add(b);
        java.util.function.Function<String, io.micrometer.core.instrument.search.Search> find =
                name -> registry.find(name).tags("endpoint", "box-1", "device", "box-1");
        b.provision(track(intent("conn-g", 3107, "10.61.0.14/32", "10.61.0.15/32")));

        assertThat(find.apply("ensm.netconf.connect.attempts").functionCounter().count()).isGreaterThanOrEqualTo(1);
        assertThat(find.apply("ensm.netconf.sessions").tag("state", "idle").gauge().value()).isGreaterThanOrEqualTo(1);
        assertThat(find.apply("ensm.netconf.sessions").tag("state", "in_use").gauge().value()).isZero();
        assertThat(find.apply("ensm.netconf.commit.queue").gauge().value()).isZero();
        assertThat(find.apply("ensm.netconf.circuit.open").gauge().value()).isZero();

        b.close();
        assertThat(registry.find("ensm.netconf.sessions").gauges()).as("gauges of a closed backend").isEmpty();
    }

    /** netconfd answers the name filter with just the written entry, not its port's other sub-interfaces. */
    @Test
    void theReadBackAfterAWriteSelectsOnlyTheWrittenSubInterface() throws Exception {
        backend().provision(track(intent("conn-r", 3105, "10.61.0.10/32", "10.61.0.11/32")));
        String filter = new IetfDriver().readBackFilter(List.of(io.ensm.netconf.driver.Intents.put(
                io.ensm.netconf.driver.Intents.sub("eth1", 3105, 1500, "conn-r", "10.61.0.10/31"))));

        Map<String, Found> read = TestSubInterfaceCodec.parse(bed.independentGetConfig(DEVICE, filter));

        assertThat(read).containsOnlyKeys("eth1.3105");
        assertThat(read.get("eth1.3105")).isEqualTo(new Found("ensm@ensm-test:conn-r", "3105", "10.61.0.10"));
        assertThat(boxInterfaces()).containsKeys("eth1", "eth1.4000", "eth1.3105");
    }

    @Test
    void accessUplinkAnswersTheUntaggedUplinkAndStillWritesTheVlanOnTheBox() throws Exception {
        Map<String, String> s = settings(bed.device(DEVICE), "eth1");
        s.put("uplink-mode", "access");
        s.put("vlans", "3109");
        Backend b = backend(s);
        ProvisionIntent i = track(intent("conn-acc", 3109, "10.69.0.0/32", "10.69.0.1/32"));

        assertThat(b.provision(i)).isEqualTo(new Attachment.Untagged("ensm-up0"));
        assertThat(boxInterfaces().get("eth1.3109")).isEqualTo(new Found("ensm@ensm-test:conn-acc", "3109", "10.69.0.0"));
    }

    @Test
    void fabricVlanPlanAnswersTheVlanAndPairPrefixIsTheSmallestHoldingBoth() throws Exception {
        Backend b = backend();
        ProvisionIntent base = track(intent("conn-f", 3102, "10.62.0.1/32", "10.62.0.2/32"));
        ProvisionIntent fabric = new ProvisionIntent(base.connectionId(), ENDPOINT, PlanKind.FABRIC_VLAN,
                base.allocation(), null, 1500);

        assertThat(b.provision(fabric)).isEqualTo(new Attachment.FabricVlan(3102));
        assertThat(bed.independentInterfaces(DEVICE))
                .containsPattern("<ip>10\\.62\\.0\\.1</ip>\\s*<prefix-length>30</prefix-length>");
    }

    @Test
    void releaseRemovesItAndReleaseOfAbsentIsFine() throws Exception {
        Backend b = backend();
        ProvisionIntent i = track(intent("conn-r", 3103, "10.63.0.0/32", "10.63.0.1/32"));
        b.provision(i);
        assertThat(boxInterfaces()).containsKey("eth1.3103");

        b.release(i);
        assertThat(boxInterfaces()).doesNotContainKey("eth1.3103").containsKeys("eth1", "eth1.4000");
        b.release(i);
        assertThat(b.verify(i)).isEqualTo(Verification.MISSING);
    }

    @Test
    void verifySeesDeletionAndDriftMadeBySomeoneElse() throws Exception {
        Backend b = backend();
        ProvisionIntent i = track(intent("conn-v", 3104, "10.64.0.0/32", "10.64.0.1/32"));
        b.provision(i);
        TestSubInterface changed = new TestSubInterface("eth1", 3104, "10.64.9.9", 31, "conn-v");

        SshConnector connector = new SshConnector();
        try (SessionPool other = new SessionPool(bed.config(DEVICE), connector::connect)) {
            other.withSession(s -> new TransactionRunner().run(s, List.of(changed), TestSubInterfaceCodec.removing()));
            assertThat(boxInterfaces()).doesNotContainKey("eth1.3104");
            assertThat(b.verify(i)).isEqualTo(Verification.MISSING);

            // Someone puts it back with another address (a put merges, so only after the delete is it the sole one).
            other.withSession(s -> new TransactionRunner().run(s, List.of(changed), TestSubInterfaceCodec.putting()));
            assertThat(boxInterfaces().get("eth1.3104").ipv4()).isEqualTo("10.64.9.9");
            assertThat(b.verify(i)).isEqualTo(Verification.DRIFTED);
        } finally {
            connector.close();
        }
        b.provision(i);
        assertThat(b.verify(i)).isEqualTo(Verification.PRESENT);
        assertThat(boxInterfaces().get("eth1.3104").ipv4()).isEqualTo("10.64.0.0");
    }

    @Test
    void removeOrphansRemovesOnlyMarkedUnknownOnes() throws Exception {
        Backend b = backend();
        ProvisionIntent known = track(intent("conn-known", 3105, "10.65.0.0/32", "10.65.0.1/32"));
        ProvisionIntent orphan = track(intent("conn-orphan", 3106, "10.65.0.2/32", "10.65.0.3/32"));
        b.provision(known);
        b.provision(orphan);
        Map<String, Found> before = boxInterfaces();

        Set<String> removed = b.removeOrphans(id -> !id.equals("conn-orphan"));

        assertThat(removed).containsExactly("conn-orphan");
        Map<String, Found> after = boxInterfaces();
        assertThat(after).doesNotContainKey("eth1.3106");
        assertThat(after.get("eth1.3105")).isEqualTo(before.get("eth1.3105"));
        assertThat(after.get("eth1.4000")).isEqualTo(before.get("eth1.4000"))
                .extracting(Found::description).isEqualTo("operator: management VLAN");
        assertThat(after.get("eth1")).isEqualTo(before.get("eth1"));
        assertThat(b.removeOrphans(id -> false)).containsExactly("conn-known");
        assertThat(boxInterfaces()).containsKeys("eth1", "eth1.4000").doesNotContainKey("eth1.3105");
    }

    @Test
    void twoInstancesOnOnePortSweepOnlyTheirOwnWork() throws Exception {
        Backend a = backendOf("ensm-a");
        Backend b = backendOf("ensm-b");
        ProvisionIntent ofA = track(intent("conn-of-a", 3110, "10.70.0.0/32", "10.70.0.1/32"));
        ProvisionIntent ofB = track(intent("conn-of-b", 3111, "10.70.0.2/32", "10.70.0.3/32"));
        ProvisionIntent orphanOfA = track(intent("conn-lost-by-a", 3112, "10.70.0.4/32", "10.70.0.5/32"));
        a.provision(ofA);
        a.provision(orphanOfA);
        b.provision(ofB);
        assertThat(boxInterfaces().get("eth1.3111").description()).isEqualTo("ensm@ensm-b:conn-of-b");

        Set<String> sweptByA = a.removeOrphans(id -> id.equals("conn-of-a"));
        Set<String> sweptByB = b.removeOrphans(id -> id.equals("conn-of-b"));

        assertThat(sweptByA).as("swept by instance a").containsExactly("conn-lost-by-a");
        assertThat(sweptByB).as("swept by instance b").isEmpty();
        assertThat(boxInterfaces()).containsKeys("eth1.3110", "eth1.3111").doesNotContainKey("eth1.3112");
        assertThat(a.verify(ofA)).isEqualTo(Verification.PRESENT);
        assertThat(b.verify(ofB)).isEqualTo(Verification.PRESENT);
    }

    @Test
    void aMarkWithoutOwnerIsNeverSweptButItsKnownConnectionIsRecognisedAndReMarked() throws Exception {
        // what an earlier ensm wrote: the mark "ensm:<id>" names no owner
        TestSubInterface lost = new TestSubInterface("eth1", 3113, "10.71.0.0", 31, "conn-old-lost");
        TestSubInterface held = new TestSubInterface("eth1", 3114, "10.71.0.2", 31, "conn-old-held");
        track(intent("conn-old-lost", 3113, "10.71.0.0/32", "10.71.0.1/32"));
        ProvisionIntent heldIntent = track(intent("conn-old-held", 3114, "10.71.0.2/32", "10.71.0.3/32"));
        SshConnector connector = new SshConnector();
        try (SessionPool other = new SessionPool(bed.config(DEVICE), connector::connect)) {
            other.withSession(s -> new TransactionRunner().run(s, List.of(lost, held), TestSubInterfaceCodec.putting()));
        } finally {
            connector.close();
        }
        Backend b = backend();

        assertThat(b.removeOrphans(id -> id.equals("conn-old-held"))).isEmpty();
        assertThat(boxInterfaces().get("eth1.3113").description()).isEqualTo("ensm:conn-old-lost");

        // the connection this ensm holds: its object is its own, re-marked with the owner by the repair
        assertThat(b.verify(heldIntent)).isEqualTo(Verification.DRIFTED);
        b.provision(heldIntent);
        assertThat(b.verify(heldIntent)).isEqualTo(Verification.PRESENT);
        assertThat(boxInterfaces().get("eth1.3114").description()).isEqualTo("ensm@ensm-test:conn-old-held");
    }

    @Test
    void anEditTheBoxRefusesIsRejectedWithItsErrorAndRunningStaysAsItWas() {
        Backend b = backend(settings(bed.device(DEVICE), "eth9"));
        String before = configOf(bed.independentInterfaces(DEVICE));

        assertThatThrownBy(() -> b.provision(track(intent("conn-bad", 3107, "10.66.0.0/32", "10.66.0.1/32"))))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
                    assertThat(e.getMessage()).startsWith("device box-1: ").contains("eth9");
                });
        assertThat(configOf(bed.independentInterfaces(DEVICE))).isEqualTo(before);
        written.clear();
    }

    @Test
    void anUnreachableDeviceIsUnreachableNamingIt() throws Exception {
        Map<String, String> s = settings(bed.device(DEVICE), "eth1");
        s.put("host", "127.0.0.1");
        s.put("port", "1");
        s.put("connect-timeout", "1s");
        Backend b = backend(s);
        String password = java.nio.file.Files.readString(bed.device(DEVICE).passwordFile()).strip();

        assertThatThrownBy(() -> b.provision(intent("conn-u", 3108, "10.67.0.0/32", "10.67.0.1/32")))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
                    assertThat(e.getMessage()).contains("box-1").doesNotContain(password);
                });
        assertThatThrownBy(() -> b.verify(intent("conn-u", 3108, "10.67.0.0/32", "10.67.0.1/32")))
                .isInstanceOfSatisfying(BackendException.class,
                        e -> assertThat(e.kind()).isEqualTo(BackendException.Kind.UNREACHABLE));
    }

    static ProvisionIntent segmentIntent(String id, int vlan, String client, String... gateways) {
        Allocation a = new Allocation(List.of(gateways), List.of(client), "uplink:ensm-up0", vlan, 0);
        return new ProvisionIntent(id, ENDPOINT, PlanKind.FORWARDER_VXLAN, a, null, 1500,
                new io.ensm.core.model.Segment(List.of(), List.of(), vlan));
    }

    @Test
    void aSegmentIsWrittenByItsJoinOnlyAndItsConnectionsProvisionAndReleaseWithoutDeviceIo() throws Exception {
        NetconfBackend b = (NetconfBackend) backend();
        assertThat(b.servesSegments()).isTrue();
        ProvisionIntent first = segmentIntent("seg-c1", 3120, "10.72.0.5/24", "10.72.0.1/24", "fd72::1/64");
        ProvisionIntent second = segmentIntent("seg-c2", 3120, "10.72.0.6/24", "10.72.0.1/24", "fd72::1/64");
        try {
            assertThat(b.provision(first)).as("a segment connection's attachment").isEqualTo(new Attachment.Vlan("ensm-up0", 3120));
            assertThat(boxInterfaces()).as("provision alone writes nothing").doesNotContainKey("eth1.3120");
            assertThat(b.verify(first)).isEqualTo(Verification.MISSING);

            b.joinSegment(first);
            String reply = bed.independentInterfaces(DEVICE);
            assertThat(TestSubInterfaceCodec.parse(reply).get("eth1.3120"))
                    .isEqualTo(new Found("ensm@ensm-test:segment.svc", "3120", "10.72.0.1"));
            assertThat(reply).containsPattern("<ip>10\\.72\\.0\\.1</ip>\\s*<prefix-length>24</prefix-length>")
                    .containsPattern("<ip>fd72::1</ip>\\s*<prefix-length>64</prefix-length>");
            assertThat(b.verify(first)).isEqualTo(Verification.PRESENT);
            assertThat(b.verify(second)).as("every connection of the segment finds it").isEqualTo(Verification.PRESENT);
            assertThat(b.readBack().verify(second)).isEqualTo(Verification.PRESENT);
            assertThat(b.readBack().markers()).hasValueSatisfying(m -> assertThat(m).contains("segment.svc"));

            long edits = b.edits();
            long reads = b.reads();
            b.provision(second);
            b.release(first);
            assertThat(new long[] {b.edits(), b.reads()}).as("edit-configs and get-configs of provision and release")
                    .containsExactly(edits, reads);
            assertThat(configOf(bed.independentInterfaces(DEVICE))).isEqualTo(configOf(reply));

            b.joinSegment(second);
            assertThat(b.edits()).as("a join finding the segment as wanted writes nothing").isEqualTo(edits);

            b.leaveSegment(second);
            assertThat(boxInterfaces()).doesNotContainKey("eth1.3120").containsKeys("eth1", "eth1.4000");
            b.leaveSegment(second);
            assertThat(b.verify(second)).isEqualTo(Verification.MISSING);
        } finally {
            b.leaveSegment(first);
        }
    }

    @Test
    void aSegmentWhoseGatewayChangedOnTheBoxIsDriftedAndTheNextJoinWritesItBack() throws Exception {
        NetconfBackend b = (NetconfBackend) backend();
        ProvisionIntent i = segmentIntent("seg-d1", 3121, "10.73.0.5/24", "10.73.0.1/24");
        try {
            b.joinSegment(i);
            SshConnector connector = new SshConnector();
            try (SessionPool other = new SessionPool(bed.config(DEVICE), connector::connect)) {
                TestSubInterface changed = new TestSubInterface("eth1", 3121, "10.73.0.9", 24, "x");
                other.withSession(s -> new TransactionRunner().run(s, List.of(changed), TestSubInterfaceCodec.removing()));
                other.withSession(s -> new TransactionRunner().run(s, List.of(changed), TestSubInterfaceCodec.putting()));
            } finally {
                connector.close();
            }
            assertThat(b.verify(i)).isEqualTo(Verification.DRIFTED);
            assertThat(b.readBack().verify(i)).isEqualTo(Verification.DRIFTED);

            b.joinSegment(i);
            assertThat(boxInterfaces().get("eth1.3121")).isEqualTo(new Found("ensm@ensm-test:segment.svc", "3121", "10.73.0.1"));
            assertThat(b.verify(i)).isEqualTo(Verification.PRESENT);
        } finally {
            b.leaveSegment(i);
        }
    }

    @Test
    void aJoinRefusesToOverwriteAnotherConnectionsSubInterfaceOnTheSegmentsVlan() throws Exception {
        NetconfBackend b = (NetconfBackend) backend();
        ProvisionIntent p2p = track(intent("conn-s", 3122, "10.74.0.0/32", "10.74.0.1/32"));
        b.provision(p2p);
        String before = configOf(bed.independentInterfaces(DEVICE));

        assertThatThrownBy(() -> b.joinSegment(segmentIntent("seg-x", 3122, "10.74.0.5/24", "10.74.0.1/24")))
                .isInstanceOfSatisfying(BackendException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
                    assertThat(e.getMessage()).contains("eth1.3122").contains("conn-s");
                });
        assertThat(configOf(bed.independentInterfaces(DEVICE))).isEqualTo(before);
    }

    @Test
    void aSegmentGatewayWithoutPrefixLengthIsRefusedBeforeAnyDeviceIo() throws Exception {
        NetconfBackend b = (NetconfBackend) backend();
        ProvisionIntent bad = segmentIntent("seg-b", 3123, "10.75.0.5/24", "10.75.0.1");
        assertThatThrownBy(() -> b.joinSegment(bad)).isInstanceOfSatisfying(BackendException.class, e -> {
            assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
            assertThat(e.getMessage()).contains("endpointAddrs[0]").contains("prefix length");
        });
        assertThat(new long[] {b.edits(), b.reads()}).containsExactly(0, 0);
    }
}
