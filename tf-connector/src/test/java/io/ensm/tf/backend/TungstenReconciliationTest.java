package io.ensm.tf.backend;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.tf.vncdouble.Seed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Read-back finds drift and provision repairs it; the sweep removes marked orphans and touches nothing else. */
class TungstenReconciliationTest {
    final TfBed bed = new TfBed();
    final TungstenBackend backend = bed.backend();
    final ProvisionIntent c1 = TfBed.intent("c1", 300, "10.60.0.1/32");

    @AfterEach
    void close() {
        backend.close();
        bed.close();
    }

    /** An operator's PUT through the API. */
    void put(String type, String uuid, String json) throws Exception {
        bed.api.store().update(type, uuid, new ObjectMapper().readTree("{\"" + type + "\":" + json + "}"));
    }

    @Test
    void aVlanChangedInTfIsDriftAndProvisionPutsItBack() throws Exception {
        backend.provision(c1);
        put("virtual-machine-interface", bed.interfaceUuid("c1"), "{\"virtual_machine_interface_properties\":{\"sub_interface_vlan_tag\":333}}");

        assertThat(backend.verify(c1)).isEqualTo(Verification.DRIFTED);
        backend.provision(c1);

        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
        assertThat(bed.fields(bed.interfaceUuid("c1")).path("virtual_machine_interface_properties").path("sub_interface_vlan_tag").asInt())
                .isEqualTo(300);
        assertThat(bed.fields(bed.interfaceUuid("c1")).path("virtual_port_group_refs").get(0).path("attr").path("vlan_tag").asInt())
                .isEqualTo(300);
    }

    @Test
    void aBindingRemovedInTfIsDriftAndRepaired() throws Exception {
        backend.provision(c1);
        put("virtual-machine-interface", bed.interfaceUuid("c1"),
                "{\"virtual_machine_interface_bindings\":{\"key_value_pair\":[{\"key\":\"vnic_type\",\"value\":\"normal\"}]}}");

        assertThat(backend.verify(c1)).isEqualTo(Verification.DRIFTED);
        backend.provision(c1);

        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
    }

    @Test
    void aDeletedInstanceIpIsDriftAndIsCreatedAgain() throws Exception {
        backend.provision(c1);
        bed.api.store().delete("instance-ip", bed.ipUuid("c1", "v4"));

        assertThat(backend.verify(c1)).isEqualTo(Verification.DRIFTED);
        backend.provision(c1);

        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
        assertThat(bed.fields(bed.ipUuid("c1", "v4")).path("instance_ip_address").asString()).isEqualTo("10.60.0.1");
    }

    @Test
    void aConnectionDeletedInTfIsMissingAndProvisionRecreatesIt() throws Exception {
        backend.provision(c1);
        bed.api.store().delete("instance-ip", bed.ipUuid("c1", "v4"));
        bed.api.store().delete("virtual-machine-interface", bed.interfaceUuid("c1"));

        assertThat(backend.verify(c1)).isEqualTo(Verification.MISSING);
        backend.provision(c1);

        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
    }

    @Test
    void anInstanceIpOfAnEarlierAllocationIsDriftAndRemoved() throws Exception {
        backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32", "fd00:60::1/128"));

        assertThat(backend.verify(c1)).isEqualTo(Verification.DRIFTED);
        backend.provision(c1);

        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
        assertThat(Seed.uuids(bed.api, "instance-ip")).containsExactly(bed.ipUuid("c1", "v4"));
    }

    @Test
    void theSweepRemovesMarkedOrphansOnlyAndLeavesKnownForeignAndOtherEndpointsObjects() throws Exception {
        backend.provision(c1);
        backend.provision(TfBed.intent("orphan", 301, "10.60.0.3/32"));
        ObjectNode foreign = JsonNodeFactory.instance.objectNode().put("parent_type", "project");
        foreign.putArray("virtual_network_refs").addObject().put("uuid", bed.world.networkUuid());
        String foreignUuid = bed.seed.create("virtual-machine-interface", List.of("default-domain", "admin", "operator-port"), foreign);
        String otherEndpoints;
        try (TungstenBackend other = TfBed.backend("another-nse", bed.settings())) {
            ProvisionIntent x = TfBed.intent("x1", 302, "10.60.0.5/32");
            other.provision(new ProvisionIntent("x1", new io.ensm.core.model.EndpointSpec("another-nse", "blue", java.util.Map.of()),
                    x.plan(), x.allocation(), x.peer(), x.mtu()));
            otherEndpoints = ObjectIds.interfaceUuid("another-nse", "x1");
        }

        Set<String> removed = backend.removeOrphans(id -> id.equals("c1"));

        assertThat(removed).containsExactly("orphan");
        assertThat(Seed.uuids(bed.api, "virtual-machine-interface"))
                .containsExactlyInAnyOrder(bed.interfaceUuid("c1"), foreignUuid, otherEndpoints);
        assertThat(Seed.uuids(bed.api, "instance-ip")).doesNotContain(bed.ipUuid("orphan", "v4")).contains(bed.ipUuid("c1", "v4"));
        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
    }

