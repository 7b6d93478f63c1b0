package io.ensm.app.reliability;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.app.e2e.EnsmProcess;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.Requests;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdSettings;
import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three ensm replicas (their own JVMs) on a real three-member etcd cluster, with three real
 * netconfd boxes: each box is served by one replica; when that replica is killed, another takes the
 * box over within the lease's TTL and a second, keeps every connection on it (nothing torn down)
 * and serves refreshes and new Requests for it. Boxes are read through OpenSSH, the store with an
 * etcd client of the tests' own, independently of the service.
 */
@Tag("netconf-testbed")
@Tag("etcd-testbed")
class ReplicaFailoverTest {
    private static final Duration LEASE_TTL = Duration.ofSeconds(5);
    private static final Pattern SERVED_BY = Pattern.compile("served by ensm replica '([^']+)'");
    private static final List<String> REPLICAS = List.of("ensm-a", "ensm-b", "ensm-c");

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<String, EnsmProcess> replicas = new LinkedHashMap<>();
    private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
    private final List<NetconfBox> boxes = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (ManagedChannel c : channels.values()) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        replicas.values().forEach(EnsmProcess::kill);
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
        for (NetconfBox b : boxes) {
            b.close();
        }
    }

    private EnsmRuntime registry() {
        EnsmSettings s = new EnsmSettings("registry", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null,
                dir.resolve("registry"), Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofHours(1), 1500, 1,
                1000, List.of(new ServiceSpec("registry-only", Payload.ETHERNET, List.of(), List.of())), List.of(), null, Map.of());
        EnsmRuntime r = EnsmRuntime.start(s, d -> new InMemoryConnectionStore(), EnsmRuntime.Transport.plaintext(List.of()),
                Clock.systemUTC());
        open.add(r);
        return r;
    }

    private Map<String, String> settings(EtcdCluster etcd, String prefix, int registryPort) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ensm.name", "ensm-replicas");
        // the boxes' read-back (NetconfBox.marked) counts the marks of the reliability lab's cluster
        p.put("ensm.cluster", "ensm-reliability");
        p.put("ensm.registry-url", "127.0.0.1:" + registryPort);
        p.put("ensm.store.type", "etcd");
        p.put("ensm.store.settings.endpoints", etcd.endpointList());
        p.put("ensm.store.settings.prefix", prefix);
        p.put("ensm.store.settings.lease-ttl", LEASE_TTL.toSeconds() + "s");
        p.put("ensm.reconcile-interval", "2s");
        for (int i = 0; i < boxes.size(); i++) {
            // each box behind an uplink of its own: VLAN ids are not shared between boxes
            Lab.netconfEndpoint(p, i, "box-" + (i + 1), boxes.get(i), "eth1", "ens-up-" + (i + 1), "10.9" + i + ".0.0/24");
            String e = "ensm.endpoints[" + i + "].backend.settings.";
            p.put(e + "vlans", "3530-3599");
            p.put(e + "connect-timeout", "2s");
            p.put(e + "rpc-timeout", "2s");
        }
        return p;
    }

    private void startReplicas(Map<String, String> settings) {
        for (String name : REPLICAS) {
            EnsmProcess ensm = new EnsmProcess(dir.resolve(name), settings);
            ensm.property("ensm.replica", name).property("ensm.advertised-url", "tcp://" + ensm.target());
            replicas.put(name, ensm);
        }
        replicas.values().forEach(EnsmProcess::start);
    }

    private NetworkServiceGrpc.NetworkServiceBlockingStub ns(String replica) {
        ManagedChannel c = channels.computeIfAbsent(replica,
                r -> NettyChannelBuilder.forTarget(replicas.get(r).target()).usePlaintext().build());
        return NetworkServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private static NetworkServiceRequest request(String box) {
        return Requests.request().service(box + "-net").endpoint(box).mechanisms(Requests.vlan())
                .expires(Instant.now().plus(Duration.ofMinutes(10))).build();
    }

    /** The replica serving the box, as the replicas say (one answers, the others name it). */
    private String holderOf(String box, List<String> among, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            for (String r : among) {
                try {
                    Connection probe = ns(r).request(request(box));
                    ns(r).close(probe);
                    return r;
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
                        throw e;
                    }
                    Matcher m = SERVED_BY.matcher(String.valueOf(e.getStatus().getDescription()));
                    if (m.find() && among.contains(m.group(1)) && !m.group(1).equals(r)) {
                        // ask the replica named next round; it may still be adopting the box
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no replica of " + among + " served " + box + " within " + within);
            }
            NetconfBox.sleep(100);
        }
    }

    private EtcdCluster etcd;
    private String prefix;

    /** The etcd cluster, three boxes and three replicas on them. */
    private void startAll() {
        etcd = EtcdClusterExtension.startOrSkip();
        for (int i = 0; i < 3; i++) {
            boxes.add(NetconfBox.start("replicas-" + (i + 1), 18820 + 5 * i));
        }
        prefix = "/test/replicas/" + System.nanoTime();
        startReplicas(settings(etcd, prefix, registry().port()));
    }

    /** Ids of the connection records in etcd, read with a client of the test's own. */
    private java.util.Set<String> storedIds() {
        String dirKey = prefix + "/ensm-reliability/connections/";
        try (EtcdClient client = EtcdClient.connect(EtcdSettings.of(etcd.endpoints()))) {
            return client.range(dirKey).entries().stream().map(e -> e.key().substring(dirKey.length()))
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        }
    }

    /** Ids marked on every box. */
    private java.util.Set<String> markedIds() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        boxes.forEach(b -> out.addAll(b.marked().keySet()));
        return out;
    }

    private static boolean waitFor(Duration limit, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            NetconfBox.sleep(200);
        }
        return done.getAsBoolean();
    }

    @Test
    void killingTheReplicaThatServesABoxMovesItWithinTheLeaseAndKeepsEveryConnection() throws Exception {
        startAll();

        String owner = holderOf("box-1", REPLICAS, Duration.ofSeconds(30));
        NetworkServiceRequest first = request("box-1");
        Connection reply = ns(owner).request(first);
        Connection second = ns(owner).request(request("box-1"));
        String id = Lab.ownId(reply);
        assertThat(boxes.get(0).marked().keySet()).containsExactlyInAnyOrder(id, Lab.ownId(second));
        Map<String, NetconfBox.Sub> before = boxes.get(0).marked();

        long t0 = System.nanoTime();
        replicas.get(owner).kill();
        List<String> others = REPLICAS.stream().filter(r -> !r.equals(owner)).toList();
        String taker = holderOf("box-1", others, LEASE_TTL.plusSeconds(15));
        Duration failover = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(boxes.get(0).marked()).as("every connection still on the box, as it was").isEqualTo(before);
        Connection refreshed = ns(taker).request(Requests.refreshOf(first, reply, Instant.now().plus(Duration.ofMinutes(10))));
        assertThat(Lab.ownId(refreshed)).isEqualTo(id);
        assertThat(refreshed.getMechanism().getParametersMap()).as("the same VLAN").isEqualTo(reply.getMechanism().getParametersMap());
        assertThat(replicas.get(taker).log()).contains("event=endpoint-held endpoint=box-1");
        assertThat(storedIds()).as("records in etcd").containsExactlyInAnyOrder(id, Lab.ownId(second));
        ns(taker).close(Lab.byOwnId(id));
        ns(taker).close(Lab.byOwnId(Lab.ownId(second)));
        assertThat(boxes.get(0).marked()).isEmpty();
        System.out.printf("replica failover: %s killed, %s served box-1 after %d ms (lease TTL %d s)%n", owner, taker,
                failover.toMillis(), LEASE_TTL.toSeconds());
        assertThat(failover).as("owner killed to a new owner serving").isLessThanOrEqualTo(LEASE_TTL.plusSeconds(1));
    }

    @Test
    void aReplicaPausedPastItsLeaseStepsDownWhenItWakesAndLeavesItsSuccessorsWorkAlone() throws Exception {
        startAll();
        String owner = holderOf("box-2", REPLICAS, Duration.ofSeconds(30));
        Connection old = ns(owner).request(request("box-2"));

        long pid = replicas.get(owner).pid();
        io.ensm.core.testing.Cmd.run("kill", "-STOP", Long.toString(pid));
        List<String> others = REPLICAS.stream().filter(r -> !r.equals(owner)).toList();
        String taker;
        Connection made;
        try {
            taker = holderOf("box-2", others, LEASE_TTL.plusSeconds(15));
            made = ns(taker).request(request("box-2"));
        } finally {
            io.ensm.core.testing.Cmd.run("kill", "-CONT", Long.toString(pid));
        }
        java.util.Set<String> expected = java.util.Set.of(Lab.ownId(old), Lab.ownId(made));
        assertThat(boxes.get(1).marked().keySet()).containsExactlyInAnyOrderElementsOf(expected);

        // Awake again: it must find out by itself and step down, writing nothing meanwhile.
        assertThat(waitFor(Duration.ofSeconds(15), () -> replicas.get(owner).log().contains("event=endpoint-released endpoint=box-2")))
                .as("the paused replica stepped down\n%s", replicas.get(owner).log()).isTrue();
        Thread.sleep(3 * 2000); // a few of its reconcile passes
        assertThat(boxes.get(1).marked().keySet()).as("the successor's connection is still on the box")
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(storedIds()).containsAll(expected);
        for (EnsmProcess r : replicas.values()) {
            assertThat(r.log()).as("no replica swept box-2").doesNotContain("event=orphans-removed endpoint=box-2");
        }
        // Back among the live replicas, it is rendezvous' choice for box-2 again and gets it back, with both connections.
        String finalHolder = holderOf("box-2", REPLICAS, Duration.ofSeconds(30));
        assertThat(boxes.get(1).marked().keySet()).containsExactlyInAnyOrderElementsOf(expected);
        for (String id : expected) {
            ns(finalHolder).close(Lab.byOwnId(id));
        }
        assertThat(boxes.get(1).marked()).as("both closed by replica %s, which took over from %s", finalHolder, taker).isEmpty();
    }

    @Test
    void theEtcdLeaderDyingDuringABurstOfRequestsLeavesNothingHalfProvisioned() throws Exception {
        startAll();
        java.util.Map<String, String> holder = new java.util.LinkedHashMap<>();
        for (String box : List.of("box-1", "box-2", "box-3")) {
            holder.put(box, holderOf(box, REPLICAS, Duration.ofSeconds(30)));
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<String>> outcomes = new ArrayList<>();
        int leader = etcd.leader();
        try {
            // 40 Requests spread over about 6 s; the leader dies after the first 8.
            for (int i = 0; i < 40; i++) {
                String box = "box-" + (1 + i % 3);
                outcomes.add(pool.submit(() -> {
                    long t = System.nanoTime();
                    try {
                        ns(holder.get(box)).withDeadlineAfter(15, TimeUnit.SECONDS).request(request(box));
                        return "ok";
                    } catch (StatusRuntimeException e) {
                        long ms = (System.nanoTime() - t) / 1_000_000;
                        assertThat(ms).as("refused within its deadline").isLessThanOrEqualTo(15_500);
                        return e.getStatus().getCode().name() + ": " + e.getStatus().getDescription();
                    }
                }));
                if (i == 8) {
                    etcd.kill(leader);
                }
                Thread.sleep(150);
            }
            List<String> codes = new ArrayList<>();
            for (var f : outcomes) {
                codes.add(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(codes).as("each Request succeeded or was refused as unavailable").allMatch(c -> c.equals("ok")
                    || c.startsWith("UNAVAILABLE"));
            assertThat(codes.subList(0, 8)).as("before the leader died").containsOnly("ok");
            System.out.printf("etcd leader killed during 40 Requests: %d ok, %d UNAVAILABLE; first refusal: %s%n",
                    codes.stream().filter("ok"::equals).count(), codes.stream().filter(c -> c.startsWith("UNAVAILABLE")).count(),
                    codes.stream().filter(c -> !c.equals("ok")).findFirst().orElse("none"));
        } finally {
            pool.shutdownNow();
            etcd.restart(leader);
        }
        assertThat(waitFor(Duration.ofSeconds(30), () -> storedIds().equals(markedIds())))
                .as("after the next passes, the boxes hold exactly what the store holds: store %s, boxes %s", storedIds(), markedIds())
                .isTrue();
    }
}
