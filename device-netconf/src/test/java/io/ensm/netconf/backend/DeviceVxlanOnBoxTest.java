package io.ensm.netconf.backend;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.VlanRange;
import io.ensm.core.spi.Verification;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.driver.junos.JunosDriver;
import io.ensm.netconf.session.SessionPool;
import io.ensm.netconf.testbed.BoxVxlanView;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.UsesNetconfTestbed;
import io.ensm.netconf.transaction.RawEdits;
import io.ensm.netconf.transaction.TransactionRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The DEVICE_VXLAN plan on a box that terminates VXLAN, against netconfd loaded with the project's
 * module of the Junos statements (ensm-junos-vxlan.yang): netconfd refuses any statement the driver
 * writes that the module does not declare. Every check of the box reads it with OpenSSH, not ensm.
 */
@UsesNetconfTestbed(devices = 2)
class DeviceVxlanOnBoxTest {
    private static final int DEVICE = 2;
    private static final EndpointSpec ENDPOINT = new EndpointSpec("qfx-1", "svc", Map.of());
    private static final String VTEP = "192.0.2.254";
    private static final String NODE_A = "198.51.100.7";
    private static final String NODE_B = "198.51.100.8";

    private final NetconfTestbed bed;
    private final List<NetconfBackend> backends = new ArrayList<>();

    DeviceVxlanOnBoxTest(NetconfTestbed bed) {
        this.bed = bed;
    }

    private NetconfBackend backend(String owner) {
        BackendCapabilities caps = new BackendCapabilities(EnumSet.of(PlanKind.DEVICE_VXLAN), "uplink:ensm-up0",
                new VlanRange(3200, 3299), VTEP, List.of(), 4789);
        NetconfBackend b = new NetconfBackend(bed.config(DEVICE), new JunosDriver(BoxVxlanView.NS), "ge-0/0/1", "ensm-up0",
                UplinkMode.TAGGED, 1500, caps, new Owner(owner));
        backends.add(b);
        return b;
    }

    private NetconfBackend backend() {
        return backend("ensm-vx");
    }

    static ProvisionIntent intent(String id, int vni, int vlan, String node, String boxAddr, String clientAddr) {
        Allocation a = new Allocation(List.of(boxAddr), List.of(clientAddr), "uplink:ensm-up0", vlan, vni);
        return new ProvisionIntent(id, ENDPOINT, PlanKind.DEVICE_VXLAN, a, node == null ? null : new VxlanPeer(node, 4789), 1450);
    }

    private BoxVxlanView box() {
        return BoxVxlanView.parse(bed.independentGetConfig(DEVICE, BoxVxlanView.FILTER));
    }

    /** Someone else's edit (an operator's), in one locked transaction of its own session. */
    private void foreignEdit(String config) throws Exception {
        SshConnector connector = new SshConnector();
        try (SessionPool other = new SessionPool(bed.config(DEVICE), connector::connect)) {
            other.withSession(s -> new TransactionRunner().run(s, List.of(config), RawEdits.onPort("eth1")));
        } finally {
            connector.close();
        }
    }

    private static String configuration(String inner) {
        return "<configuration xmlns=\"" + BoxVxlanView.NS + "\" xmlns:nc=\"urn:ietf:params:xml:ns:netconf:base:1.0\">" + inner
                + "</configuration>";
    }

    @AfterEach
    void cleanUp() throws Exception {
        try {
            // Everything of the box's VXLAN configuration goes, whoever wrote it, so tests start from nothing.
            BoxVxlanView v = box();
            StringBuilder x = new StringBuilder();
            if (!v.irbUnits().isEmpty()) {
                x.append("<interfaces><interface><name>irb</name>");
                v.irbUnits().keySet().forEach(u -> x.append("<unit nc:operation=\"delete\"><name>").append(u).append("</name></unit>"));
                x.append("</interface></interfaces>");
            }
            if (!v.vlans().isEmpty()) {
                x.append("<vlans>");
                v.vlans().keySet().forEach(n -> x.append("<vlan nc:operation=\"delete\"><name>").append(n).append("</name></vlan>"));
                x.append("</vlans>");
            }
            if (!v.remoteVteps().isEmpty()) {
                x.append("<switch-options>");
                v.remoteVteps().forEach(r -> x.append("<remote-vtep-list nc:operation=\"delete\">").append(r).append("</remote-vtep-list>"));
                x.append("</switch-options>");
            }
            if (!x.isEmpty()) {
                foreignEdit(configuration(x.toString()));
            }
        } finally {
            backends.forEach(NetconfBackend::close);
        }
    }

