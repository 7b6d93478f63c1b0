package io.ensm.tf.backend;

import io.ensm.core.endpoint.provision.StepFailure;
import io.ensm.core.spi.BackendException;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What OpenSDN's server cannot be made to do on demand, against the double: TF down, 503 and 500
 * answers, answers lost after the change was made, a slow API, a token it stops accepting. The
 * status says why, and nothing is left behind. What TF refuses is in {@link TungstenBackendErrorTest}.
 */
class TungstenBackendFaultTest {
    final TfBed bed = TfBed.onDouble();
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
        assertThat(bed.interfaces()).isEmpty();
        assertThat(bed.portGroup().path("virtual_machine_interface_refs")).isEmpty();
    }

    @Test
    void tfDownIsUnreachableAndUnavailableNamingTheApi() {
        bed.api().stop();

        BackendException e = failure(() -> backend.provision(bed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
        assertThat(e.getMessage()).contains("create virtual-machine-interface default-domain:" + bed.world.project() + ":ensm-"
                + bed.id("c1"), bed.url(), "cannot reach the TF API");
        assertThat(statusOf(e).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(failure(() -> backend.release(bed.intent("c1", 300, "10.60.0.1/32"))).kind())
                .isEqualTo(BackendException.Kind.UNREACHABLE);
        assertThat(failure(() -> backend.verify(bed.intent("c1", 300, "10.60.0.1/32"))).kind())
                .isEqualTo(BackendException.Kind.UNREACHABLE);
    }

    @Test
    void aFailureHalfWayDeletesTheInterfaceItCreated() {
        bed.api().failNext(2, "POST", "/instance-ips", 503, "Service Unavailable");

        BackendException e = failure(() -> backend.provision(bed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
        assertThat(e.getMessage()).contains("create instance-ip 10.60.0.1", "503 Service Unavailable");
        assertThat(bed.calls()).contains("DELETE /virtual-machine-interface/" + bed.interfaceUuid("c1"));
        assertNothingOfOursLeft();
    }

    @Test
    void aServerErrorIsUnreachableAndNotRetried() {
        bed.clearCalls();
        bed.api().failNext(1, "POST", "/instance-ips", 500, "Internal Server Error");

        BackendException e = failure(() -> backend.provision(bed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
        assertThat(bed.calls().stream().filter(c -> c.equals("POST /instance-ips"))).hasSize(1);
        assertNothingOfOursLeft();
    }

    @Test
    void aCreateWhoseAnswerIsLostIsUndoneToo() {
        Map<String, String> settings = bed.settings();
        settings.put("timeout", "300ms");
        backend.close();
        backend = TfBed.backend(TfBed.ENDPOINT, settings);
        bed.api().answerLate(1, "POST", "/instance-ips", java.time.Duration.ofSeconds(1));

        BackendException e = failure(() -> backend.provision(bed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
        assertThat(e.getMessage()).contains("no answer within 300 ms (the change may or may not have been made)");
        assertThat(bed.calls()).contains("DELETE /instance-ip/" + bed.ipUuid("c1", "v4"));
        assertThat(bed.instanceIps()).isEmpty();
        assertNothingOfOursLeft();
    }

    @Test
    void whatAnUndoCouldNotDeleteIsMarkedAndTheOrphanSweepRemovesIt() throws Exception {
        bed.api().failNext(2, "POST", "/instance-ips", 503, "Service Unavailable");
        bed.api().failNext(2, "DELETE", "/virtual-machine-interface/", 503, "Service Unavailable");

        failure(() -> backend.provision(bed.intent("c1", 300, "10.60.0.1/32")));
        assertThat(bed.interfaces()).containsExactly(bed.interfaceUuid("c1"));

        Set<String> removed = backend.removeOrphans(id -> false);

        assertThat(removed).containsExactly(bed.id("c1"));
        assertNothingOfOursLeft();
    }

    @Test
    void aTokenTheApiStopsAcceptingIsDeniedAndNeverShown(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        bed.api().requireToken("service-token-123");
        Path tokenFile = Files.writeString(dir.resolve("token"), "service-token-123\n");
        Map<String, String> settings = bed.settings();
        settings.put("token-file", tokenFile.toString());
        backend.close();
        backend = TfBed.backend(TfBed.ENDPOINT, settings);
        backend.provision(bed.intent("c1", 300, "10.60.0.1/32"));
        bed.api().revokeTokens();

        BackendException e = failure(() -> backend.provision(bed.intent("c2", 301, "10.60.0.3/32")));

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
        bed.api().delayAnswers(java.time.Duration.ofSeconds(1));

        BackendException e = failure(() -> backend.verify(bed.intent("c1", 300, "10.60.0.1/32")));

        assertThat(e.kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
        assertThat(e.getMessage()).contains("no answer within 300 ms");
    }
}
