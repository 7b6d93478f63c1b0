package io.ensm.tf.backend;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.BackendException;
import io.ensm.tf.testbed.OpenSdn;
import io.ensm.tf.testbed.RealOpenSdn;
import io.ensm.tf.testbed.TfRest;
import io.ensm.tf.testbed.TfWorld;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

import static io.ensm.tf.backend.TungstenBackendFaultTest.failure;
import static io.ensm.tf.backend.TungstenBackendFaultTest.statusOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What OpenSDN's config API server refuses, as ensm reports it: the kind (and so the gRPC status),
 * TF's own message, and nothing of the connection left behind.
 */
@RealOpenSdn
class TungstenBackendErrorTest {
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

    void assertNothingOfOursLeft() {
        assertThat(bed.interfaces()).isEmpty();
        assertThat(bed.portGroup().path("virtual_machine_interface_refs")).isEmpty();
    }

    String foreignInstanceIp(String address) {
        ObjectNode foreign = JsonNodeFactory.instance.objectNode().put("instance_ip_address", address);
        foreign.putArray("virtual_network_refs").addObject().set("to", TfRest.array(bed.world.networkFqName()));
        return bed.rest.create("instance-ip", null, List.of("someone-elses-" + bed.world.tag()), foreign);
    }

    @Test
    void anAddressInUseIs409RejectedWithTfsMessageAndTheInterfaceIsDeletedAgain() {
        String foreignUuid = foreignInstanceIp("10.60.0.1");

        BackendException e = failure(() -> backend.provision(bed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(e.getMessage()).contains("create instance-ip 10.60.0.1", "409 IP address already in use");
        assertThat(statusOf(e).getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertNothingOfOursLeft();
        assertThat(bed.instanceIps()).containsExactly(foreignUuid);
    }

    @Test
    void anAddressOutsideTheNetworksSubnetsIs400Rejected() {
        BackendException e = failure(() -> backend.provision(bed.intent("c1", 300, "172.16.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(e.getMessage()).contains("create instance-ip 172.16.0.1", "400 Virtual-Network(['default-domain', '"
                + bed.world.project() + "', 'blue']) has exhausted subnet([])");
        assertNothingOfOursLeft();
    }

    @Test
    void aVlanAnotherInterfaceUsesOnTheGroupIs400RejectedWithTfsMessage() throws Exception {
        String other;
        try (TungstenBackend another = TfBed.backend("another-nse", bed.settings())) {
            another.provision(TfBed.intentFor("another-nse", bed.id("x1"), 300, PlanKind.FABRIC_VLAN, "10.60.0.9/32"));
            other = ObjectIds.interfaceUuid("another-nse", bed.id("x1"));
        }

        BackendException e = failure(() -> backend.provision(bed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(e.getMessage()).contains("400 Virtual machine interface:(" + other + ") already exists in virtual network:("
                + bed.world.networkUuid() + ") with vlan(300)");
        assertThat(bed.interfaces()).containsExactly(other);
    }

    @Test
    void aPortThatMovedToAnotherGroupIs400RejectedAndAPortThatIsGoneIs404NotFound() throws Exception {
        bed.rest.refUpdate("virtual-port-group", bed.world.portGroupUuid(), "physical-interface", bed.world.port(0), "DELETE");
        String other = TfWorld.portGroup(bed.rest, bed.world.fabric(), "other-group", bed.world.port(0));

        BackendException moved = failure(() -> backend.provision(bed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(moved.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(moved.getMessage()).contains("400 Physical interface ['default-global-system-config', '" + bed.world.router()
                + "', 'xe-0/0/1'] already belong to the vpg other-group");
        assertNothingOfOursLeft();

        bed.rest.remove("virtual-port-group", other);
        bed.rest.remove("physical-interface", bed.world.port(0));
        BackendException gone = failure(() -> backend.provision(bed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(gone.kind()).isEqualTo(BackendException.Kind.NOT_FOUND);
        assertThat(gone.getMessage()).contains("404 Unable to attach Physical interface to Virtual Port Group (" + bed.world.portGroup() + ")."
                + " No such Physical Interface object (xe-0/0/1) exists");
        assertThat(statusOf(gone).getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertNothingOfOursLeft();
    }

    @Test
    void anObjectWithOurNameThatIsNotOursIsLeftAloneAndTheRequestRejected() {
        ObjectNode foreign = JsonNodeFactory.instance.objectNode();
        foreign.putArray("virtual_network_refs").addObject().set("to", TfRest.array(bed.world.networkFqName()));
        String foreignUuid = bed.rest.create("virtual-machine-interface", "project",
                List.of(TfWorld.DOMAIN, bed.world.project(), "ensm-" + bed.id("c1")), foreign);

        BackendException e = failure(() -> backend.provision(bed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(e.getMessage()).contains("409 ['default-domain', '" + bed.world.project() + "', 'ensm-" + bed.id("c1")
                + "'] already exists with uuid: " + foreignUuid);
        assertThat(bed.interfaces()).containsExactly(foreignUuid);
    }

    @Test
    void anInterfaceStillReferredToByAForeignInstanceIpIsNotReleasedAndSaysWhy() throws Exception {
        var intent = bed.intent("c1", 300, "10.60.0.1/32");
        backend.provision(intent);
        ObjectNode foreign = JsonNodeFactory.instance.objectNode().put("instance_ip_address", "10.60.0.77");
        foreign.putArray("virtual_network_refs").addObject().set("to", TfRest.array(bed.world.networkFqName()));
        foreign.putArray("virtual_machine_interface_refs").addObject().set("to",
                TfRest.array(List.of(TfWorld.DOMAIN, bed.world.project(), "ensm-" + bed.id("c1"))));
        String foreignIp = bed.rest.create("instance-ip", null, List.of("operator-ip-" + bed.world.tag()), foreign);

        BackendException e = failure(() -> backend.release(intent));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(e.getMessage()).contains("delete virtual-machine-interface " + bed.interfaceUuid("c1"),
                "409 Delete when resource still referred", "/instance-ip/" + foreignIp);
        assertThat(bed.instanceIps()).containsExactly(foreignIp);
    }

    @Test
    void theSameVlanTwiceOnTheGroupIsRefusedByTfAndTheFirstConnectionKeepsIt() throws Exception {
        backend.provision(bed.intent("c1", 300, "10.60.0.1/32"));

        BackendException e = failure(() -> backend.provision(bed.intent("c2", 300, "10.60.0.3/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(e.getMessage()).contains("400 Virtual machine interface:(" + bed.interfaceUuid("c1") + ") already exists");
        assertThat(bed.interfaces()).containsExactly(bed.interfaceUuid("c1"));
        assertThat(bed.instanceIps()).containsExactly(bed.ipUuid("c1", "v4"));
    }
}
