package io.ensm.tf.backend;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.spi.Verification;
import io.ensm.core.spi.VlanRange;
import io.ensm.tf.testbed.OpenSdn;
import io.ensm.tf.testbed.RealOpenSdn;
import io.ensm.tf.testbed.TfRest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;

/** A connection's whole life through the Backend API against OpenSDN's config API server. */
@RealOpenSdn
class TungstenBackendLifecycleTest {
    TfBed bed;
    TungstenBackend backend;

    @BeforeEach
    void start(OpenSdn server) {
        bed = TfBed.on(server);
        backend = bed.backend();
    }

    @AfterEach
    void close() {
        backend.close();
        bed.close();
    }

    @Test
    void theProviderIsFoundByTypeTungsten() {
        assertThat(ServiceLoader.load(BackendProvider.class).stream().map(p -> p.get().type())).contains("tungsten");
    }

    @Test
    void capabilitiesDeclareTheUplinksVlanPoolAndRangeAndBothPlans() {
        BackendCapabilities caps = backend.capabilities();

        assertThat(caps.vlanPool()).isEqualTo("uplink:eth1");
        assertThat(caps.vlans()).isEqualTo(new VlanRange(300, 399));
        assertThat(caps.plans()).containsExactlyInAnyOrder(PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN);
    }

    @Test
    void provisionCreatesAnInterfaceBoundToTheUplinksPortGroupWithTheVlanAndAnInstanceIpWithTwoCalls() throws Exception {
        bed.clearCalls();

        Attachment a = backend.provision(bed.intent("c1", 300, "10.60.0.1/32"));

        assertThat(a).isEqualTo(new Attachment.Vlan("eth1", 300));
        assertThat(bed.calls()).containsExactly("POST /virtual-machine-interfaces", "POST /instance-ips");
        JsonNode vmi = bed.vmi("c1");
        assertThat(vmi.path("fq_name").toString()).isEqualTo("[\"default-domain\",\"" + bed.world.project() + "\",\"ensm-" + bed.id("c1") + "\"]");
        assertThat(vmi.path("virtual_network_refs").get(0).path("uuid").asString()).isEqualTo(bed.world.networkUuid());
        assertThat(vmi.path("virtual_machine_interface_properties").path("sub_interface_vlan_tag").asInt()).isEqualTo(300);
        assertThat(binding(vmi, "vnic_type")).isEqualTo("baremetal");
        assertThat(binding(vmi, "vpg")).isEqualTo(bed.world.portGroup());
        JsonNode links = new ObjectMapper().readTree(binding(vmi, "profile")).path("local_link_information");
        assertThat(links.toString()).isEqualTo("[{\"switch_info\":\"" + bed.world.router() + "\",\"port_id\":\"xe-0/0/1\",\"fabric\":\""
                + bed.world.fabric() + "\"}]");
        assertThat(vmi.path("annotations").toString()).contains("\"ensm-connection\"", "\"" + bed.id("c1") + "\"", "\"ensm-endpoint\"",
                "\"blue-nse\"");
        // what TF adds: the group ref with the VLAN, the group's back ref, a MAC, vif_type, a routing instance
        assertThat(vmi.path("virtual_port_group_refs").get(0).path("attr").path("vlan_tag").asInt()).isEqualTo(300);
        assertThat(vmi.path("virtual_port_group_back_refs").get(0).path("uuid").asString()).isEqualTo(bed.world.portGroupUuid());
        assertThat(vmi.path("virtual_machine_interface_mac_addresses").path("mac_address").get(0).asString()).matches("[0-9a-f:]{17}");
        assertThat(binding(vmi, "vif_type")).isEqualTo("vrouter");
        assertThat(vmi.path("routing_instance_refs")).hasSize(1);
        JsonNode iip = bed.iip("c1", "v4");
        assertThat(iip.path("fq_name").toString()).isEqualTo("[\"ensm-" + bed.id("c1") + "-v4\"]");
        assertThat(iip.path("instance_ip_address").asString()).isEqualTo("10.60.0.1");
        assertThat(iip.path("instance_ip_family").asString()).isEqualTo("v4");
        assertThat(iip.path("virtual_network_refs").get(0).path("uuid").asString()).isEqualTo(bed.world.networkUuid());
        assertThat(iip.path("virtual_machine_interface_refs").get(0).path("uuid").asString()).isEqualTo(bed.interfaceUuid("c1"));
        assertThat(iip.path("annotations").toString()).contains("\"" + bed.id("c1") + "\"");
    }

    static String binding(JsonNode vmi, String key) {
        for (JsonNode p : vmi.path("virtual_machine_interface_bindings").path("key_value_pair")) {
            if (p.path("key").asString().equals(key)) {
                return p.path("value").asString();
            }
        }
        return null;
    }

