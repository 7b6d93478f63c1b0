package io.ensm.tf.backend;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.tf.testbed.OpenSdn;
import io.ensm.tf.testbed.RealOpenSdn;
import io.ensm.tf.testbed.TfRest;
import io.ensm.tf.testbed.TfWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against OpenSDN's config API server: read-back finds drift and provision repairs it; the sweep
 * removes marked orphans and touches nothing else.
 */
@RealOpenSdn
class TungstenReconciliationTest {
    private static final String VMI = "virtual-machine-interface";
    TfBed bed;
    TungstenBackend backend;
    ProvisionIntent c1;

    @BeforeEach
    void start(OpenSdn server) {
        bed = TfBed.on(server);
        backend = bed.backend();
        c1 = bed.intent("c1", 300, "10.60.0.1/32");
    }

    @AfterEach
    void close() {
        backend.close();
        bed.close();
    }

    @Test
    void aVlanChangedInTfIsDriftAndProvisionPutsItBack() throws Exception {
        backend.provision(c1);
        bed.rest.update(VMI, bed.interfaceUuid("c1"), "{\"virtual_machine_interface_properties\":{\"sub_interface_vlan_tag\":333}}");

        assertThat(backend.verify(c1)).isEqualTo(Verification.DRIFTED);
        backend.provision(c1);

        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
        assertThat(bed.vmi("c1").path("virtual_machine_interface_properties").path("sub_interface_vlan_tag").asInt()).isEqualTo(300);
        assertThat(bed.vmi("c1").path("virtual_port_group_refs").get(0).path("attr").path("vlan_tag").asInt()).isEqualTo(300);
    }

    @Test
    void bindingsClearedInTfAreDriftAndRepaired() throws Exception {
        backend.provision(c1);
        // (OpenSDN answers 500 to a bound interface's vnic_type changed to normal; clearing the bindings it takes)
        bed.rest.update(VMI, bed.interfaceUuid("c1"), "{\"virtual_machine_interface_bindings\":{\"key_value_pair\":[]}}");

        assertThat(backend.verify(c1)).isEqualTo(Verification.DRIFTED);
        backend.provision(c1);

        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
    }

    @Test
    void aDeletedInstanceIpIsDriftAndIsCreatedAgain() throws Exception {
        backend.provision(c1);
        bed.rest.remove("instance-ip", bed.ipUuid("c1", "v4"));

        assertThat(backend.verify(c1)).isEqualTo(Verification.DRIFTED);
        backend.provision(c1);

        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
        assertThat(bed.iip("c1", "v4").path("instance_ip_address").asString()).isEqualTo("10.60.0.1");
    }

    @Test
    void aConnectionDeletedInTfIsMissingAndProvisionRecreatesIt() throws Exception {
        backend.provision(c1);
        bed.rest.remove("instance-ip", bed.ipUuid("c1", "v4"));
        bed.rest.remove(VMI, bed.interfaceUuid("c1"));

        assertThat(backend.verify(c1)).isEqualTo(Verification.MISSING);
        backend.provision(c1);

        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
    }

    @Test
    void anInstanceIpOfAnEarlierAllocationIsDriftAndRemoved() throws Exception {
        backend.provision(bed.intent("c1", 300, "10.60.0.1/32", "fd00:60::1/128"));

        assertThat(backend.verify(c1)).isEqualTo(Verification.DRIFTED);
        backend.provision(c1);

        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
        assertThat(bed.instanceIps()).containsExactly(bed.ipUuid("c1", "v4"));
    }

    /** An interface someone else made in the project, on the network, without ensm's mark. */
    String foreignInterface(String name) {
        ObjectNode foreign = JsonNodeFactory.instance.objectNode();
        foreign.putArray("virtual_network_refs").addObject().set("to", TfRest.array(bed.world.networkFqName()));
        return bed.rest.create(VMI, "project", List.of(TfWorld.DOMAIN, bed.world.project(), name), foreign);
    }

    @Test
    void theSweepRemovesMarkedOrphansOnlyAndLeavesKnownForeignAndOtherEndpointsObjects() throws Exception {
        backend.provision(c1);
        backend.provision(bed.intent("orphan", 301, "10.60.0.3/32"));
        String foreignUuid = foreignInterface("operator-port");
        String otherEndpoints;
        try (TungstenBackend other = TfBed.backend("another-nse", bed.settings())) {
            other.provision(TfBed.intentFor("another-nse", bed.id("x1"), 302, PlanKind.FORWARDER_VXLAN, "10.60.0.5/32"));
            otherEndpoints = ObjectIds.interfaceUuid("another-nse", bed.id("x1"));
        }

        Set<String> removed = backend.removeOrphans(id -> id.equals(bed.id("c1")));

        assertThat(removed).containsExactly(bed.id("orphan"));
        assertThat(bed.interfaces()).containsExactlyInAnyOrder(bed.interfaceUuid("c1"), foreignUuid, otherEndpoints);
        assertThat(bed.instanceIps()).doesNotContain(bed.ipUuid("orphan", "v4")).contains(bed.ipUuid("c1", "v4"));
        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
    }

