package io.ensm.core.chain;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.connection.State;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.endpoint.Catalog;
import io.ensm.core.endpoint.allocate.Allocate;
import io.ensm.core.endpoint.expiry.Expiry;
import io.ensm.core.endpoint.expiry.ExpiryTimers;
import io.ensm.core.endpoint.known.LoadKnown;
import io.ensm.core.endpoint.monitor.ConnectionMonitor;
import io.ensm.core.endpoint.monitor.Monitor;
import io.ensm.core.endpoint.negotiate.Negotiate;
import io.ensm.core.endpoint.negotiate.PlanFilter;
import io.ensm.core.endpoint.provision.Provision;
import io.ensm.core.endpoint.provision.Provisioner;
import io.ensm.core.endpoint.select.SelectEndpoint;
import io.ensm.core.endpoint.serialize.SerializeById;
import io.ensm.core.endpoint.updatepath.UpdatePath;
import io.ensm.core.endpoint.validate.ValidateRequest;
import io.ensm.core.model.PlanKind;
import io.ensm.core.state.ConnectionTable;
import io.ensm.core.store.Phase;
import io.ensm.core.testing.Fixtures;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.MutableClock;
import io.ensm.core.testing.RecordingBackend;
import io.ensm.core.testing.RecordingForwarder;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.SimpleAllocator;
import io.grpc.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.ensm.core.testing.Fixtures.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

/** All elements in the assembled order, on recording backend, forwarder, store and allocator. */
class WholeChainTest {
    private final MutableClock clock = new MutableClock();
    private final InMemoryConnectionStore store = new InMemoryConnectionStore();
    private final ConnectionTable table = new ConnectionTable(store);
    private final RecordingBackend backend = RecordingBackend.serving(PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN);
    private final RecordingForwarder forwarder = new RecordingForwarder();
    private final SimpleAllocator allocator = new SimpleAllocator();
    private final ExpiryTimers timers = new ExpiryTimers(clock);
    private final ConnectionMonitor monitor = new ConnectionMonitor(List::of);
    private final SerializeById serialize = new SerializeById(Duration.ofSeconds(5));
    private final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();
    private final Endpoint endpoint;

    WholeChainTest() {
        Catalog catalog = Fixtures.catalog(backend, forwarder);
        endpoint = new Endpoint(List.of(
                new ValidateRequest(),
                new UpdatePath("ensm-1"),
                serialize,
                new LoadKnown(table),
                new Expiry(timers, clock, Duration.ofMinutes(1), Duration.ofHours(1)),
                new Monitor(monitor, new io.ensm.core.endpoint.monitor.ConnectionOwners(new io.ensm.core.state.ConnectionTable(io.ensm.core.testing.InMemoryConnectionStore.with()))),
                new SelectEndpoint(catalog, (service, labels, endpoints) -> endpoints),
                new Negotiate(new PlanFilter(true)),
                new Allocate(allocator, forwarder.info(), 1500, id -> table.get(id).isPresent()),
                new Provision(table, new Provisioner(forwarder))));
        monitor.subscribe(MonitorScopeSelector.getDefaultInstance(), events::add);
    }

    @AfterEach
    void stop() {
        timers.close();
    }

