package io.ensm.forwarder.bridge;

import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.spi.Verification;
import io.ensm.forwarder.netlink.Link;
import io.ensm.core.testing.Cmd;
import io.ensm.core.testing.Contexts;
import io.ensm.forwarder.testbed.CrossConnectBed;
import io.ensm.forwarder.testbed.KernelTestBed;
import io.ensm.forwarder.testbed.NamespacedTcp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import static io.ensm.forwarder.testbed.CrossConnectBed.ATTACH_INNER;
import static io.ensm.forwarder.testbed.CrossConnectBed.NODE_UNDERLAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Faults against the real kernel: every refusal is clear, leaves nothing of ensm's, and never touches foreign links. */
@Tag("kernel")
class CrossConnectFaultTest {
    private static final java.time.Duration SETTLE = java.time.Duration.ofSeconds(10);
    private static final int VNI = 4200;

    @RegisterExtension
    final KernelTestBed bed = new KernelTestBed();

    private CrossConnectBed net;
    private final String id = UUID.randomUUID().toString();
    private final LinkNames names = LinkNames.of(Contexts.OWNER, id);

    @BeforeEach
    void network() {
        net = new CrossConnectBed(bed);
    }

    private CrossConnect cc(Attachment attachment) {
        return new CrossConnect(id, VNI, NODE_UNDERLAY, 4789, attachment, 1450);
    }

    private CrossConnect inNamespace() {
        return cc(new Attachment.Namespace(net.attach, "nsm0"));
    }

    private static BackendException.Kind kindOf(Throwable t) {
        return ((BackendException) t).kind();
    }

    @Test
    void missingUplinkIsNotFoundNamesTheUplinkAndLeavesNothing() throws Exception {
        try (BridgeForwarder fwd = net.forwarder()) {
            assertThatThrownBy(() -> fwd.connect(cc(new Attachment.Vlan("nosuch0", 100))))
                    .isInstanceOf(BackendException.class)
                    .satisfies(e -> assertThat(kindOf(e)).isEqualTo(BackendException.Kind.NOT_FOUND))
                    .hasMessageContaining("connection " + id)
                    .hasMessageContaining("uplink 'nosuch0' does not exist in network namespace '" + net.ensm + "'");
            assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
        }
    }

    @Test
    void vlanAttachmentWithoutAnyUplinkIsRefusedNamingTheSetting() throws Exception {
        try (BridgeForwarder fwd = net.forwarder()) {
            assertThatThrownBy(() -> fwd.connect(cc(new Attachment.Vlan("", 100))))
                    .hasMessageContaining("names no uplink and the forwarder setting 'uplink' is empty");
            assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
        }
    }

    @Test
    void missingUntaggedInterfaceAndMissingNamespaceAreNotFound() throws Exception {
        try (BridgeForwarder fwd = net.forwarder()) {
            assertThatThrownBy(() -> fwd.connect(cc(new Attachment.Untagged("nosuch0"))))
                    .satisfies(e -> assertThat(kindOf(e)).isEqualTo(BackendException.Kind.NOT_FOUND))
                    .hasMessageContaining("interface 'nosuch0' does not exist");
            assertThatThrownBy(() -> fwd.connect(cc(new Attachment.Namespace(KernelTestBed.PREFIX + "gone", "nsm0"))))
                    .satisfies(e -> assertThat(kindOf(e)).isEqualTo(BackendException.Kind.NOT_FOUND))
                    .hasMessageContaining("network namespace '" + KernelTestBed.PREFIX + "gone' does not exist");
            assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
        }
    }