    @Test
    void provisionWritesTheVlanItsVniTheNodeAndTheBoxAddressAndTwiceChangesNothing() throws Exception {
        NetconfBackend b = backend();
        ProvisionIntent i = intent("conn-a", 5001, 3201, NODE_A, "10.70.0.0/32", "10.70.0.1/32");

        Attachment att = b.provision(i);

        assertThat(att).isEqualTo(new Attachment.DeviceVxlan(VTEP, 5001));
        String reply = bed.independentGetConfig(DEVICE, BoxVxlanView.FILTER);
        BoxVxlanView v = BoxVxlanView.parse(reply);
        assertThat(v.vlans()).containsOnlyKeys("ensm-vni-5001");
        assertThat(v.vlans().get("ensm-vni-5001")).isEqualTo(new BoxVxlanView.Vlan("ensm@ensm-vx:conn-a", "3201", "irb.3201", "5001",
                true, List.of(NODE_A)));
        assertThat(v.irbUnits().get("3201")).isEqualTo(new BoxVxlanView.Unit("ensm@ensm-vx:conn-a", List.of("10.70.0.0/31"), "1450"));
        assertThat(v.remoteVteps()).containsExactly(NODE_A);
        assertThat(b.verify(i)).isEqualTo(Verification.PRESENT);
        assertThat(b.readBack().verify(i)).isEqualTo(Verification.PRESENT);
        assertThat(b.readBack().markers()).contains(java.util.Set.of("conn-a"));

        b.provision(i);
        assertThat(NetconfBackendTest.configOf(bed.independentGetConfig(DEVICE, BoxVxlanView.FILTER))).isEqualTo(NetconfBackendTest.configOf(reply));

        b.release(i);
        assertThat(box()).isEqualTo(new BoxVxlanView(Map.of(), Map.of(), List.of()));
        assertThat(b.verify(i)).isEqualTo(Verification.MISSING);
        b.release(i); // absent: fine
    }

    @Test
    void twoConnectionsFromOneNodeShareOneRemoteVtepWhichGoesWithTheLastEvenAfterARestart() throws Exception {
        NetconfBackend b = backend();
        ProvisionIntent a1 = intent("conn-a1", 5011, 3211, NODE_A, "10.70.1.0/32", "10.70.1.1/32");
        ProvisionIntent a2 = intent("conn-a2", 5012, 3212, NODE_A, "10.70.1.2/32", "10.70.1.3/32");
        ProvisionIntent b1 = intent("conn-b1", 5013, 3213, NODE_B, "10.70.1.4/32", "10.70.1.5/32");
        b.provision(a1);
        b.provision(a2);
        b.provision(b1);
        assertThat(box().remoteVteps()).containsExactly(NODE_A, NODE_B);

        b.release(a1);
        assertThat(box().vlans()).containsOnlyKeys("ensm-vni-5012", "ensm-vni-5013");
        assertThat(box().remoteVteps()).as("conn-a2 still comes from node A").containsExactly(NODE_A, NODE_B);
        assertThat(b.verify(a2)).isEqualTo(Verification.PRESENT);

        // A restarted ensm knows nothing in memory: the box tells it conn-a2 is node A's last.
        NetconfBackend restarted = backend();
        restarted.release(a2);
        assertThat(box().vlans()).containsOnlyKeys("ensm-vni-5013");
        assertThat(box().remoteVteps()).containsExactly(NODE_B);
        assertThat(restarted.verify(b1)).isEqualTo(Verification.PRESENT);
        restarted.release(b1);
        assertThat(box()).isEqualTo(new BoxVxlanView(Map.of(), Map.of(), List.of()));
    }

    @Test
    void aNodeAnOperatorsVlanAlsoNamesKeepsItsEntryAfterEnsmsLastConnection() throws Exception {
        foreignEdit(configuration("<vlans><vlan><name>ops-vxlan</name><vlan-id>3290</vlan-id><vxlan><vni>9000</vni>"
                + "<static-remote-vtep-list>" + NODE_A + "</static-remote-vtep-list></vxlan></vlan></vlans>"
                + "<switch-options><remote-vtep-list>" + NODE_A + "</remote-vtep-list></switch-options>"));
        NetconfBackend b = backend();
        ProvisionIntent i = intent("conn-c", 5021, 3221, NODE_A, "10.70.2.0/32", "10.70.2.1/32");
        b.provision(i);
        b.release(i);

        assertThat(box().vlans()).containsOnlyKeys("ops-vxlan");
        assertThat(box().remoteVteps()).containsExactly(NODE_A);
    }

