package io.ensm.forwarder.bridge;

import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.spi.Verification;
import io.ensm.core.testing.Contexts;
import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.testbed.CrossConnectBed;
import io.ensm.forwarder.testbed.KernelTestBed;
import io.ensm.forwarder.testbed.NamespacedTcp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.UUID;

import static io.ensm.forwarder.testbed.CrossConnectBed.ATTACH_INNER;
import static io.ensm.forwarder.testbed.CrossConnectBed.NODE_INNER;
import static io.ensm.forwarder.testbed.CrossConnectBed.NODE_UNDERLAY;
import static org.assertj.core.api.Assertions.assertThat;

/** Real packets: node -> VXLAN -> ensm's bridge -> attachment, ping and TCP, then nothing left. */
@Tag("kernel")
class CrossConnectTrafficTest {
    private static final java.time.Duration SETTLE = java.time.Duration.ofSeconds(10);
    private static final int VNI = 4100;

    @RegisterExtension
    final KernelTestBed bed = new KernelTestBed();

    private CrossConnectBed net;
    private final String id = UUID.randomUUID().toString();

    @BeforeEach
    void network() {
        net = new CrossConnectBed(bed);
    }

    private CrossConnect cc(Attachment attachment, int remotePort, int mtu) {
        return new CrossConnect(id, VNI, NODE_UNDERLAY, remotePort, attachment, mtu);
    }

    @Test
    void untaggedAttachmentCarriesPingAndTcpFromTheNode() throws Exception {
        net.nodeVxlan(VNI, 4789, 4789);
        net.untaggedPort("box0");
        try (BridgeForwarder fwd = net.forwarder()) {
            assertThat(fwd.info().mtu()).as("1500 underlay - 50 VXLAN overhead").isEqualTo(1450);
            assertThat(fwd.info().localIp()).isEqualTo(CrossConnectBed.ENSM_UNDERLAY);
            assertThat(fwd.info().vxlanPort()).isEqualTo(4789);
            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).as("no path before connect").isFalse();
            // The failed attempt leaves a FAILED neighbour entry that would refuse the next ping for a while.
            net.forgetNeighbours(net.node);

            CrossConnect cc = cc(new Attachment.Untagged("box0"), 4789, fwd.info().mtu());
            fwd.connect(cc);

            assertThat(fwd.verify(cc)).isEqualTo(Verification.PRESENT);
            LinkNames names = LinkNames.of(Contexts.OWNER, id);
            List<Link> marked = CrossConnectBed.markedLinks(net.ensm);
            assertThat(marked).extracting(Link::name).containsExactlyInAnyOrder(names.bridge(), names.vxlan());
            assertThat(marked).allSatisfy(l -> {
                assertThat(l.alias()).isEqualTo(names.marker());
                assertThat(l.mtu()).isEqualTo(1450);
                assertThat(l.name().length()).isLessThanOrEqualTo(15);
            });
            Link box = CrossConnectBed.links(net.ensm).stream().filter(l -> l.name().equals("box0")).findFirst().orElseThrow();
            Link bridge = marked.stream().filter(l -> l.isKind("bridge")).findFirst().orElseThrow();
            assertThat(box.master()).isEqualTo(bridge.index());

            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).isTrue();
            assertThat(CrossConnectBed.pingFullSize(net.node, ATTACH_INNER, 1450)).as("a full 1450-byte packet crosses").isTrue();
            NamespacedTcp.roundTrip(net.attach, ATTACH_INNER, net.node, 1 << 20);
            NamespacedTcp.roundTrip(net.node, NODE_INNER, net.attach, 256 * 1024);

