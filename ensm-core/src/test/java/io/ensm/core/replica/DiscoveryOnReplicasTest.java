package io.ensm.core.replica;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointQuery;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.recovery.OrphanPolicy;
import io.ensm.core.registry.RegistrationStatus;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.runtime.SourceDefinition;
import io.ensm.core.store.Persistence;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.HandOverBoard;
import io.ensm.core.testing.Await;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.NotClosingStore;
import io.ensm.core.testing.ListedFileSource;
import io.ensm.core.testing.Requests;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
 * Endpoints found at run time on replicas of one cluster: each is held by one replica, which alone
 * serves and registers it; one that vanishes is unregistered and released by its holder once its
 * connections are gone, and kept by the others until then. A single ensm publishes what it finds
 * as before.
 */
class DiscoveryOnReplicasTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String FOUND = "found-1";

    @TempDir
    Path dir;
    private final InMemoryConnectionStore shared = new InMemoryConnectionStore().used();
    private final HandOverBoard board = new HandOverBoard();
    private final List<AutoCloseable> open = new ArrayList<>();
    private EnsmRuntime registry;
    private ManagedChannel registryChannel;

    @BeforeEach
    void startRegistry() {
        registry = EnsmRuntime.start(settings("registry", null, List.of()), d -> new InMemoryConnectionStore(),
                EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
        open.add(registry);
        registryChannel = ManagedChannelBuilder.forAddress("127.0.0.1", registry.port()).usePlaintext().build();
        open.add(() -> registryChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private Path listing() {
        return dir.resolve("endpoints.properties");
    }

    private static EnsmSettings settings(String replica, String registryUrl, List<SourceDefinition> sources) {
        return new EnsmSettings("ensm", new InetSocketAddress("127.0.0.1", 0), url(replica), registryUrl,
                Path.of("unused"), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofHours(1),
                1500, 1, 1000, List.of(new ServiceSpec("blue", Payload.ETHERNET, List.of("172.31.0.0/24"), List.of())),
                List.of(), null, Map.of(), sources, "ensm-test", OrphanPolicy.SWEEP, null, replica);
    }

    private static String url(String replica) {
        return "tcp://" + replica + ".example:5003";
    }

    /** Lists (or, with false, stops listing) one preprovisioned endpoint of service blue. */
    private void list(boolean found) {
        ListedFileSource.write(listing(), found ? Map.of(
                "endpoints[0].name", FOUND, "endpoints[0].service", "blue", "endpoints[0].backend.type", "preprovisioned",
                "endpoints[0].backend.settings.uplink", "eth-found", "endpoints[0].backend.settings.vlans", "300-309",
                "endpoints[0].backend.settings.plans", "fabric-vlan") : Map.of());
    }

    /** The source asked only when a test says so. */
    private List<SourceDefinition> sources() {
        return List.of(new SourceDefinition("listed", ListedFileSource.TYPE, Duration.ofHours(1), Map.of("file", listing().toString())));
    }

    private record Replica(EnsmRuntime runtime, NetworkServiceGrpc.NetworkServiceBlockingStub ns) {
        void sync() {
            runtime.endpointSync().syncAll();
        }

        boolean knows(String endpoint) {
            return runtime.catalog().endpoints().stream().map(ExposedEndpoint::name).anyMatch(endpoint::equals);
        }

        boolean publishes(String endpoint) {
            return runtime.registrations().stream().map(RegistrationStatus::name).anyMatch(endpoint::equals);
        }
    }

    private Replica replica(String name) {
        Ownership ownership = board.replica(name, url(name));
        EnsmRuntime runtime = EnsmRuntime.launch(settings(name, "127.0.0.1:" + registry.port(), sources()),
                (self, meters, clock) -> new Persistence(new NotClosingStore(shared), ownership, io.ensm.core.alloc.Claims.NONE),
                EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC(), new SimpleMeterRegistry());
        open.add(runtime);
        return new Replica(runtime, stub(runtime));
    }

    private NetworkServiceGrpc.NetworkServiceBlockingStub stub(EnsmRuntime runtime) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
        open.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return NetworkServiceGrpc.newBlockingStub(channel);
    }

    private static NetworkServiceRequest ask(String endpoint) {
        return Requests.request().service("blue").endpoint(endpoint).mechanisms(Requests.vlan())
                .expires(Instant.now().plus(Duration.ofMinutes(10))).build();
    }

    /** The URLs the registry has for the endpoint, read from the registry itself. */
    private List<String> registered(String endpoint) {
        List<String> urls = new ArrayList<>();
        NetworkServiceEndpointRegistryGrpc.newBlockingStub(registryChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .find(NetworkServiceEndpointQuery.newBuilder().setNetworkServiceEndpoint(NetworkServiceEndpoint.newBuilder().setName(endpoint))
                        .build())
                .forEachRemaining(r -> urls.add(r.getNetworkServiceEndpoint().getUrl()));
        return urls;
    }

    @Test
    void anEndpointFoundWhileServingIsHeldServedAndRegisteredByOneReplicaOnly() throws Exception {
        Replica a = replica("ensm-a");
        Replica b = replica("ensm-b");
        list(true);
        a.sync();
        b.sync();

        assertThat(a.knows(FOUND) && b.knows(FOUND)).as("in both catalogs").isTrue();
        assertThat(board.holder(FOUND)).as("held by the first replica that contended for it").contains("ensm-a");
        await(() -> a.runtime().serves(FOUND), "ensm-a serves " + FOUND);
        await(() -> registered(FOUND).equals(List.of(url("ensm-a"))), "the registry names ensm-a only");
        Thread.sleep(500); // a registration of ensm-b would be on its way by now
        assertThat(registered(FOUND)).containsExactly(url("ensm-a"));
        assertThat(b.publishes(FOUND)).as("ensm-b does not publish what it does not hold").isFalse();
        assertThat(b.runtime().serves(FOUND)).isFalse();

        Connection reply = a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(ask(FOUND));
        assertThat(reply.getNetworkServiceEndpointName()).isEqualTo(FOUND);
        assertThatThrownBy(() -> b.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(ask(FOUND)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).contains(FOUND, "ensm-a", url("ensm-a"));
                });

        board.move(FOUND, "ensm-b");
        await(() -> b.runtime().serves(FOUND), "ensm-b serves " + FOUND + " after the hand-over");
        await(() -> registered(FOUND).equals(List.of(url("ensm-b"))), "the registry names ensm-b");
        assertThat(b.runtime().connections().all()).extracting(StoredConnection::endpoint).containsExactly(FOUND);
        assertThat(a.publishes(FOUND)).isFalse();
    }

    @Test
    void anEndpointFoundAtStartIsHeldByOneReplica() {
        list(true);
        Replica a = replica("ensm-a");
        Replica b = replica("ensm-b");

        assertThat(a.runtime().serves(FOUND)).as("adopted before ensm-a's port opened").isTrue();
        assertThat(b.knows(FOUND)).isTrue();
        assertThat(b.runtime().serves(FOUND)).isFalse();
        await(() -> registered(FOUND).equals(List.of(url("ensm-a"))), "the registry names ensm-a only");
        assertThat(b.publishes(FOUND)).isFalse();
    }

    @Test
    void aVanishedEndpointStaysWhileItHasConnectionsThenItsHolderUnregistersAndReleasesIt() {
        list(true);
        Replica a = replica("ensm-a");
        Replica b = replica("ensm-b");
        Connection reply = a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(ask(FOUND));
        await(() -> registered(FOUND).equals(List.of(url("ensm-a"))), "registered by ensm-a");

        list(false);
        for (int i = 0; i < 3; i++) {
            a.sync();
            b.sync();
        }
        assertThat(a.knows(FOUND)).as("kept by its holder while it has a connection").isTrue();
        assertThat(b.knows(FOUND)).as("kept by the others while a replica holds it").isTrue();
        assertThat(board.holder(FOUND)).contains("ensm-a");
        assertThat(registered(FOUND)).as("still registered, for its connection's refreshes").containsExactly(url("ensm-a"));
        assertThatThrownBy(() -> a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(ask(FOUND)))
                .as("no new connection to a withdrawn endpoint").isInstanceOf(StatusRuntimeException.class);

        a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).close(reply);
        a.sync();
        assertThat(a.knows(FOUND)).as("removed by its holder once without connections").isFalse();
        assertThat(board.holder(FOUND)).as("its hold released").isEmpty();
        assertThat(registered(FOUND)).as("unregistered").isEmpty();
        b.sync();
        assertThat(b.knows(FOUND)).as("removed by the other once no replica holds it and the store has nothing of it").isFalse();
        assertThat(board.holder(FOUND)).as("not taken again").isEmpty();
        assertThat(registered(FOUND)).isEmpty();
    }

    @Test
    void aVanishedEndpointWhoseHolderStopsIsTakenOverForItsConnectionsThenReleased() {
        list(true);
        Replica a = replica("ensm-a");
        Replica b = replica("ensm-b");
        Connection reply = a.ns().withDeadlineAfter(10, TimeUnit.SECONDS).request(ask(FOUND));
        list(false);
        a.sync();
        b.sync();
        b.sync();
        assertThat(board.holder(FOUND)).contains("ensm-a");

        open.remove(a.runtime());
        a.runtime().close();
        assertThat(board.holder(FOUND)).as("given up by the replica that stopped").isEmpty();
        b.sync();

        assertThat(board.holder(FOUND)).as("taken by ensm-b: nobody held it and the store has its connection").contains("ensm-b");
        await(() -> b.runtime().serves(FOUND), "ensm-b serves " + FOUND);
        await(() -> registered(FOUND).equals(List.of(url("ensm-b"))), "registered by ensm-b");
        assertThat(b.runtime().connections().all()).as("the connection taken over").extracting(StoredConnection::endpoint)
                .containsExactly(FOUND);

        b.ns().withDeadlineAfter(10, TimeUnit.SECONDS).close(reply);
        b.sync();
        assertThat(b.knows(FOUND)).isFalse();
        assertThat(board.holder(FOUND)).isEmpty();
        assertThat(registered(FOUND)).isEmpty();
    }

    @Test
    void aSingleEnsmPublishesWhatItFindsAndUnregistersWhatVanishes() {
        EnsmRuntime sole = EnsmRuntime.start(settings("sole", "127.0.0.1:" + registry.port(), sources()),
                d -> new InMemoryConnectionStore(), EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
        open.add(sole);
        list(true);
        sole.endpointSync().syncAll();
        await(() -> registered(FOUND).equals(List.of(url("sole"))), "registered by the single ensm");
        Connection reply = stub(sole).withDeadlineAfter(10, TimeUnit.SECONDS).request(ask(FOUND));

        list(false);
        sole.endpointSync().syncAll();
        sole.endpointSync().syncAll();
        assertThat(registered(FOUND)).as("kept while it has a connection").containsExactly(url("sole"));
        stub(sole).withDeadlineAfter(10, TimeUnit.SECONDS).close(reply);
        sole.endpointSync().syncAll();
        assertThat(sole.catalog().endpoint(FOUND)).isEmpty();
        assertThat(registered(FOUND)).isEmpty();
    }

    private static void await(BooleanSupplier condition, String what) {
        Await.until(WAIT, condition, what);
    }
}