    @Test
    void verifySeesDeletionAndDriftAndProvisionRepairsThem() throws Exception {
        NetconfBackend b = backend();
        ProvisionIntent i = intent("conn-d", 5031, 3231, NODE_A, "10.70.3.0/32", "10.70.3.1/32");
        b.provision(i);

        foreignEdit(configuration("<switch-options><remote-vtep-list nc:operation=\"delete\">" + NODE_A + "</remote-vtep-list></switch-options>"));
        assertThat(b.verify(i)).as("the node's global entry is gone").isEqualTo(Verification.DRIFTED);
        b.provision(i);
        assertThat(box().remoteVteps()).containsExactly(NODE_A);
        assertThat(b.verify(i)).isEqualTo(Verification.PRESENT);

        foreignEdit(configuration("<vlans><vlan><name>ensm-vni-5031</name><vxlan><static-remote-vtep-list>" + NODE_B
                + "</static-remote-vtep-list></vxlan></vlan></vlans>"));
        assertThat(b.verify(i)).as("another remote VTEP on the VLAN").isEqualTo(Verification.DRIFTED);
        foreignEdit(configuration("<interfaces><interface><name>irb</name><unit><name>3231</name><family><inet><mtu>9000</mtu></inet>"
                + "</family></unit></interface></interfaces>"));
        assertThat(b.readBack().verify(i)).isEqualTo(Verification.DRIFTED);
        b.provision(i);
        assertThat(box().vlans().get("ensm-vni-5031").staticRemoteVteps()).containsExactly(NODE_A);
        assertThat(box().irbUnits().get("3231").mtu()).isEqualTo("1450");
        assertThat(b.verify(i)).isEqualTo(Verification.PRESENT);

        foreignEdit(configuration("<vlans><vlan nc:operation=\"delete\"><name>ensm-vni-5031</name></vlan></vlans>"));
        assertThat(b.verify(i)).isEqualTo(Verification.MISSING);
        b.provision(i);
        assertThat(b.verify(i)).isEqualTo(Verification.PRESENT);
    }

    @Test
    void orphanSweepRemovesOnlyThisOwnersUnknownNetworksAndTheEntriesOnlyTheyNeeded() throws Exception {
        foreignEdit(configuration("<vlans><vlan><name>ops-vxlan</name><vlan-id>3291</vlan-id><vxlan><vni>9001</vni>"
                + "<static-remote-vtep-list>203.0.113.9</static-remote-vtep-list></vxlan></vlan></vlans>"
                + "<switch-options><remote-vtep-list>203.0.113.9</remote-vtep-list></switch-options>"));
        NetconfBackend mine = backend();
        NetconfBackend other = backend("ensm-other");
        ProvisionIntent known = intent("conn-known", 5041, 3241, NODE_A, "10.70.4.0/32", "10.70.4.1/32");
        ProvisionIntent orphanA = intent("conn-orphan-a", 5042, 3242, NODE_A, "10.70.4.2/32", "10.70.4.3/32");
        ProvisionIntent orphanB = intent("conn-orphan-b", 5043, 3243, NODE_B, "10.70.4.4/32", "10.70.4.5/32");
        ProvisionIntent others = intent("conn-others", 5044, 3244, NODE_B, "10.70.4.6/32", "10.70.4.7/32");
        mine.provision(known);
        mine.provision(orphanA);
        mine.provision(orphanB);
        other.provision(others);

        assertThat(mine.removeOrphans(id -> id.equals("conn-known"))).containsExactlyInAnyOrder("conn-orphan-a", "conn-orphan-b");

        BoxVxlanView v = box();
        assertThat(v.vlans()).containsOnlyKeys("ensm-vni-5041", "ensm-vni-5044", "ops-vxlan");
        assertThat(v.irbUnits()).containsOnlyKeys("3241", "3244");
        assertThat(v.remoteVteps()).as("node A for conn-known, node B for the other owner's, the operator's own")
                .containsExactlyInAnyOrder("203.0.113.9", NODE_A, NODE_B);
        assertThat(mine.removeOrphans(id -> id.equals("conn-known"))).isEmpty();

        other.removeOrphans(id -> false);
        assertThat(box().remoteVteps()).containsExactlyInAnyOrder("203.0.113.9", NODE_A);
        assertThat(mine.verify(known)).isEqualTo(Verification.PRESENT);
    }

    @Test
    void badIntentsAreRefusedBeforeAnyWrite() throws Exception {
        NetconfBackend b = backend();
        assertThatThrownBy(() -> b.provision(intent("conn-x", 5051, 3251, null, "10.70.5.0/32", "10.70.5.1/32")))
                .isInstanceOf(BackendException.class).hasMessageContaining("peer: missing");
        assertThatThrownBy(() -> b.provision(intent("conn-x", 5051, 3251, "2001:db8::7", "10.70.5.0/32", "10.70.5.1/32")))
                .isInstanceOf(BackendException.class).hasMessageContaining("is not an IPv4 address");
        assertThatThrownBy(() -> b.provision(intent("conn-x", 0, 3251, NODE_A, "10.70.5.0/32", "10.70.5.1/32")))
                .isInstanceOf(BackendException.class).hasMessageContaining("vni: 0 is outside 1-16777214");
        assertThat(box()).isEqualTo(new BoxVxlanView(Map.of(), Map.of(), List.of()));
        assertThat(b.edits()).isZero();
    }
}