            fwd.disconnect(cc);
            // Traffic stops when disconnect returns, before the kernel has deleted the links.
            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).as("no path once disconnect returned").isFalse();
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
            assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
            Link after = CrossConnectBed.links(net.ensm).stream().filter(l -> l.name().equals("box0")).findFirst().orElseThrow();
            assertThat(after.master()).as("the box port stays, released from the bridge").isZero();
            assertThat(fwd.verify(cc)).isEqualTo(Verification.MISSING);
            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).isFalse();
        }
    }

    @Test
    void namespaceAttachmentCarriesPingAndTcpFromTheNode() throws Exception {
        net.nodeVxlan(VNI, 4789, 4789);
        try (BridgeForwarder fwd = net.forwarder()) {
            CrossConnect cc = cc(new Attachment.Namespace(net.attach, "nsm0"), 4789, fwd.info().mtu());
            fwd.connect(cc);

            Link inside = CrossConnectBed.links(net.attach).stream().filter(l -> l.name().equals("nsm0")).findFirst().orElseThrow();
            assertThat(inside.isKind("veth")).isTrue();
            assertThat(inside.up()).isTrue();
            assertThat(inside.mtu()).isEqualTo(1450);
            assertThat(inside.alias()).isEqualTo(LinkNames.of(Contexts.OWNER, id).marker());
            LinkNames names = LinkNames.of(Contexts.OWNER, id);
            assertThat(CrossConnectBed.markedLinks(net.ensm)).extracting(Link::name)
                    .containsExactlyInAnyOrder(names.bridge(), names.vxlan(), names.veth());
            assertThat(fwd.verify(cc)).isEqualTo(Verification.PRESENT);
            assertThat(io.ensm.core.testing.Cmd.run("ip", "-n", net.ensm, "-d", "link", "show", names.bridge()))
                    .as("ensm's plumbing has no IPv6 link-local address to send ND or MLD from").contains("addrgenmode none");
            assertThat(io.ensm.core.testing.Cmd.run("ip", "-n", net.ensm, "addr", "show", names.vxlan())).doesNotContain("inet6");

            net.attachAddress("nsm0");
            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).isTrue();
            assertThat(CrossConnectBed.pingFullSize(net.node, ATTACH_INNER, 1450)).isTrue();
            NamespacedTcp.roundTrip(net.attach, ATTACH_INNER, net.node, 1 << 20);

            fwd.disconnect(cc);
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
            assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
            assertThat(CrossConnectBed.links(net.attach)).extracting(Link::name).doesNotContain("nsm0");
            fwd.disconnect(cc); // absent is fine
        }
    }

    @Test
    void aConnectRightAfterADisconnectWaitsForTheLinksItNeedsAndCarriesTraffic() throws Exception {
        net.nodeVxlan(VNI, 4789, 4789);
        try (BridgeForwarder fwd = net.forwarder()) {
            CrossConnect cc = cc(new Attachment.Namespace(net.attach, "nsm0"), 4789, fwd.info().mtu());
            for (int round = 0; round < 3; round++) {
                // Same names, same VNI and the same interface inside the namespace as the one just closed.
                fwd.connect(cc);
                assertThat(fwd.verify(cc)).isEqualTo(Verification.PRESENT);
                net.attachAddress("nsm0");
                // Each round's veth has a new MAC address: the node must not use the previous one.
                net.forgetNeighbours(net.node);
                assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).as("round " + round).isTrue();
                fwd.disconnect(cc);
            }
            // Another connection id on the VNI still being deleted.
            CrossConnect other = new CrossConnect(id + "-b", VNI, NODE_UNDERLAY, 4789, new Attachment.Namespace(net.attach, "nsm0"),
                    fwd.info().mtu());
            fwd.connect(other);
            assertThat(fwd.verify(other)).isEqualTo(Verification.PRESENT);
            fwd.disconnect(other);
            assertThat(fwd.settle(SETTLE)).isTrue();
            assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
            assertThat(CrossConnectBed.links(net.attach)).extracting(Link::name).doesNotContain("nsm0");
        }
    }

    @Test
    void callerOnAnotherUdpPortIsReachedThroughAForwardingEntry() throws Exception {
        // The node listens on 4790 and sends to ensm's 4789.
        net.nodeVxlan(VNI, 4790, 4789);
        try (BridgeForwarder fwd = net.forwarder()) {
            CrossConnect cc = cc(new Attachment.Namespace(net.attach, "nsm0"), 4790, fwd.info().mtu());
            fwd.connect(cc);
            net.attachAddress("nsm0");
            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).isTrue();
            NamespacedTcp.roundTrip(net.attach, ATTACH_INNER, net.node, 256 * 1024);
            assertThat(fwd.verify(cc)).isEqualTo(Verification.PRESENT);
            fwd.disconnect(cc);
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
            assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
        }
    }

    @Test
    void vxlanPortSettingAndItsEnvironmentOverrideAreUsed() throws Exception {
        net.nodeVxlan(VNI, 8472, 8472);
        try (BridgeForwarder fwd = (BridgeForwarder) new BridgeForwarderProvider().create(Contexts.forwarder("bridge",
                java.util.Map.of(BridgeSettings.LOCAL_IP, CrossConnectBed.ENSM_UNDERLAY, BridgeSettings.NETNS, net.ensm,
                        BridgeSettings.VXLAN_PORT, "4789"), Contexts.OWNER,
                java.util.Map.of(BridgeSettings.VXLAN_PORT_ENV, "8472")))) {
            assertThat(fwd.info().vxlanPort()).isEqualTo(8472);
            CrossConnect cc = cc(new Attachment.Namespace(net.attach, "nsm0"), 8472, fwd.info().mtu());
            fwd.connect(cc);
            net.attachAddress("nsm0");
            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).isTrue();
            fwd.disconnect(cc);
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
        }
    }
}