    @Test
    void theFabricVlanPlanHandsOutTheVlanAlone() throws Exception {
        Attachment a = backend.provision(bed.intent("c1", 301, PlanKind.FABRIC_VLAN, "10.60.0.1/32"));

        assertThat(a).isEqualTo(new Attachment.FabricVlan(301));
        assertThat(bed.vmi("c1")).isNotNull();
    }

    @Test
    void aDualStackConnectionGetsOneInstanceIpPerFamily() throws Exception {
        backend.provision(bed.intent("c1", 300, "10.60.0.1/32", "fd00:60::1/128"));

        assertThat(bed.iip("c1", "v4").path("instance_ip_address").asString()).isEqualTo("10.60.0.1");
        assertThat(bed.iip("c1", "v6").path("instance_ip_address").asString()).isEqualTo("fd00:60::1");
        assertThat(bed.iip("c1", "v6").path("instance_ip_family").asString()).isEqualTo("v6");
        assertThat(backend.verify(bed.intent("c1", 300, "10.60.0.1/32", "fd00:60::1/128"))).isEqualTo(Verification.PRESENT);
    }

    @Test
    void anIpv6AddressWrittenLongIsTheSameAddressToTf() throws Exception {
        var intent = bed.intent("c1", 300, "fd00:60:0:0:0:0:0:7/128");

        backend.provision(intent);

        assertThat(bed.iip("c1", "v6").path("instance_ip_address").asString()).isEqualTo("fd00:60::7"); // TF keeps the normal form
        assertThat(backend.verify(intent)).isEqualTo(Verification.PRESENT);
    }

    @Test
    void provisioningAgainKeepsTheObjectsAsTheyAre() throws Exception {
        backend.provision(bed.intent("c1", 300, "10.60.0.1/32"));
        String mac = bed.vmi("c1").path("virtual_machine_interface_mac_addresses").toString();

        Attachment again = backend.provision(bed.intent("c1", 300, "10.60.0.1/32"));

        assertThat(again).isEqualTo(new Attachment.Vlan("eth1", 300));
        assertThat(bed.interfaces()).containsExactly(bed.interfaceUuid("c1"));
        assertThat(bed.instanceIps()).containsExactly(bed.ipUuid("c1", "v4"));
        assertThat(bed.vmi("c1").path("virtual_machine_interface_mac_addresses").toString()).isEqualTo(mac);
    }

    @Test
    void verifyIsPresentAfterProvisionAndMissingAfterRelease() throws Exception {
        var intent = bed.intent("c1", 300, "10.60.0.1/32");
        assertThat(backend.verify(intent)).isEqualTo(Verification.MISSING);
        backend.provision(intent);
        bed.clearCalls();

        assertThat(backend.verify(intent)).isEqualTo(Verification.PRESENT);
        assertThat(bed.calls()).containsExactly("GET /virtual-machine-interface/" + bed.interfaceUuid("c1"),
                "GET /instance-ip/" + bed.ipUuid("c1", "v4"));
        backend.release(intent);
        assertThat(backend.verify(intent)).isEqualTo(Verification.MISSING);
    }

    @Test
    void releaseDeletesTheInstanceIpBeforeTheInterfaceAndFreesTheGroupsVlan() throws Exception {
        var intent = bed.intent("c1", 300, "10.60.0.1/32");
        backend.provision(intent);
        bed.clearCalls();

        backend.release(intent);

        assertThat(bed.calls()).containsExactly("DELETE /instance-ip/" + bed.ipUuid("c1", "v4"),
                "DELETE /virtual-machine-interface/" + bed.interfaceUuid("c1"));
        assertThat(bed.interfaces()).isEmpty();
        assertThat(bed.instanceIps()).isEmpty();
        assertThat(bed.portGroup().path("virtual_machine_interface_refs")).isEmpty();
        // The VLAN is free on the group again: another connection may use it.
        backend.provision(bed.intent("c2", 300, "10.60.0.3/32"));
    }

    @Test
    void releasingWhatIsAbsentIsFine() throws Exception {
        backend.release(bed.intent("never", 300, "10.60.0.1/32"));
    }

    @Test
    void releaseAlsoRemovesAnInstanceIpOfAnEarlierAllocation() throws Exception {
        backend.provision(bed.intent("c1", 300, "10.60.0.1/32", "fd00:60::1/128"));

        backend.release(bed.intent("c1", 300, "10.60.0.1/32"));

        assertThat(bed.instanceIps()).isEmpty();
        assertThat(bed.interfaces()).isEmpty();
    }

    @Test
    void connectionsShareTheGroupWithOneVlanEach() throws Exception {
        for (int i = 0; i < 5; i++) {
            backend.provision(bed.intent("c" + i, 300 + i, "10.60.0." + (2 * i + 1) + "/32"));
        }

        assertThat(TfRest.refUuids(bed.portGroup(), "virtual_machine_interface_refs")).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(backend.verify(bed.intent("c" + i, 300 + i, "10.60.0." + (2 * i + 1) + "/32"))).isEqualTo(Verification.PRESENT);
        }
    }
}