    @Test
    void twoInstancesWithAnEndpointOfTheSameNameSweepOnlyTheirOwnObjects() throws Exception {
        ProvisionIntent ofB = bed.intent("of-b", 301, "10.60.0.3/32");
        try (TungstenBackend a = TfBed.backend(TfBed.ENDPOINT, bed.settings(), new Owner("ensm-a"));
             TungstenBackend b = TfBed.backend(TfBed.ENDPOINT, bed.settings(), new Owner("ensm-b"))) {
            a.provision(c1);
            a.provision(bed.intent("lost-by-a", 302, "10.60.0.5/32"));
            b.provision(ofB);
            assertThat(bed.vmi("of-b").path("annotations").toString()).contains("\"ensm-owner\"", "\"ensm-b\"");

            Set<String> sweptByA = a.removeOrphans(id -> id.equals(bed.id("c1")));
            Set<String> sweptByB = b.removeOrphans(id -> id.equals(bed.id("of-b")));

            assertThat(sweptByA).as("swept by instance a").containsExactly(bed.id("lost-by-a"));
            assertThat(sweptByB).as("swept by instance b").isEmpty();
            assertThat(a.verify(c1)).isEqualTo(Verification.PRESENT);
            assertThat(b.verify(ofB)).isEqualTo(Verification.PRESENT);
            a.release(c1);
            b.release(ofB);
        }
    }

    @Test
    void objectsMarkedWithoutOwnerAreNeverSweptButAKnownConnectionsAreItsOwn() throws Exception {
        backend.provision(c1);
        backend.provision(bed.intent("lost", 301, "10.60.0.3/32"));
        // what an earlier ensm wrote: connection and endpoint, no owner
        for (String name : List.of("c1", "lost")) {
            bed.rest.update(VMI, bed.interfaceUuid(name), "{\"annotations\":{\"key_value_pair\":[{\"key\":\"ensm-connection\",\"value\":\""
                    + bed.id(name) + "\"},{\"key\":\"ensm-endpoint\",\"value\":\"" + TfBed.ENDPOINT + "\"}]}}");
        }

        assertThat(backend.removeOrphans(id -> id.equals(bed.id("c1")))).isEmpty();

        assertThat(bed.interfaces()).contains(bed.interfaceUuid("lost"));
        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
        backend.release(c1);
        assertThat(bed.interfaces()).doesNotContain(bed.interfaceUuid("c1"));
    }

    @Test
    void anUnmarkedInstanceIpOnAnOrphanKeepsTheOrphanAndIsNotTouched() throws Exception {
        backend.provision(bed.intent("orphan", 301, "10.60.0.3/32"));
        ObjectNode foreign = JsonNodeFactory.instance.objectNode().put("instance_ip_address", "10.60.0.77");
        foreign.putArray("virtual_network_refs").addObject().set("to", TfRest.array(bed.world.networkFqName()));
        foreign.putArray("virtual_machine_interface_refs").addObject().set("to",
                TfRest.array(List.of(TfWorld.DOMAIN, bed.world.project(), "ensm-" + bed.id("orphan"))));
        String foreignIp = bed.rest.create("instance-ip", null, List.of("operator-ip-" + bed.world.tag()), foreign);

        Set<String> removed = backend.removeOrphans(id -> false);

        assertThat(removed).isEmpty();
        assertThat(bed.instanceIps()).containsExactly(foreignIp);
        assertThat(bed.interfaces()).containsExactly(bed.interfaceUuid("orphan"));
    }

    @Test
    void theSweepFollowsAChangeOfTheGroupsPortsForNewBindings() throws Exception {
        bed.rest.refUpdate("virtual-port-group", bed.world.portGroupUuid(), "physical-interface", bed.world.port(1), "ADD");

        backend.removeOrphans(id -> true);
        backend.provision(c1);

        String profile = TungstenBackendLifecycleTest.binding(bed.vmi("c1"), "profile");
        assertThat(profile).contains("xe-0/0/1", "xe-0/0/2");
        assertThat(bed.portGroup().path("physical_interface_refs")).hasSize(2);
        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
    }

    @Test
    void aNetworkRecreatedUnderItsNameIsFoundAgainAtTheNextPass() throws Exception {
        bed.rest.remove("virtual-network", bed.world.networkUuid());
        String recreated = TfWorld.network(bed.rest, bed.world.networkFqName(), List.of(TfWorld.DOMAIN, bed.world.project(), "ipam"),
                "10.60.0.0/24");

        backend.removeOrphans(id -> true);
        backend.provision(c1);

        assertThat(TfRest.refUuids(bed.vmi("c1"), "virtual_network_refs")).containsExactly(recreated);
        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
    }
}
