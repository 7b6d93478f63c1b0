package io.ensm.netconf.recovery;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointQuery;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.store.Phase;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.OutputCapture;
import io.ensm.core.testing.Requests;
import io.ensm.netconf.backend.NetconfBackendProvider;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.NetconfTestbedExtension;
import io.ensm.netconf.testbed.TestSubInterfaceCodec;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The runtime in this JVM (gRPC server, embedded registry, SQLite store) with two real netconfd
 * boxes of a test bed of its own, one of which the tests stop (sshd down: connection refused) or
 * freeze (SIGSTOP: no reply). Boxes are read with OpenSSH, not with ensm's code.
 */
@Tag("netconf-testbed")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RuntimeOnFailingBoxesTest {
    /** ensm's name, and so the owner its marks name. */
    static final String NAME = "ensm-faults";
    private static final Duration RECONCILE = Duration.ofSeconds(1);
    private static final Duration REGISTRY_EXPIRY = Duration.ofSeconds(2);

    @TempDir
    Path dir;
    /** The store's directory, one per test: a restart within a test keeps it. */
    private Path data;
    private NetconfTestbed bed;
    private final List<EnsmRuntime> runtimes = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final List<Long> frozen = new ArrayList<>();

    @BeforeAll
    void startBoxes() {
        bed = NetconfTestbedExtension.startOrSkip(() -> NetconfTestbed.startOwn("runtime-faults", 2, "candidate", 18840));
    }

    @BeforeEach
    void newStore() {
        data = dir.resolve("data-" + java.util.UUID.randomUUID());
    }

    @AfterAll
    void stopBoxes() {
        if (bed != null) {
            bed.close();
        }
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        frozen.forEach(pid -> signal("CONT", pid));
        frozen.clear();
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        channels.clear();
        runtimes.forEach(EnsmRuntime::close);
        runtimes.clear();
        if (!listens(1)) {
            bed.startSsh(1);
        }
        // Whatever a failed test left marked on the boxes goes, whatever its store says.
        for (int i = 1; i <= 2; i++) {
            var backend = new NetconfBackendProvider().create(io.ensm.core.testing.Contexts.backend(
                    new EndpointSpec("box-" + i, "svc-" + i, Map.of()),
                    settings(bed.device(i), Duration.ofSeconds(2), Duration.ofSeconds(2)), new io.ensm.core.spi.Owner(NAME)));
            try {
                backend.removeOrphans(id -> false);
            } catch (io.ensm.core.spi.BackendException e) {
                throw new AssertionError("clean-up of box " + i + " failed", e);
            } finally {
                backend.close();
            }
        }
        assertThat(marked(1)).as("box 1 after the test").isEmpty();
        assertThat(marked(2)).as("box 2 after the test").isEmpty();
    }

    private boolean listens(int device) {
        try (var s = new java.net.Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", bed.device(device).port()), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private EnsmRuntime start(Duration connectTimeout, Duration rpcTimeout) {
        List<ServiceSpec> services = new ArrayList<>();
        List<EndpointDefinition> endpoints = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            services.add(new ServiceSpec("svc-" + i, Payload.ETHERNET, List.of("10.9" + i + ".0.0/24"), List.of()));
            endpoints.add(new EndpointDefinition(new EndpointSpec("box-" + i, "svc-" + i, Map.of()), "netconf",
                    settings(bed.device(i), connectTimeout, rpcTimeout)));
        }
        EnsmSettings settings = new EnsmSettings(NAME, new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:1", null,
                data, Duration.ofMinutes(10), Duration.ofHours(1), REGISTRY_EXPIRY, RECONCILE, 1500, 1, 1000,
                services, endpoints, null, Map.of());
        EnsmRuntime runtime = EnsmRuntime.start(settings, SqliteConnectionStore::new, EnsmRuntime.Transport.plaintext(List.of()),
                Clock.systemUTC());
        runtimes.add(runtime);
        return runtime;
    }

    private static Map<String, String> settings(NetconfTestbed.Device d, Duration connectTimeout, Duration rpcTimeout) {
        Map<String, String> s = new HashMap<>();
        s.put("host", d.host());
        s.put("port", Integer.toString(d.port()));
        s.put("username", d.username());
        s.put("password-file", d.passwordFile().toString());
        s.put("known-hosts", d.knownHosts().toString());
        s.put("driver", "ietf");
        s.put("port-name", "eth1");
        s.put("uplink", "ens-up");
        s.put("vlans", "3600-3609");
        s.put("connect-timeout", connectTimeout.toMillis() + "ms");
        s.put("rpc-timeout", rpcTimeout.toMillis() + "ms");
        return s;
    }

    private ManagedChannel channel(EnsmRuntime runtime) {
        ManagedChannel c = ManagedChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
        channels.add(c);
        return c;
    }

    /** A VLAN Request for box {@code i}'s service; returns ensm's own connection id. */
    private static String request(ManagedChannel channel, int box, Instant expires) {
        Connection reply = NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .request(Requests.request().service("svc-" + box).expires(expires).mechanisms(Requests.vlan()).build());
        return reply.getPath().getPathSegments(reply.getPath().getIndex() + 1).getId();
    }

    private static void close(ManagedChannel channel, EnsmRuntime runtime, String id) {
        StoredConnection c = runtime.connections().get(id).orElseThrow();
        try {
            NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).close(Connection.parseFrom(c.connection()));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** Connection ids marked on a box's running configuration, read with OpenSSH. */
    private Set<String> marked(int device) {
        Set<String> ids = new TreeSet<>();
        TestSubInterfaceCodec.parse(bed.independentInterfaces(device)).values().forEach(f -> {
            io.ensm.netconf.driver.Marker.read(f.description()).filter(m -> m.owner().equals(NAME))
                    .ifPresent(m -> ids.add(m.connectionId()));
        });
        return ids;
    }

    private static boolean waitFor(Duration limit, BooleanSupplier done) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            sleep(100);
        }
        return done.getAsBoolean();
    }

    @Test
    void aRestartWithExpiredConnectionsOnABoxThatIsDownStartsServesTheOtherBoxAndReleasesOnceItIsBack() {
        EnsmRuntime first = start(Duration.ofSeconds(2), Duration.ofSeconds(2));
        ManagedChannel c1 = channel(first);
        // Room for four Requests and a read of the box on a loaded host before the first expires.
        Instant soon = Instant.now().plusSeconds(15);
        List<String> expiring = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            expiring.add(request(c1, 1, soon));
        }
        String steady = request(c1, 1, Instant.now().plus(Duration.ofHours(1)));
        assertThat(marked(1)).containsExactlyInAnyOrderElementsOf(concat(expiring, steady));

        // ensm stops; the box goes down; the three connections expire meanwhile.
        first.close();
        runtimes.remove(first);
        bed.stopSsh(1);
        sleep(Math.max(0, Duration.between(Instant.now(), soon).toMillis()) + 500);

        try (OutputCapture out = OutputCapture.start()) {
            EnsmRuntime[] started = new EnsmRuntime[1];
            assertThatCode(() -> started[0] = start(Duration.ofSeconds(2), Duration.ofSeconds(2)))
                    .as("start with box 1 down and three of its connections expired").doesNotThrowAnyException();
            EnsmRuntime second = started[0];
            for (String id : expiring) {
                assertThat(second.connections().get(id).map(StoredConnection::phase)).as("expired %s", id).contains(Phase.RELEASING);
            }
            assertThat(second.connections().get(steady).map(StoredConnection::phase)).contains(Phase.APPLIED);

            ManagedChannel c2 = channel(second);
            String other = request(c2, 2, Instant.now().plus(Duration.ofMinutes(10)));
            assertThat(marked(2)).as("box 2 serves while box 1 is down").containsExactly(other);
            close(c2, second, other);
            assertThat(marked(2)).isEmpty();

            // Passes run every second while the box stays down: one warning for it, not one per connection and pass.
            sleep(RECONCILE.multipliedBy(3).toMillis());
            List<String> warnings = out.text().lines()
                    .filter(l -> l.contains("WARN") && l.contains("io.ensm.core.recovery") && l.contains("box-1")).toList();
            assertThat(warnings).as("warnings of the reconciler about box-1").hasSize(1);

            bed.startSsh(1);
            assertThat(waitFor(Duration.ofSeconds(20), () -> marked(1).equals(Set.of(steady))))
                    .as("releases finished on box 1 once it is back; marked: %s", marked(1)).isTrue();
            assertThat(second.connections().all()).extracting(StoredConnection::id).containsExactly(steady);
            assertThat(waitFor(Duration.ofSeconds(5), () -> out.text().contains("event=reconcile-endpoint-recovered endpoint=box-1")))
                    .as("the recovery is logged").isTrue();
            close(c2, second, steady);
            assertThat(marked(1)).isEmpty();
        }
    }

    @Test
    void aPassStuckOnAFrozenBoxDoesNotLetTheRegistrationExpire() {
        // Every read of the frozen box waits for its full RPC timeout, twice the registration's expiry.
        Duration rpcTimeout = REGISTRY_EXPIRY.multipliedBy(2);
        EnsmRuntime runtime = start(Duration.ofSeconds(2), rpcTimeout);
        ManagedChannel channel = channel(runtime);
        String steady = request(channel, 1, Instant.now().plus(Duration.ofHours(1)));
        var registry = NetworkServiceEndpointRegistryGrpc.newBlockingStub(channel);
        assertThat(waitFor(Duration.ofSeconds(10), () -> registered(registry, "box-1"))).as("box-1 registered").isTrue();

        try (OutputCapture out = OutputCapture.start()) {
            freeze(1);
            long t0 = System.nanoTime();
            List<String> gaps = new ArrayList<>();
            long stuckFor = -1;
            while (System.nanoTime() - t0 < Duration.ofSeconds(12).toNanos()) {
                if (!registered(registry, "box-1")) {
                    gaps.add(String.format("%.1f s", (System.nanoTime() - t0) / 1e9));
                }
                if (stuckFor < 0 && out.text().contains("event=reconcile-endpoint-failing endpoint=box-1")) {
                    stuckFor = (System.nanoTime() - t0) / 1_000_000;
                }
                sleep(200);
            }
            thaw();
            assertThat(gaps).as("times after the freeze when box-1 was not in the registry").isEmpty();
            assertThat(stuckFor).as("ms until the pass that read the frozen box ended").isGreaterThanOrEqualTo(rpcTimeout.toMillis());
        }
        assertThat(marked(1)).as("the frozen box's connection stays").containsExactly(steady);
        close(channel, runtime, steady);
    }

    private static boolean registered(NetworkServiceEndpointRegistryGrpc.NetworkServiceEndpointRegistryBlockingStub registry, String name) {
        var found = registry.withDeadlineAfter(5, TimeUnit.SECONDS).find(NetworkServiceEndpointQuery.newBuilder()
                .setNetworkServiceEndpoint(NetworkServiceEndpoint.newBuilder().setName(name)).build());
        boolean seen = false;
        while (found.hasNext()) {
            seen |= found.next().getNetworkServiceEndpoint().getName().equals(name);
        }
        return seen;
    }

    /** SIGSTOP to the box's sshd and its sessions: connections stay open, nothing answers. */
    private void freeze(int device) {
        long sshd = bed.pid(device, "sshd");
        List<Long> pids = new ArrayList<>(List.of(sshd));
        ProcessHandle.of(sshd).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        for (long pid : pids) {
            signal("STOP", pid);
            frozen.add(pid);
        }
    }

    private void thaw() {
        frozen.forEach(pid -> signal("CONT", pid));
        frozen.clear();
    }

    private static void signal(String signal, long pid) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> concat(List<String> ids, String one) {
        List<String> all = new ArrayList<>(ids);
        all.add(one);
        return all;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
