package io.ensm.forwarder.bridge;

import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.spi.Verification;
import io.ensm.core.testing.Contexts;
import io.ensm.forwarder.netlink.Link;
import io.ensm.core.testing.Cmd;
import io.ensm.forwarder.testbed.CrossConnectBed;
import io.ensm.forwarder.testbed.KernelTestBed;
import io.ensm.forwarder.testbed.NamespacedTcp;
import io.ensm.forwarder.testbed.VlanSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.ensm.forwarder.testbed.CrossConnectBed.ATTACH_INNER;
import static io.ensm.forwarder.testbed.CrossConnectBed.NODE_UNDERLAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The VLAN attachment: a sub-interface of the uplink towards the box. The uplink is a veth from
 * ensm's namespace to the "box" namespace, where the box's side of VLAN 100 carries the address.
 * Which of the two tests runs depends on the kernel; the other skips saying why.
 */
@Tag("kernel")
class VlanAttachmentTest {
    private static final java.time.Duration SETTLE = java.time.Duration.ofSeconds(10);
    private static final int VNI = 4300;
    private static final int VLAN = 100;

    @RegisterExtension
    final KernelTestBed bed = new KernelTestBed();

    private CrossConnectBed net;
    private Optional<String> missing;
    private final String id = UUID.randomUUID().toString();

    @BeforeEach
    void network() {
        net = new CrossConnectBed(bed);
        Cmd.run("ip", "-n", net.ensm, "link", "add", "uplink0", "type", "veth", "peer", "name", "eth0", "netns", net.attach);
        Cmd.run("ip", "-n", net.ensm, "link", "set", "uplink0", "up");
        Cmd.run("ip", "-n", net.attach, "link", "set", "eth0", "up");
        missing = VlanSupport.missingIn(net.ensm, "uplink0");
    }

    private CrossConnect cc(String uplink) {
        return new CrossConnect(id, VNI, NODE_UNDERLAY, 4789, new Attachment.Vlan(uplink, VLAN), 1450);
    }

    @Test
    void vlanAttachmentCarriesPingAndTcpFromTheNode() throws Exception {
        if (missing.isPresent()) {
            // Said on the console too, not only in the report: this is a gap in coverage, not a pass.
            System.err.println("SKIPPED vlanAttachmentCarriesPingAndTcpFromTheNode: " + missing.get());
        }
        assumeTrue(missing.isEmpty(), () -> "VLAN sub-interface path not exercised: " + missing.orElseThrow());
        Cmd.run("ip", "-n", net.attach, "link", "add", "link", "eth0", "name", "eth0." + VLAN, "type", "vlan", "id", Integer.toString(VLAN));
        Cmd.run("ip", "-n", net.attach, "addr", "add", ATTACH_INNER + "/24", "dev", "eth0." + VLAN);
        Cmd.run("ip", "-n", net.attach, "link", "set", "eth0." + VLAN, "up");
        net.nodeVxlan(VNI, 4789, 4789);
        try (BridgeForwarder fwd = net.forwarder(Map.of(BridgeSettings.UPLINK, "uplink0"))) {
            CrossConnect cc = cc(""); // the uplink comes from the forwarder's setting
            fwd.connect(cc);
            assertThat(fwd.verify(cc)).isEqualTo(Verification.PRESENT);
            Link vlan = CrossConnectBed.links(net.ensm).stream().filter(l -> l.name().equals(LinkNames.of(Contexts.OWNER, id).vlan())).findFirst().orElseThrow();
            assertThat(vlan.vlanId()).isEqualTo(VLAN);
            assertThat(CrossConnectBed.ping(net.node, ATTACH_INNER)).isTrue();
            NamespacedTcp.roundTrip(net.attach, ATTACH_INNER, net.node, 1 << 20);
            fwd.disconnect(cc);
            assertThat(fwd.settle(SETTLE)).as("links of the closed connection deleted").isTrue();
            assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
        }
    }

    @Test
    void withoutKernelVlanSupportTheRefusalIsClearAndTheBridgeIsUndone() throws Exception {
        assumeTrue(missing.isPresent(), "this kernel has 802.1Q support: the refusal path cannot be reached here");
        try (BridgeForwarder fwd = net.forwarder()) {
            assertThatThrownBy(() -> fwd.connect(cc("uplink0")))
                    .isInstanceOf(BackendException.class)
                    .satisfies(e -> assertThat(((BackendException) e).kind()).isEqualTo(BackendException.Kind.REJECTED))
                    .hasMessageContaining("VLAN " + VLAN + " on uplink0")
                    .hasMessageContaining("this kernel has no 802.1Q VLAN support")
                    .hasMessageContaining("EOPNOTSUPP")
                    .hasMessageContaining("undone: created bridge " + LinkNames.of(Contexts.OWNER, id).bridge());
            assertThat(fwd.verify(cc("uplink0"))).isEqualTo(Verification.MISSING);
        }
        assertThat(CrossConnectBed.markedLinks(net.ensm)).isEmpty();
        assertThat(Cmd.run("ip", "-n", net.ensm, "link", "show", "uplink0")).doesNotContain("master");
    }
}
