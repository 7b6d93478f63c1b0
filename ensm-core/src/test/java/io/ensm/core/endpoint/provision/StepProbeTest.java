package io.ensm.core.endpoint.provision;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.chain.CallContext;
import io.ensm.core.chain.Endpoint;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.allocate.Allocate;
import io.ensm.core.endpoint.expiry.Expiry;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.endpoint.negotiate.Negotiate;
import io.ensm.core.endpoint.select.SelectEndpoint;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.VxlanPeer;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.spi.StepProbe.Step;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.RecordingForwarder;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.Seed;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The probe sees each named step once, in order, after the step's effect and before the next:
 * what the store, backend and forwarder hold at each step is what a crash there leaves behind.
 */
class StepProbeTest {
    private static final String ID = "own-1";
    private static final Instant EXPIRES = MutableClock.START.plusSeconds(600);

    private final InMemoryConnectionStore store = new InMemoryConnectionStore();
    private final ConnectionTable table = new ConnectionTable(store);
    private final RecordingBackend backend = RecordingBackend.serving(PlanKind.FORWARDER_VXLAN);
    private final RecordingForwarder forwarder = new RecordingForwarder();
    private final ExposedEndpoint endpoint = Fixtures.endpoint(backend);
    private final List<String> seen = new ArrayList<>();
    private final Provision provision = new Provision(table, new Provisioner(forwarder), (step, id) ->
            seen.add(step + " " + id + " store=" + store.get(id).map(c -> c.phase().name()).orElse("none")
                    + " backend=" + backend.intentOf(id).isPresent() + " forwarder=" + forwarder.crossConnectOf(id).isPresent()));

    private Connection request(PlanKind plan) {
        Seed s = Seed.with(SelectEndpoint.ENDPOINT, endpoint).and(Negotiate.PLAN, plan)
                .and(Negotiate.PEER, new VxlanPeer(Requests.CLIENT_IP, Requests.CLIENT_PORT))
                .and(Allocate.ALLOCATION, Fixtures.allocation()).and(Allocate.MTU, 1450).and(Expiry.EXPIRES, EXPIRES);
        Seed known = Seed.of(c -> table.get(ID).ifPresent(k -> c.put(LoadKnown.KNOWN, k)));
        NetworkServiceRequest r = Requests.simple().toBuilder()
                .setConnection(Requests.request().connection().toBuilder().setId(ID)).build();
        return new Endpoint(List.of(s, known, provision)).request(r, CallContext.client());
    }

    private void close() {
        new Endpoint(List.of(Seed.with(LoadKnown.KNOWN, table.get(ID).orElseThrow()).and(SelectEndpoint.ENDPOINT, endpoint), provision))
                .close(Connection.newBuilder().setId(ID).build(), CallContext.client());
    }

    @Test
    void requestAndCloseReportEveryStepInOrderAfterItsEffect() {
        request(PlanKind.FORWARDER_VXLAN);
        close();
        assertThat(seen).containsExactly(
                "request.intent-stored own-1 store=PENDING backend=false forwarder=false",
                "request.backend-provisioned own-1 store=PENDING backend=true forwarder=false",
                "request.cross-connected own-1 store=PENDING backend=true forwarder=true",
                "request.applied-stored own-1 store=APPLIED backend=true forwarder=true",
                "close.releasing-stored own-1 store=RELEASING backend=true forwarder=true",
                "close.disconnected own-1 store=RELEASING backend=true forwarder=false",
                "close.before-segment-leave own-1 store=RELEASING backend=false forwarder=false",
                "close.backend-released own-1 store=RELEASING backend=false forwarder=false",
                "close.record-removed own-1 store=none backend=false forwarder=false");
    }

    @Test
    void refreshWithTheSameIntentPassesNoStep() {
        request(PlanKind.FORWARDER_VXLAN);
        seen.clear();
        request(PlanKind.FORWARDER_VXLAN);
        assertThat(seen).isEmpty();
    }

    @Test
    void aPlanWithoutTheKernelLegStillPassesEveryStep() {
        request(PlanKind.FABRIC_VLAN);
        close();
        assertThat(seen).extracting(s -> s.split(" ")[0]).containsExactly(
                java.util.Arrays.stream(Step.values()).map(Step::stableName).toArray(String[]::new));
        assertThat(forwarder.connectCalls()).isZero();
    }

    @Test
    void aFailedStepStopsTheSequenceThere() {
        backend.failNext(RecordingBackend.Op.PROVISION, Kind.UNREACHABLE, "box down");
        assertThatThrownBy(() -> request(PlanKind.FORWARDER_VXLAN)).isInstanceOf(StatusRuntimeException.class);
        assertThat(seen).containsExactly("request.intent-stored own-1 store=PENDING backend=false forwarder=false");
        assertThat(store.phaseOf(ID)).isNull();
    }

    @Test
    void stepsHaveStableNamesAndUnknownNamesAreRefusedWithTheList() {
        assertThat(Step.named("close.disconnected")).isEqualTo(Step.CLOSE_DISCONNECTED);
        assertThatThrownBy(() -> Step.named("request.box"))
                .hasMessageContaining("unknown step 'request.box'").hasMessageContaining("request.intent-stored");
    }
}
