package io.ensm.tf.backend;

import io.ensm.core.endpoint.provision.StepFailure;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.tf.vncdouble.Seed;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** TF down, TF refusing, and failures half-way: the status says why, and nothing is left behind. */
class TungstenBackendFaultTest {
    final TfBed bed = new TfBed();
    TungstenBackend backend = bed.backend();

    @AfterEach
    void close() {
        backend.close();
        bed.close();
    }

    static BackendException failure(ThrowingCall call) {
        try {
            call.run();
        } catch (BackendException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a BackendException, got " + e, e);
        }
        throw new AssertionError("expected a BackendException, the call succeeded");
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    /** The gRPC status the core answers for this failure (as the provision step would). */
    static Status statusOf(BackendException e) {
        return new StepFailure("backend provision", e).toStatus("endpoint 'blue-nse'").getStatus();
    }

    void assertNothingOfOursLeft() {
        assertThat(Seed.uuids(bed.api, "virtual-machine-interface")).isEmpty();
        assertThat(bed.fields(bed.world.portGroupUuid()).path("virtual_machine_interface_refs")).isEmpty();
    }

    @Test
    void tfDownIsUnreachableAndUnavailableNamingTheApi() {
        bed.api.stop();

        BackendException e = failure(() -> backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
        assertThat(e.getMessage()).contains("create virtual-machine-interface default-domain:admin:ensm-c1", bed.api.url(),
                "cannot reach the TF API");
        assertThat(statusOf(e).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(failure(() -> backend.release(TfBed.intent("c1", 300, "10.60.0.1/32"))).kind())
                .isEqualTo(BackendException.Kind.UNREACHABLE);
        assertThat(failure(() -> backend.verify(TfBed.intent("c1", 300, "10.60.0.1/32"))).kind())
                .isEqualTo(BackendException.Kind.UNREACHABLE);
    }

    @Test
    void anAddressInUseIs409RejectedWithTfsMessageAndTheInterfaceIsDeletedAgain() {
        ObjectNode foreign = JsonNodeFactory.instance.objectNode().put("instance_ip_address", "10.60.0.1");
        foreign.putArray("virtual_network_refs").addObject().put("uuid", bed.world.networkUuid());
        String foreignUuid = bed.seed.create("instance-ip", List.of("someone-elses"), foreign);

        BackendException e = failure(() -> backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(e.getMessage()).contains("create instance-ip 10.60.0.1", "409 IP address already in use");
        assertThat(statusOf(e).getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertNothingOfOursLeft();
        assertThat(Seed.uuids(bed.api, "instance-ip")).containsExactly(foreignUuid);
    }

    @Test
    void anAddressOutsideTheNetworksSubnetsIs400Rejected() {
        BackendException e = failure(() -> backend.provision(TfBed.intent("c1", 300, "172.16.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(e.getMessage()).contains("400 Requested IP address 172.16.0.1 is not in any subnet");
        assertNothingOfOursLeft();
    }

    @Test
    void aVlanAnotherInterfaceUsesOnTheGroupIs400RejectedWithTfsMessage() throws Exception {
        try (TungstenBackend other = TfBed.backend("another-nse", bed.settings())) {
            other.provision(new ProvisionIntent("x1", TfBed.intent("x1", 300).endpoint(), TfBed.intent("x1", 300).plan(),
                    TfBed.intent("x1", 300, "10.60.0.9/32").allocation(), null, 1450));
        }

        BackendException e = failure(() -> backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(e.getMessage()).contains("already exists in virtual network:(" + bed.world.networkUuid() + ") with vlan(300)");
        assertThat(Seed.uuids(bed.api, "virtual-machine-interface")).hasSize(1);
    }

    @Test
    void aPortThatMovedToAnotherGroupIs400RejectedAndAPortThatIsGoneIs404NotFound() throws Exception {
        String pi1 = bed.uuidOf("physical-interface", "default-global-system-config", "leaf1", "xe-0/0/1");
        bed.api.action("ref-update", "{\"type\":\"virtual-port-group\",\"uuid\":\""
                + bed.world.portGroupUuid() + "\",\"ref-type\":\"physical-interface\",\"ref-uuid\":\"" + pi1 + "\",\"operation\":\"DELETE\"}");
        String other = bed.seed.virtualPortGroup("default-fabric", "other-group", pi1);

        BackendException moved = failure(() -> backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(moved.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(moved.getMessage()).contains("400 Physical interface xe-0/0/1 already belong to the vpg other-group");

        bed.api.store().delete("virtual-port-group", other);
        bed.api.store().delete("physical-interface", pi1);
        BackendException gone = failure(() -> backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(gone.kind()).isEqualTo(BackendException.Kind.NOT_FOUND);
        assertThat(gone.getMessage()).contains("404 Unable to attach Physical interface", "No such Physical Interface object (xe-0/0/1)");
        assertThat(statusOf(gone).getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertNothingOfOursLeft();
    }

    @Test
    void aFailureHalfWayDeletesTheInterfaceItCreated() {
        bed.api.failNext(2, "POST", "/instance-ips", 503, "Service Unavailable");

        BackendException e = failure(() -> backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
        assertThat(e.getMessage()).contains("create instance-ip 10.60.0.1", "503 Service Unavailable");
        assertThat(bed.api.calls()).contains("DELETE /virtual-machine-interface/" + bed.interfaceUuid("c1"));
        assertNothingOfOursLeft();
    }

    @Test
    void aCreateWhoseAnswerIsLostIsUndoneToo() {
        Map<String, String> settings = bed.settings();
        settings.put("timeout", "300ms");
        backend.close();
        backend = TfBed.backend(TfBed.ENDPOINT, settings);
        bed.api.answerLate(1, "POST", "/instance-ips", java.time.Duration.ofSeconds(1));

        BackendException e = failure(() -> backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
        assertThat(e.getMessage()).contains("no answer within 300 ms (the change may or may not have been made)");
        assertThat(bed.api.calls()).contains("DELETE /instance-ip/" + bed.ipUuid("c1", "v4"));
        assertThat(Seed.uuids(bed.api, "instance-ip")).isEmpty();
        assertNothingOfOursLeft();
    }

    @Test
    void whatAnUndoCouldNotDeleteIsMarkedAndTheOrphanSweepRemovesIt() throws Exception {
        bed.api.failNext(2, "POST", "/instance-ips", 503, "Service Unavailable");
        bed.api.failNext(2, "DELETE", "/virtual-machine-interface/", 503, "Service Unavailable");

        failure(() -> backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32")));
        assertThat(Seed.uuids(bed.api, "virtual-machine-interface")).containsExactly(bed.interfaceUuid("c1"));

        Set<String> removed = backend.removeOrphans(id -> false);

        assertThat(removed).containsExactly("c1");
        assertNothingOfOursLeft();
    }

    @Test
    void anObjectWithOurNameThatIsNotOursIsLeftAloneAndTheRequestRejected() {
        ObjectNode foreign = JsonNodeFactory.instance.objectNode().put("parent_type", "project");
        foreign.putArray("virtual_network_refs").addObject().put("uuid", bed.world.networkUuid());
        String foreignUuid = bed.seed.create("virtual-machine-interface", List.of("default-domain", "admin", "ensm-c1"), foreign);

        BackendException e = failure(() -> backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.REJECTED);
        assertThat(e.getMessage()).contains("409 ['default-domain', 'admin', 'ensm-c1'] already exists with uuid: " + foreignUuid);
        assertThat(Seed.uuids(bed.api, "virtual-machine-interface")).containsExactly(foreignUuid);
    }

    @Test
    void aTokenTheApiStopsAcceptingIsDeniedAndNeverShown(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        bed.api.requireToken("service-token-123");
        Path tokenFile = Files.writeString(dir.resolve("token"), "service-token-123\n");
        Map<String, String> settings = bed.settings();
        settings.put("token-file", tokenFile.toString());
        backend.close();
        backend = TfBed.backend(TfBed.ENDPOINT, settings);
        backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32"));
        bed.api.revokeTokens();

        BackendException e = failure(() -> backend.provision(TfBed.intent("c2", 301, "10.60.0.3/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.DENIED);
        assertThat(e.getMessage()).contains("401").doesNotContain("service-token-123");
        assertThat(statusOf(e).getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    }

    @Test
    void aSlowApiTimesOutAsUnreachable() {
        Map<String, String> settings = bed.settings();
        settings.put("timeout", "300ms");
        backend.close();
        backend = TfBed.backend(TfBed.ENDPOINT, settings);
        bed.api.delayAnswers(java.time.Duration.ofSeconds(1));

        BackendException e = failure(() -> backend.verify(TfBed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
        assertThat(e.getMessage()).contains("no answer within 300 ms");
    }
}
