package io.ensm.forwarder.bridge;

import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.spi.Verification;
import io.ensm.core.testing.Cmd;
import io.ensm.core.testing.Contexts;
import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.testbed.CrossConnectBed;
import io.ensm.forwarder.testbed.KernelTestBed;
import io.ensm.forwarder.testbed.VlanSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A shared segment through ensm's forwarder, with real packets: three client namespaces, standing
 * for the NSM forwarders' VXLAN ends on three nodes, and a "box" namespace holding the gateway
 * address behind the segment's attachment. Every client reaches the gateway and every other
 * client through one bridge; the bridge and the attachment's port are made with the first
 * connection and go with the last.
 * <pre>
 *   c1, c2, c3 (192.168.78.1x, vx0 10.50.0.1x/24) --underlay bridge-- ensm (192.168.78.2, the forwarder)
 *                                                                     ensm -- box0 -- box (eth0 10.50.0.1/24)
 * </pre>
 * The attachments are an untagged port (as a netconf box's access uplink gives) and a namespace
 * leg: this kernel may lack 802.1Q, and the VLAN leg is shared the same way.
 */
@Tag("kernel")
class SegmentTrafficTest {
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final String ENSM_UNDERLAY = "192.168.78.2";
    private static final String GATEWAY = "10.50.0.1";
    private static final String SEGMENT = "segment.lan";
    private static final int CLIENTS = 3;

    @RegisterExtension
    final KernelTestBed bed = new KernelTestBed();

    private String ensm;
    private String box;
    private final List<Client> clients = new ArrayList<>();

    /** One client: its namespace, VXLAN end and inner address, and its connection's cross-connect once made. */
    private record Client(String ns, String underlay, String inner, int vni, String id) {}

    @BeforeEach
    void network() {
        ensm = bed.namespace("ensm");
        box = bed.namespace("box");
        Cmd.run("ip", "-n", ensm, "link", "add", "ulbr", "type", "bridge");
        Cmd.run("ip", "-n", ensm, "addr", "add", ENSM_UNDERLAY + "/24", "dev", "ulbr");
        Cmd.run("ip", "-n", ensm, "link", "set", "ulbr", "up");
        for (int i = 1; i <= CLIENTS; i++) {
            String ns = bed.namespace("c" + i);
            String underlay = "192.168.78.1" + i;
            Cmd.run("ip", "-n", ns, "link", "add", "ul0", "type", "veth", "peer", "name", "ul" + i, "netns", ensm);
            Cmd.run("ip", "-n", ns, "addr", "add", underlay + "/24", "dev", "ul0");
            Cmd.run("ip", "-n", ns, "link", "set", "ul0", "up");
            Cmd.run("ip", "-n", ensm, "link", "set", "ul" + i, "master", "ulbr", "up");
            Client c = new Client(ns, underlay, "10.50.0.1" + i, 5100 + i, UUID.randomUUID().toString());
            // As the client's NSM forwarder makes its end from ensm's reply: VNI, ensm's address, the client's address.
            Cmd.run("ip", "-n", ns, "link", "add", "vx0", "mtu", "1450", "type", "vxlan", "id", Integer.toString(c.vni()), "remote",
                    ENSM_UNDERLAY, "local", underlay, "dstport", "4789");
            Cmd.run("ip", "-n", ns, "addr", "add", c.inner() + "/24", "dev", "vx0");
            Cmd.run("ip", "-n", ns, "link", "set", "vx0", "up");
            clients.add(c);
        }
    }

    private BridgeForwarder forwarder() {
        return (BridgeForwarder) new BridgeForwarderProvider().create(Contexts.forwarder("bridge",
                Map.of(BridgeSettings.LOCAL_IP, ENSM_UNDERLAY, BridgeSettings.NETNS, ensm), Contexts.OWNER, Map.of()));
    }

    private static CrossConnect cc(Client c, Attachment attachment) {
        return new CrossConnect(c.id(), c.vni(), c.underlay(), 4789, attachment, 1450, SEGMENT);
    }

    /** The box's port: a veth from ensm's namespace to the box namespace, where the gateway address is. */
    private void boxPort() {
        Cmd.run("ip", "-n", ensm, "link", "add", "box0", "type", "veth", "peer", "name", "eth0", "netns", box);
        Cmd.run("ip", "-n", box, "addr", "add", GATEWAY + "/24", "dev", "eth0");
        Cmd.run("ip", "-n", box, "link", "set", "eth0", "up");
    }

    private Link link(String ns, String name) {
        return CrossConnectBed.links(ns).stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    private Attachment untagged() {
        return new Attachment.Untagged("box0");
    }

    private LinkNames segmentNames(Attachment a) {
        return LinkNames.ofSegment(Contexts.OWNER, SEGMENT, a.kind() + " " + a.parameters());
    }

    /** Each client pings the gateway and each other client. */
    private void everyoneReachesEveryone(List<Client> on) {
        for (Client from : on) {
            assertThat(CrossConnectBed.ping(from.ns(), GATEWAY)).as("%s to the gateway", from.ns()).isTrue();
            for (Client to : on) {
                if (to != from) {
                    assertThat(CrossConnectBed.ping(from.ns(), to.inner())).as("%s to %s", from.ns(), to.ns()).isTrue();
                }
            }
        }
    }

    @Test
    void threeClientsShareOneBridgeAndPortAndReachTheGatewayAndEachOtherUntilTheLastLeaves() throws Exception {
        boxPort();
        Attachment a = untagged();
        LinkNames seg = segmentNames(a);
        try (BridgeForwarder fwd = forwarder()) {
            assertThat(fwd.servesSegments()).isTrue();
            for (Client c : clients) {
                fwd.connect(cc(c, a));
            }
            Link bridge = link(ensm, seg.bridge());
            assertThat(bridge.isKind("bridge")).isTrue();
            assertThat(bridge.alias()).isEqualTo("ensm@" + Contexts.OWNER.name() + ":" + SEGMENT);
            assertThat(link(ensm, "box0").master()).as("the port joined once, to the segment's bridge").isEqualTo(bridge.index());
            List<Link> marked = CrossConnectBed.markedLinks(ensm);
            assertThat(marked).as("one bridge and one tunnel per client").hasSize(1 + CLIENTS);
            for (Client c : clients) {
                LinkNames own = LinkNames.of(Contexts.OWNER, c.id());
                Link vx = link(ensm, own.vxlan());
                assertThat(vx.alias()).isEqualTo(own.marker());
                assertThat(vx.master()).isEqualTo(bridge.index());
                assertThat(vx.vxlan().vni()).isEqualTo(c.vni());
                assertThat(fwd.verify(cc(c, a))).isEqualTo(Verification.PRESENT);
            }
            assertThat(CrossConnectBed.links(ensm)).extracting(Link::name).as("no bridge of a connection's own")
                    .noneMatch(n -> clients.stream().anyMatch(c -> n.equals(LinkNames.of(Contexts.OWNER, c.id()).bridge())));
            // Connecting a member again changes nothing.
            fwd.connect(cc(clients.get(1), a));
            assertThat(CrossConnectBed.markedLinks(ensm)).hasSize(1 + CLIENTS);

            everyoneReachesEveryone(clients);

            Client leaving = clients.getFirst();
            fwd.disconnect(cc(leaving, a));
            assertThat(fwd.settle(SETTLE)).isTrue();
            assertThat(fwd.verify(cc(leaving, a))).isEqualTo(Verification.MISSING);
            List<Client> staying = clients.subList(1, CLIENTS);
            for (Client c : staying) {
                assertThat(fwd.verify(cc(c, a))).isEqualTo(Verification.PRESENT);
            }
            assertThat(link(ensm, "box0").master()).as("the port stays while the segment has connections").isEqualTo(bridge.index());
            everyoneReachesEveryone(staying);
            assertThat(CrossConnectBed.ping(leaving.ns(), GATEWAY)).as("the client that left is cut off").isFalse();

            fwd.disconnect(cc(staying.getFirst(), a));
            assertThat(CrossConnectBed.ping(staying.getLast().ns(), GATEWAY)).as("the last one still reaches the gateway").isTrue();
            fwd.disconnect(cc(staying.getLast(), a));
            assertThat(CrossConnectBed.ping(staying.getLast().ns(), GATEWAY)).as("no path once the last left").isFalse();
            assertThat(fwd.settle(SETTLE)).isTrue();
            assertThat(CrossConnectBed.markedLinks(ensm)).as("the segment's bridge goes with its last connection").isEmpty();
            assertThat(link(ensm, "box0").master()).as("the host's port stays, released").isZero();
            fwd.disconnect(cc(leaving, a)); // absent is fine
        }
    }

    @Test
    void aNamespaceLegIsMadeOnceForTheSegmentAndGoesWithTheLastConnection() throws Exception {
        Attachment a = new Attachment.Namespace(box, "lan0");
        LinkNames seg = segmentNames(a);
        try (BridgeForwarder fwd = forwarder()) {
            for (Client c : clients) {
                fwd.connect(cc(c, a));
            }
            Link inside = link(box, "lan0");
            assertThat(inside.alias()).isEqualTo(seg.marker());
            assertThat(link(ensm, seg.veth()).master()).isEqualTo(link(ensm, seg.bridge()).index());
            Cmd.run("ip", "-n", box, "addr", "add", GATEWAY + "/24", "dev", "lan0");
            everyoneReachesEveryone(clients);

            for (Client c : clients) {
                assertThat(CrossConnectBed.links(box)).extracting(Link::name).as("before %s leaves", c.ns()).contains("lan0");
                fwd.disconnect(cc(c, a));
            }
            assertThat(fwd.settle(SETTLE)).isTrue();
            assertThat(CrossConnectBed.markedLinks(ensm)).isEmpty();
            assertThat(CrossConnectBed.links(box)).extracting(Link::name).doesNotContain("lan0");
        }
    }

    /** ensm's uplink to the box, where the box's side of VLAN 100 holds the gateway; empty when the kernel can make VLAN links, else why not. */
    /** Why this kernel cannot make a VLAN sub-interface of the uplink, if it cannot. */
    private java.util.Optional<String> vlanMissing() {
        Cmd.run("ip", "-n", ensm, "link", "add", "uplink0", "type", "veth", "peer", "name", "eth0", "netns", box);
        Cmd.run("ip", "-n", ensm, "link", "set", "uplink0", "up");
        Cmd.run("ip", "-n", box, "link", "set", "eth0", "up");
        return VlanSupport.missingIn(ensm, "uplink0");
    }

    @Test
    void aVlanAttachmentIsOneSubInterfaceForTheWholeSegment() throws Exception {
        java.util.Optional<String> missing = vlanMissing();
        if (missing.isPresent()) {
            // Said on the console too, not only in the report: this is a gap in coverage, not a pass.
            System.err.println("SKIPPED aVlanAttachmentIsOneSubInterfaceForTheWholeSegment: " + missing.get());
        }
        assumeTrue(missing.isEmpty(), () -> "a segment's VLAN sub-interface not exercised: " + missing.orElseThrow());
        Cmd.run("ip", "-n", box, "link", "add", "link", "eth0", "name", "eth0.100", "type", "vlan", "id", "100");
        Cmd.run("ip", "-n", box, "addr", "add", GATEWAY + "/24", "dev", "eth0.100");
        Cmd.run("ip", "-n", box, "link", "set", "eth0.100", "up");
        Attachment a = new Attachment.Vlan("uplink0", 100);
        LinkNames seg = segmentNames(a);
        try (BridgeForwarder fwd = forwarder()) {
            for (Client c : clients) {
                fwd.connect(cc(c, a));
            }
            assertThat(CrossConnectBed.links(ensm)).filteredOn(l -> l.isKind("vlan")).extracting(Link::name).containsExactly(seg.vlan());
            everyoneReachesEveryone(clients);
            for (Client c : clients) {
                fwd.disconnect(cc(c, a));
            }
            assertThat(fwd.settle(SETTLE)).isTrue();
            assertThat(CrossConnectBed.markedLinks(ensm)).isEmpty();
        }
    }

    @Test
    void withoutKernelVlanSupportTheFirstJoinIsRefusedAndTheSegmentsBridgeUndone() throws Exception {
        assumeTrue(vlanMissing().isPresent(), "this kernel has 802.1Q support: the refusal path cannot be reached here");
        Attachment a = new Attachment.Vlan("uplink0", 100);
        LinkNames seg = segmentNames(a);
        try (BridgeForwarder fwd = forwarder()) {
            assertThatThrownBy(() -> fwd.connect(cc(clients.getFirst(), a)))
                    .isInstanceOf(io.ensm.core.spi.BackendException.class)
                    .hasMessageContaining("this kernel has no 802.1Q VLAN support")
                    .hasMessageContaining("undone: created bridge " + seg.bridge());
            assertThat(fwd.verify(cc(clients.getFirst(), a))).isEqualTo(Verification.MISSING);
        }
        assertThat(CrossConnectBed.markedLinks(ensm)).isEmpty();
    }

    @Test
    void aSegmentIdThatNamesNoServiceIsRefusedBeforeAnythingIsMade() throws Exception {
        boxPort();
        Client c = clients.getFirst();
        try (BridgeForwarder fwd = forwarder()) {
            for (String bad : List.of("lan", "segment.")) {
                CrossConnect cc = new CrossConnect(c.id(), c.vni(), c.underlay(), 4789, untagged(), 1450, bad);
                assertThatThrownBy(() -> fwd.connect(cc)).isInstanceOf(io.ensm.core.spi.BackendException.class)
                        .satisfies(e -> assertThat(((io.ensm.core.spi.BackendException) e).kind())
                                .isEqualTo(io.ensm.core.spi.BackendException.Kind.REJECTED))
                        .hasMessageContaining("segment id '" + bad + "'");
            }
            assertThat(CrossConnectBed.markedLinks(ensm)).isEmpty();
        }
    }

    @Test
    void concurrentJoinsAndLeavesOfOneSegmentMakeOneBridgeAndLeaveNothing() throws Exception {
        boxPort();
        Attachment a = untagged();
        LinkNames seg = segmentNames(a);
        int n = 12;
        List<CrossConnect> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            members.add(new CrossConnect(UUID.randomUUID().toString(), 5200 + i, "192.168.78.1" + (i % CLIENTS + 1), 4789, a, 1450, SEGMENT));
        }
        try (BridgeForwarder fwd = forwarder(); var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (var f : members.stream().map(cc -> threads.submit(() -> { fwd.connect(cc); return null; })).toList()) {
                f.get();
            }
            assertThat(CrossConnectBed.markedLinks(ensm)).filteredOn(l -> l.isKind("bridge")).extracting(Link::name)
                    .containsExactly(seg.bridge());
            for (CrossConnect cc : members) {
                assertThat(fwd.verify(cc)).isEqualTo(Verification.PRESENT);
            }
            for (var f : members.stream().map(cc -> threads.submit(() -> { fwd.disconnect(cc); return null; })).toList()) {
                f.get();
            }
            assertThat(fwd.settle(SETTLE)).isTrue();
            assertThat(CrossConnectBed.markedLinks(ensm)).isEmpty();
            assertThat(link(ensm, "box0").master()).isZero();
        }
    }

    @Test
    void membershipIsReadFromTheKernelSoARemovalCutShortIsFinishedByItsRetry() throws Exception {
        boxPort();
        Attachment a = untagged();
        LinkNames seg = segmentNames(a);
        Client only = clients.getFirst();
        try (BridgeForwarder fwd = forwarder()) {
            fwd.connect(cc(only, a));
            // As a crash would leave it: the tunnel gone, the segment's bridge and port still there.
            Cmd.run("ip", "-n", ensm, "link", "del", LinkNames.of(Contexts.OWNER, only.id()).vxlan());
            assertThat(fwd.verify(cc(only, a))).isEqualTo(Verification.MISSING);
            fwd.disconnect(cc(only, a));
            assertThat(fwd.settle(SETTLE)).isTrue();
            assertThat(CrossConnectBed.links(ensm)).extracting(Link::name).doesNotContain(seg.bridge());
            assertThat(link(ensm, "box0").master()).isZero();
        }
    }

    @Test
    void aBridgeDeletedBehindEnsmsBackIsRepairedByItsConnectionsConnects() throws Exception {
        boxPort();
        Attachment a = untagged();
        LinkNames seg = segmentNames(a);
        List<Client> two = clients.subList(0, 2);
        try (BridgeForwarder fwd = forwarder()) {
            for (Client c : two) {
                fwd.connect(cc(c, a));
            }
            Cmd.run("ip", "-n", ensm, "link", "del", seg.bridge());
            for (Client c : two) {
                assertThat(fwd.verify(cc(c, a))).isEqualTo(Verification.DRIFTED);
            }
            for (Client c : two) {
                fwd.connect(cc(c, a));
            }
            for (Client c : two) {
                assertThat(fwd.verify(cc(c, a))).isEqualTo(Verification.PRESENT);
            }
            everyoneReachesEveryone(two);
            for (Client c : two) {
                fwd.disconnect(cc(c, a));
            }
            assertThat(fwd.settle(SETTLE)).isTrue();
            assertThat(CrossConnectBed.markedLinks(ensm)).isEmpty();
        }
    }

    @Test
    void theSweepKeepsASegmentsLinksWhileItIsKnownAndRemovesThemOnceItIsNot() throws Exception {
        boxPort();
        Attachment a = untagged();
        LinkNames seg = segmentNames(a);
        Client member = clients.getFirst();
        Client forgotten = clients.get(1);
        try (BridgeForwarder fwd = forwarder()) {
            fwd.connect(cc(member, a));
            fwd.connect(cc(forgotten, a));
            Set<String> removed = fwd.removeOrphans(Set.of(member.id(), SEGMENT)::contains);
            assertThat(removed).containsExactly(forgotten.id());
            assertThat(CrossConnectBed.links(ensm)).extracting(Link::name).contains(seg.bridge(),
                    LinkNames.of(Contexts.OWNER, member.id()).vxlan());
            assertThat(CrossConnectBed.ping(member.ns(), GATEWAY)).isTrue();

            // The segment's service has no connection left (e.g. a store restored from before it).
            assertThat(fwd.removeOrphans(id -> false)).containsExactlyInAnyOrder(member.id(), SEGMENT);
            assertThat(CrossConnectBed.markedLinks(ensm)).isEmpty();
            assertThat(link(ensm, "box0").master()).isZero();
        }
    }
}
