package io.ensm.core.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.ensm.api.registry.NetworkService;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RegistryPublisherTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Backoff FAST = new Backoff(Duration.ofMillis(20), Duration.ofMillis(200), 0.2);

    private final MutableClock clock = new MutableClock(T0);
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final TcpRegistry tcp = new TcpRegistry(clock, Duration.ofMinutes(1));
    private RegistryPublisher publisher;

    @AfterEach
    void stop() throws InterruptedException {
        if (publisher != null) {
            publisher.close();
        }
        tcp.close();
        scheduler.shutdownNow();
    }

    private static final NetworkService SERVICE = NetworkService.newBuilder().setName("vlan").setPayload("ETHERNET").build();
    private static final NetworkServiceEndpoint NSE =
            EmbeddedEndpointRegistryTest.nse("ensm-1", "vlan", Map.of("site", "a"), "tcp://10.0.0.1:5001");

    private RegistryPublisher publisher(Duration expiry) {
        publisher = RegistryPublisher.builder(tcp.channel, scheduler)
                .services(List.of(SERVICE))
                .endpoints(List.of(NSE))
                .expiry(expiry)
                .clock(clock)
                .backoff(FAST)
                .callTimeout(Duration.ofSeconds(2))
                .build();
        publisher.start();
        return publisher;
    }

    private List<String> endpointsIn(EmbeddedRegistry r) {
        return r.endpoints().snapshot().stream().map(NetworkServiceEndpoint::getName).toList();
    }

    @Test
    void registersServicesAndEndpointsWithRequestedExpiry() {
        publisher(Duration.ofSeconds(30));

        Await.until("all registered", publisher::allRegistered);
        assertThat(tcp.registry.networkServices().snapshot()).containsExactly(SERVICE);
        NetworkServiceEndpoint stored = tcp.registry.endpoints().snapshot().getFirst();
        assertThat(stored.getName()).isEqualTo("ensm-1");
        assertThat(ProtoTime.toInstant(stored.getExpirationTime())).isEqualTo(T0.plusSeconds(30));
        assertThat(publisher.lastRefresh()).containsEntry("ensm-1", T0).containsEntry("service/vlan", T0);
        assertThat(publisher.lastError()).isEmpty();
    }

    @Test
    void refreshesBeforeTheGrantedExpiry() {
        // the clock stands still, so the refresh (due after 2/3 of 600 ms real time) always beats expiry
        publisher(Duration.ofMillis(600));
        Await.until("registered", publisher::allRegistered);
        Instant firstExpiry = ProtoTime.toInstant(tcp.registry.endpoints().snapshot().getFirst().getExpirationTime());

        clock.advance(Duration.ofMillis(300));

        Await.until("refreshed", () -> T0.plusMillis(300).equals(publisher.lastRefresh().get("ensm-1")));
        Instant secondExpiry = ProtoTime.toInstant(tcp.registry.endpoints().snapshot().getFirst().getExpirationTime());
        assertThat(firstExpiry).isEqualTo(T0.plusMillis(600));
        assertThat(secondExpiry).isEqualTo(T0.plusMillis(900));
        assertThat(publisher.allRegistered()).isTrue();
    }

    @Test
    void refreshDelayIsTwoThirdsOfRemainingTime() {
        assertThat(Registration.refreshDelay(T0, T0.plusSeconds(60))).isEqualTo(Duration.ofSeconds(40));
        assertThat(Registration.refreshDelay(T0, T0.minusSeconds(1))).isEqualTo(Duration.ZERO);
    }

    @Test
    void reRegistersWhenTheRegistryForgetsTheEndpoint() {
        publisher(Duration.ofSeconds(30));
        Await.until("registered", publisher::allRegistered);
        Await.until("watch open", () -> tcp.registry.endpoints().watchCount() == 1);

        clock.advance(Duration.ofSeconds(5));
        NetworkServiceEndpointRegistryGrpc.newBlockingStub(tcp.channel)
                .unregister(NetworkServiceEndpoint.newBuilder().setName("ensm-1").build());

        Await.until("re-registered", () -> T0.plusSeconds(5).equals(publisher.lastRefresh().get("ensm-1")));
        assertThat(endpointsIn(tcp.registry)).containsExactly("ensm-1");
    }

    @Test
    void reRegistersEverythingAfterARegistryRestartOnTheSamePort() throws Exception {
        publisher(Duration.ofSeconds(30));
        Await.until("registered", publisher::allRegistered);
        Await.until("watch open", () -> tcp.registry.endpoints().watchCount() == 1);

        tcp.stopServer();
        EmbeddedRegistry restarted = tcp.restartEmpty(clock, Duration.ofMinutes(1));
        try {
            Await.until("endpoint back in restarted registry", () -> endpointsIn(restarted).contains("ensm-1"));
            Await.until("watch reopened", () -> restarted.endpoints().watchCount() == 1);
            assertThat(publisher.allRegistered()).isTrue();
        } finally {
            restarted.close();
        }
    }

    @Test
    void retriesWithBackoffAndReportsTheErrorWhileTheRegistryIsDown() throws Exception {
        tcp.stopServer();
        publisher(Duration.ofSeconds(30));

        Await.until("error reported", () -> publisher.lastError().isPresent());
        assertThat(publisher.allRegistered()).isFalse();
        assertThat(publisher.lastError().get()).contains("UNAVAILABLE");

        EmbeddedRegistry restarted = tcp.restartEmpty(clock, Duration.ofMinutes(1));
        try {
            Await.until("registered after outage", publisher::allRegistered);
            assertThat(publisher.status()).allSatisfy(s -> assertThat(s.lastError()).isEmpty());
        } finally {
            restarted.close();
        }
    }

    @Test
    void closeUnregistersEverythingAndStopsWatching() {
        publisher(Duration.ofSeconds(30));
        Await.until("registered", publisher::allRegistered);
        Await.until("watch open", () -> tcp.registry.endpoints().watchCount() == 1);

        publisher.close();

        assertThat(tcp.registry.endpoints().snapshot()).isEmpty();
        assertThat(tcp.registry.networkServices().snapshot()).isEmpty();
        assertThat(publisher.allRegistered()).isFalse();
        Await.until("watch released", () -> tcp.registry.endpoints().watchCount() == 0);
    }

    @Test
    void anEndpointAddedAtRunTimeIsRegisteredAndARemovedOneUnregistered() {
        publisher(Duration.ofSeconds(30));
        Await.until("registered", publisher::allRegistered);
        NetworkServiceEndpoint found = EmbeddedEndpointRegistryTest.nse("found-1", "vlan", Map.of(), "tcp://10.0.0.1:5001");

        publisher.addEndpoint(found);

        Await.until("found-1 registered", () -> endpointsIn(tcp.registry).contains("found-1"));
        Await.until("all registered", publisher::allRegistered);
        assertThat(publisher.removeEndpoint("found-1")).isTrue();
        assertThat(endpointsIn(tcp.registry)).containsExactly("ensm-1");
        assertThat(publisher.removeEndpoint("found-1")).isFalse();
        assertThat(publisher.status()).extracting(RegistrationStatus::name).doesNotContain("found-1");
    }

    @Test
    void anEndpointNameIsPublishedOnlyOnce() {
        publisher(Duration.ofSeconds(30));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> publisher.addEndpoint(NSE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already published");
    }

    private String urlIn(EmbeddedRegistry r, String name) {
        return r.endpoints().snapshot().stream().filter(e -> e.getName().equals(name))
                .map(NetworkServiceEndpoint::getUrl).findFirst().orElse("");
    }

    private void registerElsewhere(String url) {
        NetworkServiceEndpointRegistryGrpc.newBlockingStub(tcp.channel).register(NSE.toBuilder().setUrl(url)
                .setExpirationTime(ProtoTime.toTimestamp(T0.plusSeconds(30))).build());
    }

    @Test
    void anEndpointRegisteredAgainWithAnotherUrlIsTakenBackAtOnceNotAtTheNextRefresh() {
        // the next refresh is 20 s away: only the watch can bring the registration back in time
        publisher(Duration.ofSeconds(30));
        Await.until("registered", publisher::allRegistered);
        Await.until("watch open", () -> tcp.registry.endpoints().watchCount() == 1);

        registerElsewhere("tcp://10.0.0.2:5001");

        Await.until("our URL back", () -> urlIn(tcp.registry, "ensm-1").equals(NSE.getUrl()), Duration.ofSeconds(5));
    }

    @Test
    void anEndpointNotHeldIsNeitherRefreshedNorTakenBackUntilItIsHeldAgain() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean(true);
        publisher = RegistryPublisher.builder(tcp.channel, scheduler)
                .endpoints(List.of(NSE))
                .expiry(Duration.ofMillis(600))
                .clock(clock)
                .backoff(FAST)
                .callTimeout(Duration.ofSeconds(2))
                .publishWhile(name -> held.get())
                .build();
        publisher.start();
        Await.until("registered", publisher::allRegistered);
        Await.until("watch open", () -> tcp.registry.endpoints().watchCount() == 1);

        // Another replica holds it now and registers its own URL; refreshes (every 400 ms) must not undo that.
        held.set(false);
        registerElsewhere("tcp://10.0.0.2:5001");
        Thread.sleep(1500);
        assertThat(urlIn(tcp.registry, "ensm-1")).isEqualTo("tcp://10.0.0.2:5001");

        held.set(true);
        Await.until("registered again when held", () -> urlIn(tcp.registry, "ensm-1").equals(NSE.getUrl()), Duration.ofSeconds(5));
    }
}