    @Test
    void twoInstancesWithAnEndpointOfTheSameNameSweepOnlyTheirOwnObjects() throws Exception {
        ProvisionIntent ofB = TfBed.intent("of-b", 301, "10.60.0.3/32");
        try (TungstenBackend a = TfBed.backend(TfBed.ENDPOINT, bed.settings(), new Owner("ensm-a"));
             TungstenBackend b = TfBed.backend(TfBed.ENDPOINT, bed.settings(), new Owner("ensm-b"))) {
            a.provision(c1);
            a.provision(TfBed.intent("lost-by-a", 302, "10.60.0.5/32"));
            b.provision(ofB);
            assertThat(bed.fields(bed.interfaceUuid("of-b")).path("annotations").toString()).contains("\"ensm-owner\"", "\"ensm-b\"");

            Set<String> sweptByA = a.removeOrphans(id -> id.equals("c1"));
            Set<String> sweptByB = b.removeOrphans(id -> id.equals("of-b"));

            assertThat(sweptByA).as("swept by instance a").containsExactly("lost-by-a");
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
        backend.provision(TfBed.intent("lost", 301, "10.60.0.3/32"));
        // what an earlier ensm wrote: connection and endpoint, no owner
        for (String id : List.of("c1", "lost")) {
            put("virtual-machine-interface", bed.interfaceUuid(id), "{\"annotations\":{\"key_value_pair\":[{\"key\":\"ensm-connection\",\"value\":\""
                    + id + "\"},{\"key\":\"ensm-endpoint\",\"value\":\"" + TfBed.ENDPOINT + "\"}]}}");
        }

        assertThat(backend.removeOrphans(id -> id.equals("c1"))).isEmpty();

        assertThat(Seed.uuids(bed.api, "virtual-machine-interface")).contains(bed.interfaceUuid("lost"));
        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
        backend.release(c1);
        assertThat(Seed.uuids(bed.api, "virtual-machine-interface")).doesNotContain(bed.interfaceUuid("c1"));
    }

    @Test
    void anUnmarkedInstanceIpOnAnOrphanKeepsTheOrphanAndIsNotTouched() throws Exception {
        backend.provision(TfBed.intent("orphan", 301, "10.60.0.3/32"));
        ObjectNode foreign = JsonNodeFactory.instance.objectNode().put("instance_ip_address", "10.60.0.77");
        foreign.putArray("virtual_network_refs").addObject().put("uuid", bed.world.networkUuid());
        foreign.putArray("virtual_machine_interface_refs").addObject().put("uuid", bed.interfaceUuid("orphan"));
        String foreignIp = bed.seed.create("instance-ip", List.of("operator-ip"), foreign);

        Set<String> removed = backend.removeOrphans(id -> false);

        assertThat(removed).isEmpty();
        assertThat(Seed.uuids(bed.api, "instance-ip")).containsExactly(foreignIp);
        assertThat(Seed.uuids(bed.api, "virtual-machine-interface")).containsExactly(bed.interfaceUuid("orphan"));
    }

    @Test
    void theSweepFollowsAChangeOfTheGroupsPortsForNewBindings() throws Exception {
        String pi2 = bed.uuidOf("physical-interface", "default-global-system-config", "leaf1", "xe-0/0/2");
        bed.api.action("ref-update", "{\"type\":\"virtual-port-group\",\"uuid\":\"" + bed.world.portGroupUuid()
                + "\",\"ref-type\":\"physical-interface\",\"ref-uuid\":\"" + pi2 + "\",\"operation\":\"ADD\"}");

        backend.removeOrphans(id -> true);
        backend.provision(c1);

        String profile = TungstenBackendLifecycleTest.binding(bed.fields(bed.interfaceUuid("c1")), "profile");
        assertThat(profile).contains("xe-0/0/1", "xe-0/0/2");
        assertThat(bed.fields(bed.world.portGroupUuid()).path("physical_interface_refs")).hasSize(2);
    }

    @Test
    void aNetworkRecreatedUnderItsNameIsFoundAgainAtTheNextPass() throws Exception {
        String ipam = bed.uuidOf("network-ipam", "default-domain", "admin", "default-network-ipam");
        bed.api.store().delete("virtual-network", bed.world.networkUuid());
        String recreated = bed.seed.virtualNetwork(List.of("default-domain", "admin", "blue"), ipam, "10.60.0.0/24");

        BackendException stale = null;
        try {
            backend.provision(c1);
        } catch (BackendException e) {
            stale = e;
        }
        backend.removeOrphans(id -> true);
        backend.provision(c1);

        assertThat(stale).isNotNull();
        assertThat(stale.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(ConnectionObjects.refUuids(bed.fields(bed.interfaceUuid("c1")), "virtual_network_refs")).containsExactly(recreated);
        assertThat(backend.verify(c1)).isEqualTo(Verification.PRESENT);
    }
}
