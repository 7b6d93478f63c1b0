package io.ensm.core.fuzz;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.Requests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fuzz oracles can fail: each rule is broken on purpose once and must be reported. */
class PathOracleTest {
    private final FuzzWorld world = new FuzzWorld();
    private final PathOracle oracle = new PathOracle(world);

    @AfterEach
    void close() {
        world.close();
    }

    @Test
    void acceptedRequestRefreshAndCloseLeaveNothing() {
        NetworkServiceRequest request = Requests.request().id("nsc-1").build();
        Connection reply = oracle.request(request, false);
        assertThat(reply).isNotNull();
        assertThat(world.state().holdsNothing()).isFalse();
        oracle.closeAll(oracle.refresh(request, reply));
        oracle.releaseEverything();
        assertThat(world.state().holdsNothing()).isTrue();
    }

    @Test
    void refusalIsAcceptedWhenNothingChanged() {
        assertThat(oracle.request(Requests.request().service("nope").build(), false)).isNull();
    }

    @Test
    void deviceObjectLeftBehindIsReported() {
        world.backends.get("router-1").preload(new ProvisionIntent("ghost", new EndpointSpec("router-1", "fabric-breakout", Map.of()),
                PlanKind.FABRIC_VLAN, new Allocation(List.of(), List.of(), "", 0, 0), null, 1500));
        assertThatThrownBy(oracle::releaseEverything).isInstanceOf(AssertionError.class).hasMessageContaining("still held");
    }

    @Test
    void refusalThatChangedStateIsReported() {
        // a provision that fails after the backend kept its object: what a half-done undo looks like
        world.backends.get("router-1").duringProvision(i -> world.backends.get("router-2").preload(i));
        world.backends.get("router-1").failNext(RecordingBackend.Op.PROVISION, BackendException.Kind.UNREACHABLE, "gone");
        assertThatThrownBy(() -> oracle.request(Requests.request().endpoint("router-1").build(), true))
                .isInstanceOf(AssertionError.class).hasMessageContaining("changed what is held");
    }

    @Test
    void refusalWithDeviceIoIsReportedWhenNoFaultWasInjected() {
        world.backends.get("router-1").failNext(RecordingBackend.Op.PROVISION, BackendException.Kind.REJECTED, "no");
        assertThatThrownBy(() -> oracle.request(Requests.request().endpoint("router-1").build(), false))
                .isInstanceOf(AssertionError.class).hasMessageContaining("after device I/O or a store write");
    }
}
