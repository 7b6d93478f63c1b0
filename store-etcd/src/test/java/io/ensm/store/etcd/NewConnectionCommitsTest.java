package io.ensm.store.etcd;

import com.google.protobuf.Timestamp;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.recovery.OrphanPolicy;
import io.ensm.core.replica.Rendezvous;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.store.Stores;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdSettings;
import io.ensm.store.etcd.client.Entry;
import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a new connection writes to etcd through a complete ensm: its claims ride on its PENDING
 * record, so it is two commits (record with claims, then APPLIED), and a value another replica
 * took meanwhile costs that replica's Request no commit and leaves nothing behind.
 */
@Tag("etcd-testbed")
@ExtendWith(EtcdClusterExtension.class)
class NewConnectionCommitsTest {
    private static final String SERVICE = "commits-service";
    private static final String CLUSTER = "commits";

    private final EtcdCluster cluster;
    private final List<AutoCloseable> open = new ArrayList<>();
    private EtcdClient client;
    private String prefix;
    private EnsmRuntime registry;
    @TempDir
    Path dataDir;

    NewConnectionCommitsTest(EtcdCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeEach
    void setUp() {
        client = EtcdClient.connect(EtcdSettings.of(cluster.endpoints()));
        prefix = "/commits-test-" + System.nanoTime();
        registry = EnsmRuntime.start(settings("registry", null, List.of()), dir -> new InMemoryConnectionStore(),
                EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        registry.close();
        client.deletePrefix(prefix + "/");
        client.close();
    }

    @Test
    void aNewConnectionIsTwoCommitsItsClaimsWithItsPendingRecord() throws Exception {
        List<EndpointDefinition> endpoints = List.of(endpoint("commits-nse-1", "eth1"));
        EnsmRuntime replica = replica("ensm-a", endpoints);
        awaitServing(replica, "commits-nse-1");
        var stub = stub(replica);
        // The first connection of a store also marks it as having held one: not part of the count.
        stub.request(firstRequest("commits-nse-1"));
        java.util.Set<String> earlier = ids(replica);

        long before = client.revision();
        Map<String, Long> callsBefore = kvCalls();
        Connection reply = stub.request(firstRequest("commits-nse-1"));
        Map<String, Long> calls = since(callsBefore);
        long after = client.revision();

        List<String> written = client.range(prefix + "/").entries().stream().filter(e -> e.modRevision() > before)
                .map(Entry::key).sorted().toList();
        String base = prefix + "/" + CLUSTER + "/";
        java.util.Set<String> now = ids(replica);
        now.removeAll(earlier);
        assertThat(now).hasSize(1);
        assertThat(written).as("keys the new connection wrote").containsExactlyInAnyOrder(
                base + "connections/" + now.iterator().next(),
                base + "claims/addresses/" + SERVICE + "/" + bare(reply.getContext().getIpContext().getDstIpAddrs(0)),
                base + "claims/addresses/" + SERVICE + "/" + bare(reply.getContext().getIpContext().getDstIpAddrs(1)),
                base + "claims/vlan/uplink:eth1/" + reply.getMechanism().getParametersOrThrow("vlan-id"));
        assertThat(after - before).as("etcd commits of one new connection (claims and PENDING record, APPLIED record)")
                .isEqualTo(2);
        assertThat(calls).as("etcd calls of one new connection, by method, on all members: no read, two transactions")
                .isEqualTo(Map.of("Txn", 2L));
        for (String key : written) {
            if (key.contains("/claims/")) {
                assertThat(client.get(key).orElseThrow().createRevision()).as("claim %s made with the PENDING record", key)
                        .isEqualTo(before + 1);
            }
        }
    }

    @Test
    void aValueAnotherReplicaClaimedFirstIsReplacedAtNoCommitAndNothingIsLeftBehind() throws Exception {
        // Two endpoints on separate uplinks, one held by each replica: only the service's addresses are common.
        String forA = null;
        String forB = null;
        for (int i = 1; forA == null || forB == null; i++) {
            String name = "commits-nse-" + i;
            String chosen = Rendezvous.choose(name, List.of("ensm-a", "ensm-b")).orElseThrow();
            if (chosen.equals("ensm-a") && forA == null) {
                forA = name;
            } else if (chosen.equals("ensm-b") && forB == null) {
                forB = name;
            }
        }
        List<EndpointDefinition> endpoints = List.of(endpoint(forA, "eth1"), endpoint(forB, "eth2"));
        EnsmRuntime a = replica("ensm-a", endpoints);
        EnsmRuntime b = replica("ensm-b", endpoints);
        awaitServing(a, forA);
        awaitServing(b, forB);
        // Each store's first connection marks the store as having held one: made first, outside the count.
        Connection fromA = stub(a).request(firstRequest(forA));

        long before = client.revision();
        // B's pools never saw A's connection: it picks the same first pair, which A's claims hold.
        Connection fromB = stub(b).request(firstRequest(forB));
        long after = client.revision();

        assertThat(fromB.getContext().getIpContext().getDstIpAddrsList())
                .as("B's endpoint addresses").doesNotContainAnyElementsOf(fromA.getContext().getIpContext().getDstIpAddrsList());
        assertThat(after - before).as("commits of B's Request: the refused write made none; record with claims, APPLIED")
                .isEqualTo(2);
        String base = prefix + "/" + CLUSTER + "/";
        String idA = ids(a).iterator().next();
        String idB = ids(b).iterator().next();
        List<String> holders = client.range(base + "claims/").entries().stream().map(Entry::valueUtf8).distinct().sorted().toList();
        assertThat(holders).as("every claim names one of the two connections").containsExactlyInAnyOrder(idA, idB);
        for (String address : fromA.getContext().getIpContext().getDstIpAddrsList()) {
            assertThat(client.get(base + "claims/addresses/" + SERVICE + "/" + bare(address)).orElseThrow().valueUtf8())
                    .isEqualTo(idA);
        }
        for (String address : fromB.getContext().getIpContext().getDstIpAddrsList()) {
            assertThat(client.get(base + "claims/addresses/" + SERVICE + "/" + bare(address)).orElseThrow().valueUtf8())
                    .isEqualTo(idB);
        }
        assertThat(client.keys(base + "connections/")).containsExactlyInAnyOrder(base + "connections/" + idA,
                base + "connections/" + idB);
    }

    /**
     * Key-value calls the members answered so far, by method, from their own metrics
     * ({@code grpc_server_started_total}): reads and writes of every client, the test's own included.
     */
    private Map<String, Long> kvCalls() throws Exception {
        Map<String, Long> calls = new java.util.TreeMap<>();
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            for (java.net.URI member : cluster.endpoints()) {
                String metrics = http.send(java.net.http.HttpRequest.newBuilder(member.resolve("/metrics")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                var m = java.util.regex.Pattern.compile("(?m)^grpc_server_started_total\\{grpc_method=\"(\\w+)\","
                        + "grpc_service=\"etcdserverpb.KV\",[^}]*} (\\d+)$").matcher(metrics);
                while (m.find()) {
                    calls.merge(m.group(1), Long.parseLong(m.group(2)), Long::sum);
                }
            }
        }
        return calls;
    }

    /** Calls made since {@code before}, by method, leaving out methods not called. */
    private Map<String, Long> since(Map<String, Long> before) throws Exception {
        Map<String, Long> now = kvCalls();
        Map<String, Long> made = new java.util.TreeMap<>();
        now.forEach((method, n) -> {
            long d = n - before.getOrDefault(method, 0L);
            if (d != 0) {
                made.put(method, d);
            }
        });
        return made;
    }

    /** The ids of the connections the replica serves. */
    private static java.util.Set<String> ids(EnsmRuntime runtime) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        runtime.connections().all().forEach(c -> ids.add(c.id()));
        return ids;
    }

    private EnsmRuntime replica(String name, List<EndpointDefinition> endpoints) {
        var opener = Stores.opener("etcd", Map.of("endpoints", cluster.endpointList(), "prefix", prefix), dataDir.resolve(name), CLUSTER);
        EnsmRuntime runtime = EnsmRuntime.launch(settings(name, "127.0.0.1:" + registry.port(), endpoints), opener,
                EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC(), new SimpleMeterRegistry());
        open.add(runtime);
        return runtime;
    }

    private NetworkServiceGrpc.NetworkServiceBlockingStub stub(EnsmRuntime runtime) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
        open.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(Duration.ofSeconds(15));
    }

    private static EndpointDefinition endpoint(String name, String uplink) {
        return new EndpointDefinition(new EndpointSpec(name, SERVICE, Map.of("site", "commits")), "preprovisioned",
                Map.of("uplink", uplink, "vlans", "100-199", "plans", "fabric-vlan"));
    }

    private static void awaitServing(EnsmRuntime runtime, String endpoint) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!runtime.serves(endpoint)) {
            assertThat(System.nanoTime()).as("%s served within 30 s", endpoint).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static EnsmSettings settings(String replica, String registryUrl, List<EndpointDefinition> endpoints) {
        List<String> cidrs = List.of("10.20.0.0/24", "fd00:c0::/64");
        return new EnsmSettings("ensm-commits", new InetSocketAddress("127.0.0.1", 0), "tcp://" + replica + ".commits.example:5003",
                registryUrl, Path.of("unused"), Duration.ofMinutes(10), Duration.ofHours(24), Duration.ofMinutes(1),
                Duration.ofSeconds(60), 1500, 5000, 5999, List.of(new ServiceSpec(SERVICE, Payload.IP, cidrs, List.of())),
                endpoints, null, Map.of(), List.of(), CLUSTER, OrphanPolicy.SWEEP, null, replica);
    }

    private static NetworkServiceRequest firstRequest(String endpoint) {
        String id = UUID.randomUUID().toString();
        Instant expires = Instant.now().plus(Duration.ofMinutes(10));
        Connection c = Connection.newBuilder()
                .setId(id)
                .setNetworkService(SERVICE)
                .setNetworkServiceEndpointName(endpoint)
                .setPath(io.ensm.api.connection.Path.newBuilder().setIndex(0).addPathSegments(PathSegment.newBuilder()
                        .setName("commits-nsc").setId(id)
                        .setExpires(Timestamp.newBuilder().setSeconds(expires.getEpochSecond()))))
                .build();
        return NetworkServiceRequest.newBuilder().setConnection(c)
                .addMechanismPreferences(Mechanism.newBuilder().setCls("REMOTE").setType("VLAN")).build();
    }

    private static String bare(String address) {
        return address.substring(0, address.indexOf('/'));
    }
}