    @Test
    void requestRefreshCloseLeavesNoState() {
        NetworkServiceRequest request = Requests.request().id("nsc-1").build();
        Connection reply = endpoint.request(request, CallContext.client());

        assertThat(reply.getId()).isEqualTo("nsc-1");
        assertThat(reply.getState()).isEqualTo(State.UP);
        assertThat(reply.getPath().getPathSegmentsCount()).isEqualTo(2);
        String ownId = reply.getPath().getPathSegments(1).getId();
        assertThat(reply.getMechanism().getParametersMap()).containsEntry("dst_ip", "192.0.2.10").containsEntry("vni", "5000");
        assertThat(reply.getContext().getIpContext().getDstIpAddrsList()).containsExactly("172.16.0.1/32");
        assertThat(reply.getContext().getIpContext().getSrcIpAddrsList()).containsExactly("172.16.0.2/32");
        assertThat(store.phaseOf(ownId)).isEqualTo(Phase.APPLIED);
        assertThat(backend.intentOf(ownId)).isPresent();
        assertThat(forwarder.crossConnectOf(ownId)).isPresent();
        assertThat(timers.armed()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(3));
        NetworkServiceRequest refresh = Requests.refreshOf(request, reply, clock.instant().plus(Duration.ofMinutes(10)));
        Connection refreshed = endpoint.request(refresh, CallContext.client());

        assertThat(backend.writeCalls()).isEqualTo(1);
        assertThat(forwarder.connectCalls()).isEqualTo(1);
        assertThat(allocator.allocateCalls()).isEqualTo(1);
        assertThat(refreshed.getPath().getPathSegments(1).getId()).isEqualTo(ownId);
        assertThat(refreshed.getContext().getIpContext()).isEqualTo(reply.getContext().getIpContext());
        assertThat(refreshed.getMechanism().getParametersMap()).isEqualTo(reply.getMechanism().getParametersMap());
        assertThat(table.get(ownId).orElseThrow().expires()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        assertThat(table.flush(Duration.ofSeconds(5))).as("refresh writes left behind the reply").isZero();
        assertThat(store.get(ownId).orElseThrow().expires()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));

        endpoint.close(Requests.closeOf(refreshed), CallContext.client());

        assertThat(store.isEmpty()).isTrue();
        assertThat(table.size()).isZero();
        assertThat(backend.provisioned()).isEmpty();
        assertThat(forwarder.connected()).isEmpty();
        assertThat(allocator.held()).isEmpty();
        assertThat(timers.armed()).isZero();
        assertThat(serialize.activeIds()).isZero();
        assertThat(events).extracting(ConnectionEvent::getType).containsExactly(ConnectionEventType.INITIAL_STATE_TRANSFER,
                ConnectionEventType.UPDATE, ConnectionEventType.UPDATE, ConnectionEventType.DELETE);

        // A second Close is idempotent.
        endpoint.close(Requests.closeOf(refreshed), CallContext.client());
        assertThat(backend.releaseCalls()).isEqualTo(1);
    }

    @Test
    void badInputLeavesNoState() {
        assertStatus(() -> endpoint.request(Requests.request().excluded("10.0.0.0/99").build(), CallContext.client()),
                Status.Code.INVALID_ARGUMENT, "excluded_prefixes");
        assertStatus(() -> endpoint.request(Requests.request().mechanisms(Requests.mechanism("KERNEL")).build(), CallContext.client()),
                Status.Code.FAILED_PRECONDITION, "KERNEL");
        assertStatus(() -> endpoint.request(Requests.request().service("nope").build(), CallContext.client()),
                Status.Code.NOT_FOUND, "'nope'");
        assertThat(store.isEmpty()).isTrue();
        assertThat(store.writes()).isEmpty();
        assertThat(backend.calls()).isEmpty();
        assertThat(forwarder.calls()).isEmpty();
        assertThat(allocator.allocateCalls()).isZero();
        assertThat(timers.armed()).isZero();
        assertThat(serialize.activeIds()).isZero();
    }

    @Test
    void backendFailureLeavesNoState() {
        backend.failNext(RecordingBackend.Op.PROVISION, io.ensm.core.spi.BackendException.Kind.UNREACHABLE, "router-1 timed out");
        assertStatus(() -> endpoint.request(Requests.simple(), CallContext.client()), Status.Code.UNAVAILABLE,
                "endpoint 'router-1'", "backend provision failed");
        assertThat(store.isEmpty()).isTrue();
        assertThat(allocator.held()).isEmpty();
        assertThat(timers.armed()).isZero();
        assertThat(events).hasSize(1);
    }
}
