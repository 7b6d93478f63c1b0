package io.ensm.core.replica;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.MonitorConnectionGrpc;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.connection.State;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.recovery.OrphanPolicy;
import io.ensm.core.registry.RegistrationStatus;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.store.Persistence;
import io.ensm.core.store.Phase;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.HandOverBoard;
import io.ensm.core.testing.Await;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.NotClosingStore;
import io.ensm.core.testing.Requests;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two replicas of one cluster on one store, endpoints handed from one to the other: the new holder
 * serves the connections it took over (a refresh is a refresh, not a new connection), the old one
 * sends callers to the new one and touches nothing it let go.
 */
class HandOverTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final InMemoryConnectionStore shared = new InMemoryConnectionStore().used();
    private final HandOverBoard board = new HandOverBoard().assign("box-1", "ensm-a").assign("box-2", "ensm-b");
    private final List<AutoCloseable> open = new ArrayList<>();
    private EnsmRuntime registry;

    @BeforeEach
    void startRegistry() {
        registry = EnsmRuntime.start(settings("registry", null, List.of()), dir -> new InMemoryConnectionStore(),
                EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
        open.add(registry);
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private static EnsmSettings settings(String replica, String registryUrl, List<EndpointDefinition> endpoints) {
        return new EnsmSettings("ensm", new InetSocketAddress("127.0.0.1", 0), "tcp://" + replica + ".example:5003", registryUrl,
                Path.of("unused"), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofHours(1),
                1500, 1, 1000, List.of(new ServiceSpec("blue", Payload.ETHERNET, List.of("172.31.0.0/24"), List.of())),
                endpoints, null, Map.of(), List.of(), "ensm-test", OrphanPolicy.SWEEP, null, replica);
    }

    private static EndpointDefinition box(String name, String vlans) {
        return new EndpointDefinition(new EndpointSpec(name, "blue", Map.of()), "preprovisioned",
                Map.of("uplink", "eth-" + name, "vlans", vlans, "plans", "fabric-vlan"));
    }

    private record Replica(EnsmRuntime runtime, NetworkServiceGrpc.NetworkServiceBlockingStub ns, SimpleMeterRegistry meters) {
        double served() {
            return meters.get("ensm.endpoints.served").gauge().value();
        }
    }

    private Replica replica(String name) {
        Ownership ownership = board.replica(name, "tcp://" + name + ".example:5003");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        EnsmRuntime runtime = EnsmRuntime.launch(settings(name, "127.0.0.1:" + registry.port(),
                        List.of(box("box-1", "100-109"), box("box-2", "200-209"))),
                (self, registryOfMeters, clock) -> new Persistence(new NotClosingStore(shared), ownership, io.ensm.core.alloc.Claims.NONE),
                EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC(), meters);
        open.add(runtime);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
        open.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return new Replica(runtime, NetworkServiceGrpc.newBlockingStub(channel), meters);
    }

    private static NetworkServiceRequest ask(String endpoint) {
        return Requests.request().service("blue").endpoint(endpoint).mechanisms(Requests.vlan())
                .expires(Instant.now().plus(Duration.ofMinutes(10))).build();
    }

    private static String ownId(Connection reply) {
        return reply.getPath().getPathSegments(reply.getPath().getIndex() + 1).getId();
    }

    @Test
    void eachReplicaServesOnlyWhatItHoldsAndNamesTheHolderOfTheRest() {
        Replica a = replica("ensm-a");
        replica("ensm-b");

        Connection mine = a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(ask("box-1"));
        assertThat(mine.getNetworkServiceEndpointName()).isEqualTo("box-1");

        assertThatThrownBy(() -> a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(ask("box-2")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).contains("box-2", "ensm-b", "tcp://ensm-b.example:5003");
                });
        for (int i = 0; i < 4; i++) {
            Connection any = a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(ask(""));
            assertThat(any.getNetworkServiceEndpointName()).as("a connection naming no endpoint goes to one held here")
                    .isEqualTo("box-1");
        }
        assertThat(a.runtime().connections().all()).allMatch(c -> c.endpoint().equals("box-1"));
    }

    @Test
    void aHandedOverConnectionIsRefreshedByTheNewHolderAndLeftAloneByTheOld() {
        Replica a = replica("ensm-a");
        Replica b = replica("ensm-b");
        NetworkServiceRequest first = ask("box-1");
        Connection reply = a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(first);
        String id = ownId(reply);
        StoredConnection before = shared.get(id).orElseThrow();
        int writesBefore = shared.writes().size();
        awaitRegistered(a.runtime(), "box-1");

        board.move("box-1", "ensm-b");
        await(() -> b.runtime().serves("box-1"), "ensm-b serves box-1");

        assertThat(a.runtime().serves("box-1")).isFalse();
        assertThat(a.served()).as("endpoints ensm-a serves").isEqualTo(0);
        assertThat(b.served()).as("endpoints ensm-b serves").isEqualTo(2);
        assertThat(a.runtime().connections().get(id)).as("forgotten by the old holder").isEmpty();
        assertThat(b.runtime().connections().get(id)).as("loaded by the new holder").isPresent();
        assertThat(shared.writes().subList(writesBefore, shared.writes().size())).as("nothing written by the hand-over")
                .noneMatch(w -> w.startsWith("delete"));
        assertThat(shared.phaseOf(id)).isEqualTo(Phase.APPLIED);

        NetworkServiceRequest refresh = Requests.refreshOf(first, reply, Instant.now().plus(Duration.ofMinutes(10)));
        assertThatThrownBy(() -> a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(refresh))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).contains("box-1", "ensm-b");
                });
        Connection refreshed = b.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(refresh);
        assertThat(ownId(refreshed)).as("the same connection").isEqualTo(id);
        assertThat(refreshed.getMechanism().getParametersMap()).as("its VLAN and addresses kept")
                .isEqualTo(reply.getMechanism().getParametersMap());
        assertThat(refreshed.getContext()).isEqualTo(reply.getContext());
        assertThat(shared.get(id).orElseThrow().allocation()).isEqualTo(before.allocation());
        assertThat(shared.size()).as("still one connection").isEqualTo(1);

        awaitRegistered(b.runtime(), "box-1");
        assertThat(a.runtime().registrations()).extracting(RegistrationStatus::name).doesNotContain("box-1");

        assertThatThrownBy(() -> a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).close(refreshed))
                .as("a Close at the old holder is sent to the new one, not answered OK and dropped")
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).contains("box-1", "ensm-b");
                });
        assertThat(shared.phaseOf(id)).isEqualTo(Phase.APPLIED);
        b.ns().withDeadlineAfter(10, TimeUnit.SECONDS).close(refreshed);
        assertThat(shared.phaseOf(id)).as("closed by the holder").isNull();
    }

    /**
     * NSM's heal re-requests a connection when its endpoint's monitor says it is DOWN; an endpoint
     * moving between live replicas fails nothing else, so the old holder must say it.
     */
    @Test
    void aHolderLettingAnEndpointGoTellsTheConnectionsMonitorsTheyAreDownSoThatNsmHealsThem() throws InterruptedException {
        Replica a = replica("ensm-a");
        Replica b = replica("ensm-b");
        Connection reply = a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(ask("box-1"));
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", a.runtime().port()).usePlaintext().build();
        java.util.concurrent.BlockingQueue<ConnectionEvent> events = new java.util.concurrent.LinkedBlockingQueue<>();
        io.grpc.Context.CancellableContext call = io.grpc.Context.current().withCancellation();
        try {
            // the selector NSM's heal sends: the connection's path segment at this endpoint
            MonitorScopeSelector selector = MonitorScopeSelector.newBuilder()
                    .addPathSegments(PathSegment.newBuilder().setId(ownId(reply))).build();
            call.run(() -> MonitorConnectionGrpc.newStub(channel).monitorConnections(selector, new io.grpc.stub.StreamObserver<>() {
                @Override public void onNext(ConnectionEvent e) { events.add(e); }
                @Override public void onError(Throwable t) {}
                @Override public void onCompleted() {}
            }));
            ConnectionEvent initial = events.poll(10, TimeUnit.SECONDS);
            assertThat(initial).isNotNull();
            assertThat(initial.getConnectionsMap()).containsKey(ownId(reply));

            board.move("box-1", "ensm-b");
            await(() -> b.runtime().serves("box-1"), "ensm-b serves box-1");
            await(() -> a.runtime().connections().size() == 0, "ensm-a let it go");

            ConnectionEvent down = events.poll(10, TimeUnit.SECONDS);
            assertThat(down).as("an event from the old holder").isNotNull();
            assertThat(down.getType()).isEqualTo(ConnectionEventType.UPDATE);
            assertThat(down.getConnectionsMap()).containsOnlyKeys(ownId(reply));
            assertThat(down.getConnectionsMap().get(ownId(reply)).getState()).isEqualTo(State.DOWN);
            assertThat(b.runtime().connections().get(ownId(reply))).as("the connection lives on at the new holder").isPresent();
        } finally {
            call.cancel(null);
            channel.shutdownNow();
        }
    }

    @Test
    void anEndpointTakenBackIsServedAgainWithItsConnections() {
        Replica a = replica("ensm-a");
        Replica b = replica("ensm-b");
        Connection reply = a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(ask("box-1"));
        board.move("box-1", "ensm-b");
        await(() -> b.runtime().serves("box-1"), "ensm-b serves box-1");
        board.move("box-1", "ensm-a");
        await(() -> a.runtime().serves("box-1"), "ensm-a serves box-1 again");
        await(() -> b.runtime().connections().size() == 0, "ensm-b let it go");

        assertThat(a.runtime().connections().get(ownId(reply))).isPresent();
        Connection second = a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(ask("box-1"));
        assertThat(second.getMechanism().getParametersMap()).as("a new connection gets another VLAN than the adopted one")
                .isNotEqualTo(reply.getMechanism().getParametersMap());
    }

    @Test
    void aReplicaThatStopsGivesItsEndpointsUpWithoutFailing() {
        Replica a = replica("ensm-a");
        a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(ask("box-1"));
        open.remove(a.runtime());

        a.runtime().close();

        assertThat(a.runtime().ownership().servedBy("box-1")).as("given up").isEmpty();
        assertThat(shared.size()).as("its connection stays in the store for the next holder").isEqualTo(1);
    }

    @Test
    void replicasOnASharedStoreNeedAnExternalRegistryAndTheirOwnUrl() {
        Ownership ownership = board.replica("ensm-c", "tcp://ensm-c.example:5003");
        assertThatThrownBy(() -> EnsmRuntime.launch(settings("ensm-c", null, List.of(box("box-1", "100-109"))),
                (self, registryOfMeters, clock) -> new Persistence(new NotClosingStore(shared), ownership, io.ensm.core.alloc.Claims.NONE),
                EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC(), new SimpleMeterRegistry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ensm.registry-url").hasMessageContaining("external NSM registry");
    }

    private static void awaitRegistered(EnsmRuntime runtime, String endpoint) {
        await(() -> runtime.registrations().stream().anyMatch(r -> r.name().equals(endpoint) && r.registered()),
                "registration of " + endpoint);
    }

    private static void await(BooleanSupplier condition, String what) {
        Await.until(WAIT, condition, what);
    }
}