    @Test
    void foreignLinkHoldingEnsmsNameIsRefusedAndLeftAlone() throws Exception {
        Cmd.run("ip", "-n", net.ensm, "link", "add", names.bridge(), "type", "bridge");
        Cmd.run("ip", "-n", net.ensm, "link", "set", names.bridge(), "alias", "owned by the operator");
        try (BridgeForwarder fwd = net.forwarder()) {
            assertThatThrownBy(() -> fwd.connect(inNamespace()))
                    .satisfies(e -> assertThat(kindOf(e)).isEqualTo(BackendException.Kind.REJECTED))
                    .hasMessageContaining("the name of ensm's bridge is taken")
                    .hasMessageContaining("link " + names.bridge() + " (bridge, alias 'owned by the operator')");
            assertThat(fwd.verify(inNamespace())).isEqualTo(Verification.DRIFTED);
            fwd.disconnect(inNamespace());
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
            fwd.removeOrphans(x -> false);
        }
        assertThat(Cmd.run("ip", "-n", net.ensm, "-d", "link", "show", names.bridge())).contains("alias owned by the operator");
        assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
        assertThat(CrossConnectBed.links(net.attach)).extracting(Link::name).doesNotContain("nsm0");
    }

    @Test
    void interfaceNameTakenInTheAttachmentNamespaceIsRefusedAndLeftAlone() throws Exception {
        Cmd.run("ip", "-n", net.attach, "link", "add", "nsm0", "type", "veth", "peer", "name", "other0");
        try (BridgeForwarder fwd = net.forwarder()) {
            assertThatThrownBy(() -> fwd.connect(inNamespace()))
                    .satisfies(e -> assertThat(kindOf(e)).isEqualTo(BackendException.Kind.REJECTED))
                    .hasMessageContaining("interface 'nsm0' already exists in network namespace '" + net.attach + "' and is not ensm's");
            fwd.disconnect(inNamespace());
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
        }
        assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
        assertThat(CrossConnectBed.links(net.attach)).extracting(Link::name).contains("nsm0", "other0");
    }

    @Test
    void untaggedInterfaceOfAnotherBridgeIsNotTaken() throws Exception {
        net.untaggedPort("box0");
        Cmd.run("ip", "-n", net.ensm, "link", "add", "opsbr", "type", "bridge");
        Cmd.run("ip", "-n", net.ensm, "link", "set", "box0", "master", "opsbr");
        try (BridgeForwarder fwd = net.forwarder()) {
            assertThatThrownBy(() -> fwd.connect(cc(new Attachment.Untagged("box0"))))
                    .hasMessageContaining("interface 'box0' is already a port of opsbr");
        }
        assertThat(Cmd.run("ip", "-n", net.ensm, "link", "show", "box0")).contains("master opsbr");
        assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
    }

    @Test
    void vniInUseIsRefusedAndWhatWasCreatedBeforeIsUndone() throws Exception {
        Cmd.run("ip", "-n", net.ensm, "link", "add", "foreignvx", "type", "vxlan", "id", Integer.toString(VNI), "local",
                CrossConnectBed.ENSM_UNDERLAY, "dstport", "4789");
        try (BridgeForwarder fwd = net.forwarder()) {
            // Bridge and veth are made first; the tunnel, made last, is refused.
            assertThatThrownBy(() -> fwd.connect(inNamespace()))
                    .satisfies(e -> assertThat(kindOf(e)).isEqualTo(BackendException.Kind.REJECTED))
                    .hasMessageContaining("VNI " + VNI + " on UDP port 4789 is already used by VXLAN device foreignvx")
                    .hasMessageContaining("A VXLAN device with the specified VNI already exists");
            assertThat(fwd.verify(inNamespace())).isEqualTo(Verification.MISSING);
        }
        assertThat(CrossConnectBed.markedLinks(net.ensm)).as("bridge and veth were undone").isEmpty();
        assertThat(CrossConnectBed.links(net.attach)).extracting(Link::name).doesNotContain("nsm0");
        assertThat(CrossConnectBed.links(net.ensm)).extracting(Link::name).contains("foreignvx");
    }

    @Test
    void connectingTwiceChangesNothing() throws Exception {
        net.nodeVxlan(VNI, 4789, 4789);
        try (BridgeForwarder fwd = net.forwarder()) {
            fwd.connect(inNamespace());
            List<Link> ensmBefore = CrossConnectBed.links(net.ensm);
            List<Link> attachBefore = CrossConnectBed.links(net.attach);
            fwd.connect(inNamespace());
            fwd.connect(inNamespace());
            assertThat(CrossConnectBed.links(net.ensm)).as("same links, same indexes, same state").isEqualTo(ensmBefore);
            assertThat(CrossConnectBed.links(net.attach)).isEqualTo(attachBefore);
            fwd.disconnect(inNamespace());
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
        }
    }

