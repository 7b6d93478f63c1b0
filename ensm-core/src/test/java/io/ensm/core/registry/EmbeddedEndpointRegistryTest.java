package io.ensm.core.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointQuery;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.api.registry.NetworkServiceEndpointResponse;
import io.ensm.api.registry.NetworkServiceLabels;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EmbeddedEndpointRegistryTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final TcpRegistry tcp = new TcpRegistry(clock, Duration.ofMinutes(1));
    private final NetworkServiceEndpointRegistryGrpc.NetworkServiceEndpointRegistryBlockingStub stub =
            NetworkServiceEndpointRegistryGrpc.newBlockingStub(tcp.channel);

    @AfterEach
    void stop() throws InterruptedException {
        tcp.close();
    }

    static NetworkServiceEndpoint nse(String name, String service, Map<String, String> labels, String url) {
        return NetworkServiceEndpoint.newBuilder()
                .setName(name)
                .addNetworkServiceNames(service)
                .putNetworkServiceLabels(service, NetworkServiceLabels.newBuilder().putAllLabels(labels).build())
                .setUrl(url)
                .build();
    }

    private List<NetworkServiceEndpoint> find(NetworkServiceEndpoint query) {
        List<NetworkServiceEndpoint> out = new ArrayList<>();
        stub.find(NetworkServiceEndpointQuery.newBuilder().setNetworkServiceEndpoint(query).build())
                .forEachRemaining(r -> out.add(r.getNetworkServiceEndpoint()));
        return out;
    }

    private Watcher<NetworkServiceEndpointQuery, NetworkServiceEndpointResponse> watch(NetworkServiceEndpoint query) {
        var w = new Watcher<NetworkServiceEndpointQuery, NetworkServiceEndpointResponse>();
        NetworkServiceEndpointRegistryGrpc.newStub(tcp.channel).find(
                NetworkServiceEndpointQuery.newBuilder().setNetworkServiceEndpoint(query).setWatch(true).build(), w);
        return w;
    }

    @Test
    void registerWithoutExpirationGetsDefaultExpiryAndRegistrationTime() {
        NetworkServiceEndpoint got = stub.register(nse("nse-1", "vlan", Map.of("app", "a"), "tcp://10.0.0.1:5001"));

        assertThat(ProtoTime.toInstant(got.getExpirationTime())).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        assertThat(ProtoTime.toInstant(got.getInitialRegistrationTime())).isEqualTo(T0);
        assertThat(find(NetworkServiceEndpoint.getDefaultInstance())).containsExactly(got);
    }

    @Test
    void reRegistrationKeepsInitialRegistrationTimeAndMovesExpiry() {
        stub.register(nse("nse-1", "vlan", Map.of(), "tcp://a"));
        clock.advance(Duration.ofSeconds(30));

        NetworkServiceEndpoint again = stub.register(nse("nse-1", "vlan", Map.of(), "tcp://a").toBuilder()
                .setExpirationTime(ProtoTime.toTimestamp(clock.instant().plusSeconds(20))).build());

        assertThat(ProtoTime.toInstant(again.getInitialRegistrationTime())).isEqualTo(T0);
        assertThat(ProtoTime.toInstant(again.getExpirationTime())).isEqualTo(T0.plusSeconds(50));
    }

    @Test
    void requestedExpiryBeyondTheDefaultIsCutToTheDefault() {
        NetworkServiceEndpoint got = stub.register(nse("nse-1", "vlan", Map.of(), "tcp://a").toBuilder()
                .setExpirationTime(ProtoTime.toTimestamp(T0.plus(Duration.ofHours(1)))).build());

        assertThat(ProtoTime.toInstant(got.getExpirationTime())).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    }

    @Test
    void unregisterRemovesAndIsIdempotentForUnknownNames() {
        stub.register(nse("nse-1", "vlan", Map.of(), "tcp://a"));

        stub.unregister(NetworkServiceEndpoint.newBuilder().setName("nse-1").build());
        stub.unregister(NetworkServiceEndpoint.newBuilder().setName("nse-1").build());
        stub.unregister(NetworkServiceEndpoint.newBuilder().setName("never-seen").build());

        assertThat(find(NetworkServiceEndpoint.getDefaultInstance())).isEmpty();
    }

    @Test
    void endpointNamingAnUnknownServiceIsAccepted() {
        assertThat(stub.register(nse("nse-1", "nobody-registered-this", Map.of(), "tcp://a")).getName())
                .isEqualTo("nse-1");
    }

    @Test
    void findWithoutWatchStreamsMatchesThenCompletes() {
        stub.register(nse("a", "vlan", Map.of("zone", "z1"), "tcp://10.0.0.1:1"));
        stub.register(nse("b", "vlan", Map.of("zone", "z2"), "tcp://10.0.0.2:1"));

        assertThat(find(NetworkServiceEndpoint.newBuilder()
                .putNetworkServiceLabels("vlan", NetworkServiceLabels.newBuilder().putLabels("zone", "z2").build())
                .build())).extracting(NetworkServiceEndpoint::getName).containsExactly("b");
    }

    @Test
    void watchSendsCurrentStateThenChangesWithDeletedOnUnregister() throws Exception {
        stub.register(nse("a", "vlan", Map.of(), "tcp://a"));
        try (var w = watch(NetworkServiceEndpoint.getDefaultInstance())) {
            assertThat(w.next()).satisfies(r -> {
                assertThat(r.getNetworkServiceEndpoint().getName()).isEqualTo("a");
                assertThat(r.getDeleted()).isFalse();
            });

            stub.register(nse("b", "vlan", Map.of(), "tcp://b"));
            assertThat(w.next().getNetworkServiceEndpoint().getName()).isEqualTo("b");

            stub.unregister(NetworkServiceEndpoint.newBuilder().setName("a").build());
            NetworkServiceEndpointResponse deleted = w.next();
            assertThat(deleted.getDeleted()).isTrue();
            assertThat(deleted.getNetworkServiceEndpoint().getName()).isEqualTo("a");
        }
    }

    @Test
    void watchOnlySeesChangesMatchingItsQuery() throws Exception {
        try (var w = watch(NetworkServiceEndpoint.newBuilder().setName("mine").build())) {
            stub.register(nse("other", "vlan", Map.of(), "tcp://o"));
            stub.register(nse("mine", "vlan", Map.of(), "tcp://m"));
            assertThat(w.next().getNetworkServiceEndpoint().getName()).isEqualTo("mine");
            assertThat(w.isEmpty()).isTrue();
        }
    }

    @Test
    void expiryRemovesEndpointAndAnnouncesDeletedToWatchers() throws Exception {
        stub.register(nse("short", "vlan", Map.of(), "tcp://s").toBuilder()
                .setExpirationTime(ProtoTime.toTimestamp(T0.plusSeconds(10))).build());
        stub.register(nse("long", "vlan", Map.of(), "tcp://l"));
        try (var w = watch(NetworkServiceEndpoint.getDefaultInstance())) {
            w.next();
            w.next();

            clock.advance(Duration.ofSeconds(10));
            assertThat(tcp.registry.endpoints().expireNow()).isEqualTo(1);

            NetworkServiceEndpointResponse r = w.next();
            assertThat(r.getDeleted()).isTrue();
            assertThat(r.getNetworkServiceEndpoint().getName()).isEqualTo("short");
            assertThat(find(NetworkServiceEndpoint.getDefaultInstance()))
                    .extracting(NetworkServiceEndpoint::getName).containsExactly("long");
        }
    }

    @Test
    void expiredButNotYetSweptEndpointsAreHiddenFromFind() {
        stub.register(nse("short", "vlan", Map.of(), "tcp://s").toBuilder()
                .setExpirationTime(ProtoTime.toTimestamp(T0.plusSeconds(10))).build());
        clock.advance(Duration.ofSeconds(11));

        assertThat(find(NetworkServiceEndpoint.getDefaultInstance())).isEmpty();
    }

    @Test
    void cancellingAWatchReleasesTheWatcher() throws Exception {
        var w = watch(NetworkServiceEndpoint.getDefaultInstance());
        stub.register(nse("a", "vlan", Map.of(), "tcp://a"));
        w.next();
        assertThat(tcp.registry.endpoints().watchCount()).isEqualTo(1);

        w.close();

        Await.until("watcher released", () -> tcp.registry.endpoints().watchCount() == 0);
    }

    @Test
    void invalidRegistrationsAreRejectedWithReason() {
        assertInvalid(NetworkServiceEndpoint.newBuilder().addNetworkServiceNames("vlan").build(),
                "network service endpoint name is empty");
        assertInvalid(NetworkServiceEndpoint.newBuilder().setName("nse-1").build(),
                "network_service_names is empty");
        assertInvalid(nse("x".repeat(254), "vlan", Map.of(), "tcp://a"), "longer than 253");
        assertInvalid(nse("nse-1", "vlan", Map.of(), "tcp://a").toBuilder()
                .setExpirationTime(ProtoTime.toTimestamp(T0.minusSeconds(1))).build(), "expiration_time");
        Map<String, String> tooMany = new java.util.HashMap<>();
        for (int i = 0; i <= RegistryLimits.MAX_LABELS; i++) {
            tooMany.put("k" + i, "v");
        }
        assertInvalid(nse("nse-1", "vlan", tooMany, "tcp://a"), "more than 64 labels");
        assertInvalid(nse("nse-1", "vlan", Map.of("k", "v".repeat(257)), "tcp://a"), "value of label k longer than 256");
        assertThatThrownBy(() -> stub.unregister(NetworkServiceEndpoint.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThat(find(NetworkServiceEndpoint.getDefaultInstance())).isEmpty();
    }

    private void assertInvalid(NetworkServiceEndpoint nse, String messagePart) {
        assertThatThrownBy(() -> stub.register(nse))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains(messagePart);
                });
    }
}