    @Test
    void linksRemovedBehindEnsmsBackAreFoundAndRepaired() throws Exception {
        net.nodeVxlan(VNI, 4789, 4789);
        try (BridgeForwarder fwd = net.forwarder()) {
            CrossConnect cc = inNamespace();
            fwd.connect(cc);
            net.attachAddress("nsm0");
            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).isTrue();

            Cmd.run("ip", "-n", net.ensm, "link", "del", names.vxlan());
            assertThat(fwd.verify(cc)).isEqualTo(Verification.DRIFTED);
            fwd.connect(cc);
            assertThat(fwd.verify(cc)).isEqualTo(Verification.PRESENT);
            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).isTrue();

            Cmd.run("ip", "-n", net.ensm, "link", "set", names.bridge(), "down");
            assertThat(fwd.verify(cc)).isEqualTo(Verification.DRIFTED);
            Cmd.run("ip", "-n", net.attach, "link", "set", "nsm0", "down");
            fwd.connect(cc);
            assertThat(fwd.verify(cc)).isEqualTo(Verification.PRESENT);
            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).isTrue();

            Cmd.run("ip", "-n", net.ensm, "link", "del", names.vxlan());
            Cmd.run("ip", "-n", net.ensm, "link", "del", names.veth());
            Cmd.run("ip", "-n", net.ensm, "link", "del", names.bridge());
            assertThat(fwd.verify(cc)).isEqualTo(Verification.MISSING);
            fwd.connect(cc);
            assertThat(fwd.verify(cc)).isEqualTo(Verification.PRESENT);
            net.attachAddress("nsm0");
            net.forgetNeighbours(net.node);
            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).isTrue();
            NamespacedTcp.roundTrip(net.attach, ATTACH_INNER, net.node, 256 * 1024);

            // A tunnel changed behind ensm's back (another VNI) is replaced, not kept.
            Cmd.run("ip", "-n", net.ensm, "link", "del", names.vxlan());
            Cmd.run("ip", "-n", net.ensm, "link", "add", names.vxlan(), "master", names.bridge(), "type", "vxlan", "id", "9",
                    "remote", NODE_UNDERLAY, "local", CrossConnectBed.ENSM_UNDERLAY, "dstport", "4789");
            Cmd.run("ip", "-n", net.ensm, "link", "set", names.vxlan(), "alias", "ensm:" + id, "up");
            assertThat(fwd.verify(cc)).isEqualTo(Verification.DRIFTED);
            fwd.connect(cc);
            assertThat(fwd.verify(cc)).isEqualTo(Verification.PRESENT);
            assertThat(Cmd.run("ip", "-n", net.ensm, "-d", "link", "show", names.vxlan())).contains("vxlan id " + VNI);
            fwd.disconnect(cc);
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
        }
    }

    @Test
    void attachmentNamespaceDeletedAndMadeAgainUnderTheSameNameIsFollowed() throws Exception {
        net.nodeVxlan(VNI, 4789, 4789);
        try (BridgeForwarder fwd = net.forwarder()) {
            fwd.connect(inNamespace());
            // The endpoint's namespace goes away (its veth end with it) and comes back empty.
            Cmd.run("ip", "netns", "del", net.attach);
            Cmd.run("ip", "netns", "add", net.attach);
            Cmd.run("ip", "-n", net.attach, "link", "set", "lo", "up");
            assertThat(fwd.verify(inNamespace())).isEqualTo(Verification.DRIFTED);
            fwd.connect(inNamespace());
            assertThat(fwd.verify(inNamespace())).isEqualTo(Verification.PRESENT);
            assertThat(CrossConnectBed.links(net.attach)).extracting(Link::name).contains("nsm0");
            net.attachAddress("nsm0");
            net.forgetNeighbours(net.node);
            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).isTrue();
            fwd.disconnect(inNamespace());
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
        }
    }

    @Test
    void aCallerEndThatMovedReplacesTheTunnelDestination() throws Exception {
        try (BridgeForwarder fwd = net.forwarder()) {
            Attachment a = new Attachment.Namespace(net.attach, "nsm0");
            fwd.connect(new CrossConnect(id, VNI, "192.168.77.21", 4790, a, 1450));
            fwd.connect(new CrossConnect(id, VNI, "192.168.77.22", 4790, a, 1450));
            assertThat(fwd.verify(new CrossConnect(id, VNI, "192.168.77.22", 4790, a, 1450))).isEqualTo(Verification.PRESENT);
            assertThat(fwd.verify(new CrossConnect(id, VNI, "192.168.77.21", 4790, a, 1450))).isEqualTo(Verification.DRIFTED);
            String fdb = Cmd.run("bridge", "-n", net.ensm, "fdb", "show", "dev", names.vxlan());
            assertThat(fdb).contains("00:00:00:00:00:00 dst 192.168.77.22 port 4790").doesNotContain("192.168.77.21");

            // Back to the caller listening on ensm's own port: the device's default destination, no entry.
            fwd.connect(new CrossConnect(id, VNI, "192.168.77.23", 4789, a, 1450));
            assertThat(Cmd.run("ip", "-n", net.ensm, "-d", "link", "show", names.vxlan())).contains("remote 192.168.77.23");
            assertThat(Cmd.run("bridge", "-n", net.ensm, "fdb", "show", "dev", names.vxlan())).doesNotContain("192.168.77.22");
            fwd.disconnect(new CrossConnect(id, VNI, "192.168.77.23", 4789, a, 1450));
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
        }
        assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
    }

    @Test
    void unmarkedLinkUnderEnsmsNameFromAnInterruptedConnectIsClaimed() throws Exception {
        // What a crash between creating a link and setting its alias leaves behind.
        Cmd.run("ip", "-n", net.ensm, "link", "add", names.bridge(), "type", "bridge");
        try (BridgeForwarder fwd = net.forwarder()) {
            assertThat(fwd.verify(inNamespace())).isEqualTo(Verification.DRIFTED);
            fwd.connect(inNamespace());
            assertThat(fwd.verify(inNamespace())).isEqualTo(Verification.PRESENT);
            fwd.disconnect(inNamespace());
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
        }
        assertThat(CrossConnectBed.links(net.ensm)).extracting(Link::name).doesNotContain(names.bridge());
    }

    @Test
    void twoForwardersOnOneHostSweepOnlyTheirOwnLinks() throws Exception {
        String ofB = UUID.randomUUID().toString();
        String lostByA = UUID.randomUUID().toString();
        CrossConnect other = new CrossConnect(ofB, VNI + 1, NODE_UNDERLAY, 4789, new Attachment.Namespace(net.attach, "nsm1"), 1450);
        CrossConnect lost = new CrossConnect(lostByA, VNI + 2, NODE_UNDERLAY, 4789, new Attachment.Namespace(net.attach, "nsm2"), 1450);
        try (BridgeForwarder a = net.forwarder(java.util.Map.of(), new io.ensm.core.spi.Owner("ensm-a"));
             BridgeForwarder b = net.forwarder(java.util.Map.of(), new io.ensm.core.spi.Owner("ensm-b"))) {
            a.connect(inNamespace());
            a.connect(lost);
            b.connect(other);
            assertThat(CrossConnectBed.links(net.ensm)).extracting(Link::alias).contains("ensm@ensm-b:" + ofB, "ensm@ensm-a:" + id);

            Set<String> sweptByA = a.removeOrphans(id::equals);
            Set<String> sweptByB = b.removeOrphans(ofB::equals);

            assertThat(sweptByA).as("swept by forwarder a").containsExactly(lostByA);
            assertThat(sweptByB).as("swept by forwarder b").isEmpty();
            assertThat(a.verify(inNamespace())).isEqualTo(Verification.PRESENT);
            assertThat(b.verify(other)).isEqualTo(Verification.PRESENT);
            a.disconnect(inNamespace());
            b.disconnect(other);
            assertThat(a.settle(SETTLE) && b.settle(SETTLE)).as("links of the closed connections deleted").isTrue();
        }
    }

    @Test
    void linksMarkedWithoutOwnerAreNeverSweptButAKnownConnectionsAreReMarked() throws Exception {
        String lost = UUID.randomUUID().toString();
        CrossConnect old = new CrossConnect(lost, VNI + 3, NODE_UNDERLAY, 4789, new Attachment.Namespace(net.attach, "nsm3"), 1450);
        LinkNames lostNames = LinkNames.of(Contexts.OWNER, lost);
        try (BridgeForwarder fwd = net.forwarder()) {
            fwd.connect(inNamespace());
            fwd.connect(old);
            // what an earlier ensm left: the same links, marked without owner
            for (String link : List.of(names.bridge(), names.vxlan(), names.veth(), lostNames.bridge(), lostNames.vxlan(), lostNames.veth())) {
                String connection = link.endsWith(names.bridge().substring(4)) ? id : lost;
                Cmd.run("ip", "-n", net.ensm, "link", "set", link, "alias", "ensm:" + connection);
            }

            assertThat(fwd.removeOrphans(id::equals)).isEmpty();
            assertThat(CrossConnectBed.links(net.ensm)).extracting(Link::name).contains(lostNames.bridge(), lostNames.vxlan());

            assertThat(fwd.verify(inNamespace())).as("its own, under the old mark").isEqualTo(Verification.DRIFTED);
            fwd.connect(inNamespace());
            assertThat(fwd.verify(inNamespace())).isEqualTo(Verification.PRESENT);
            assertThat(CrossConnectBed.links(net.ensm)).filteredOn(l -> l.name().equals(names.bridge())).extracting(Link::alias)
                    .containsExactly(names.marker());
            fwd.disconnect(inNamespace());
            fwd.disconnect(old);
            assertThat(fwd.settle(SETTLE)).as("links of the closed connections deleted").isTrue();
        }
    }

    @Test
    void removeOrphansRemovesOnlyMarkedLinksOfUnknownConnections() throws Exception {
        String kept = id;
        String orphan = UUID.randomUUID().toString();
        LinkNames orphanNames = LinkNames.of(Contexts.OWNER, orphan);
        Cmd.run("ip", "-n", net.ensm, "link", "add", "opsbr", "type", "bridge");
        Cmd.run("ip", "-n", net.ensm, "link", "add", "opsalias", "type", "bridge");
        Cmd.run("ip", "-n", net.ensm, "link", "set", "opsalias", "alias", "ensmish: not ours");
        try (BridgeForwarder fwd = net.forwarder()) {
            fwd.connect(inNamespace());
            CrossConnect other = new CrossConnect(orphan, VNI + 1, NODE_UNDERLAY, 4789, new Attachment.Namespace(net.attach, "nsm1"), 1450);
            fwd.connect(other);
            assertThat(CrossConnectBed.markedLinks(net.ensm)).hasSize(6);

            Set<String> removed = fwd.removeOrphans(kept::equals);

            assertThat(removed).containsExactly(orphan);
            assertThat(CrossConnectBed.links(net.ensm)).extracting(Link::name)
                    .doesNotContain(orphanNames.bridge(), orphanNames.vxlan(), orphanNames.veth())
                    .contains(names.bridge(), names.vxlan(), names.veth(), "opsbr", "opsalias", "ul0");
            assertThat(CrossConnectBed.links(net.attach)).extracting(Link::name).contains("nsm0").doesNotContain("nsm1");
            assertThat(fwd.verify(inNamespace())).isEqualTo(Verification.PRESENT);
            assertThat(fwd.removeOrphans(kept::equals)).isEmpty();
            fwd.disconnect(inNamespace());
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
        }
    }
}
