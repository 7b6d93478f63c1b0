package io.ensm.app.reliability;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.MonitorConnectionGrpc;
import io.ensm.api.connection.MonitorScopeSelector;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.api.registry.NetworkServiceEndpoint;
import io.ensm.api.registry.NetworkServiceEndpointQuery;
import io.ensm.api.registry.NetworkServiceEndpointRegistryGrpc;
import io.ensm.app.e2e.EnsmProcess;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.Requests;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdSettings;
import io.ensm.store.etcd.record.ConnectionRecord;
import io.ensm.store.etcd.testbed.EtcdCluster;
import io.ensm.store.etcd.testbed.EtcdClusterExtension;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Three ensm replicas (their own JVMs) on a real three-member etcd cluster, with three real
 * netconfd boxes (box-1..box-3, each behind an uplink of its own) and an in-process NSM registry.
 * Reads the boxes through OpenSSH and the store with an etcd client of its own, independently of
 * the service.
 */
final class ReplicaBed implements AutoCloseable {
    static final Duration LEASE_TTL = Duration.ofSeconds(5);
    static final List<String> REPLICAS = List.of("ensm-a", "ensm-b", "ensm-c");
    static final List<String> BOXES = List.of("box-1", "box-2", "box-3");
    /** The service {@link #withSegment} adds: one shared segment served by an endpoint on each box's eth2. */
    static final String SEGMENT_SERVICE = "lan";
    static final List<String> SEGMENT_ENDPOINTS = List.of("lan-1", "lan-2", "lan-3");
    /** The segment's VLAN pool, behind one uplink for the three boxes, apart from the boxes' own pools. */
    static final String SEGMENT_UPLINK = "ens-up-seg";
    private static final Pattern SERVED_BY = Pattern.compile("served by ensm replica '([^']+)'");

    private final Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Map<String, EnsmProcess> replicas = new LinkedHashMap<>();
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final List<NetconfBox> boxes = new ArrayList<>();
    private final Map<String, String> lastAbort = new ConcurrentHashMap<>();
    private List<String> replicaNames = REPLICAS;
    private EtcdCluster etcd;
    private String prefix;
    private ManagedChannel registryChannel;
    private long startedNanos;

    private ReplicaBed(Path dir) {
        this.dir = dir;
    }

    /** The etcd cluster, three boxes from {@code boxBasePort} (five ports each) and three replicas on them. */
    static ReplicaBed start(Path dir, String role, int boxBasePort) {
        return start(dir, role, boxBasePort, p -> {});
    }

    /** As {@link #start(Path, String, int)}, with the replicas' settings changed by {@code adjust} first. */
    static ReplicaBed start(Path dir, String role, int boxBasePort, java.util.function.Consumer<Map<String, String>> adjust) {
        return start(dir, role, boxBasePort, adjust, (name, settings) -> {});
    }

    /**
     * As {@link #start(Path, String, int, java.util.function.Consumer)}, with each replica's own
     * settings (say, its host's forwarder) added by {@code perReplica} (replica name, its settings).
     */
    static ReplicaBed start(Path dir, String role, int boxBasePort, java.util.function.Consumer<Map<String, String>> adjust,
                            java.util.function.BiConsumer<String, Map<String, String>> perReplica) {
        return start(dir, role, boxBasePort, REPLICAS.size(), BOXES.size(), adjust, perReplica);
    }

    /** As {@link #start(Path, String, int, java.util.function.Consumer)} with the first {@code replicaCount} replicas and {@code boxCount} boxes. */
    static ReplicaBed start(Path dir, String role, int boxBasePort, int replicaCount, int boxCount,
                            java.util.function.Consumer<Map<String, String>> adjust) {
        return start(dir, role, boxBasePort, replicaCount, boxCount, adjust, (name, settings) -> {});
    }

    private static ReplicaBed start(Path dir, String role, int boxBasePort, int replicaCount, int boxCount,
                                    java.util.function.Consumer<Map<String, String>> adjust,
                                    java.util.function.BiConsumer<String, Map<String, String>> perReplica) {
        ReplicaBed bed = new ReplicaBed(dir);
        bed.replicaNames = REPLICAS.subList(0, replicaCount);
        try {
            bed.etcd = EtcdClusterExtension.startOrSkip();
            for (int i = 0; i < boxCount; i++) {
                bed.boxes.add(NetconfBox.start(role + "-" + (i + 1), boxBasePort + 5 * i));
            }
            bed.prefix = "/test/" + role + "/" + System.nanoTime();
            EnsmRuntime registry = bed.registry();
            bed.registryChannel = NettyChannelBuilder.forTarget("127.0.0.1:" + registry.port()).usePlaintext().build();
            Map<String, String> settings = bed.settings(registry.port());
            adjust.accept(settings);
            bed.startReplicas(settings, perReplica);
            return bed;
        } catch (RuntimeException | Error e) {
            bed.close();
            throw e;
        }
    }

    EtcdCluster etcd() {
        return etcd;
    }

    NetconfBox box(int i) {
        return boxes.get(i);
    }

    NetconfBox box(String name) {
        return boxes.get(BOXES.indexOf(name));
    }

    EnsmProcess replica(String name) {
        return replicas.get(name);
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

    private Map<String, String> settings(int registryPort) {
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
        // refreshed every 2 s: a replica paused past its lease always has a refresh due when it wakes
        p.put("ensm.registry.expiry", "3s");
        for (int i = 0; i < boxes.size(); i++) {
            // each box behind an uplink of its own: VLAN ids are not shared between boxes
            Lab.netconfEndpoint(p, i, BOXES.get(i), boxes.get(i), "eth1", "ens-up-" + (i + 1), "10.9" + i + ".0.0/24");
            String e = "ensm.endpoints[" + i + "].backend.settings.";
            p.put(e + "vlans", "3300-3699");
            p.put(e + "connect-timeout", "2s");
            p.put(e + "rpc-timeout", "2s");
        }
        return p;
    }

    private void startReplicas(Map<String, String> shared, java.util.function.BiConsumer<String, Map<String, String>> perReplica) {
        for (String name : replicaNames) {
            Map<String, String> settings = new LinkedHashMap<>(shared);
            perReplica.accept(name, settings);
            EnsmProcess ensm = new EnsmProcess(dir.resolve(name), settings);
            ensm.property("ensm.replica", name).property("ensm.advertised-url", "tcp://" + ensm.target());
            // inert while the file names no step (PauseProbe)
            ensm.environment(PauseProbe.PAUSE_FILE, pauseFile(name).toString());
            replicas.put(name, ensm);
        }
        replicas.values().forEach(EnsmProcess::start);
        startedNanos = System.nanoTime();
    }

    /**
     * Waits until the endpoints have moved to their chosen replicas: a replica gets its share two
     * lease TTLs after the others first see it, so the first one holds everything until then.
     */
    void settle() {
        long until = startedNanos + LEASE_TTL.multipliedBy(2).plusSeconds(2).toNanos();
        long left = until - System.nanoTime();
        if (left > 0) {
            NetconfBox.sleep(left / 1_000_000);
        }
    }

    /** The file that names the step the replica's Requests and Closes stop at (PauseProbe); absent: none. */
    Path pauseFile(String replica) {
        return dir.resolve(replica + ".pause");
    }

    /** Starts a killed replica again on its port; calls go through a new channel (the old one may be backing off). */
    void restart(String replica) {
        ManagedChannel old = channels.remove(replica);
        if (old != null) {
            old.shutdownNow();
        }
        replicas.get(replica).start();
    }

    NetworkServiceGrpc.NetworkServiceBlockingStub ns(String replica) {
        ManagedChannel c = channels.computeIfAbsent(replica,
                r -> NettyChannelBuilder.forTarget(replicas.get(r).target()).usePlaintext().build());
        return NetworkServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    /** The connections the replica's MonitorConnections shows first (its initial state), by the event's keys. */
    Map<String, Connection> monitored(String replica) {
        ManagedChannel c = channels.computeIfAbsent(replica,
                r -> NettyChannelBuilder.forTarget(replicas.get(r).target()).usePlaintext().build());
        Map<String, Connection> out = new TreeMap<>();
        try (io.grpc.Context.CancellableContext call = io.grpc.Context.current().withCancellation()) {
            call.run(() -> {
                var events = MonitorConnectionGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .monitorConnections(MonitorScopeSelector.getDefaultInstance());
                ConnectionEvent initial = events.next();
                out.putAll(initial.getConnectionsMap());
            });
        }
        return out;
    }

    static NetworkServiceRequest request(String endpoint) {
        return Requests.request().service(serviceOf(endpoint)).endpoint(endpoint).mechanisms(Requests.vlan())
                .expires(Instant.now().plus(Duration.ofMinutes(10))).build();
    }

    /** The service an endpoint of the bed serves: its box's own, or the shared segment. */
    static String serviceOf(String endpoint) {
        return SEGMENT_ENDPOINTS.contains(endpoint) ? SEGMENT_SERVICE : endpoint + "-net";
    }

    /** The box an endpoint of the bed is on. */
    static String boxOf(String endpoint) {
        int segment = SEGMENT_ENDPOINTS.indexOf(endpoint);
        return segment < 0 ? endpoint : BOXES.get(segment);
    }

    /**
     * Settings adding the shared segment {@link #SEGMENT_SERVICE} to the boxes' own services: one
     * endpoint per box on its port eth2, all behind {@link #SEGMENT_UPLINK}, so whichever replica
     * serves each must agree on one VLAN id.
     */
    static void withSegment(Map<String, String> p) {
        int service = BOXES.size();
        p.put("ensm.services[" + service + "].name", SEGMENT_SERVICE);
        p.put("ensm.services[" + service + "].cidrs[0]", "10.77.0.0/24");
        p.put("ensm.services[" + service + "].segment.gateways[0]", "10.77.0.1");
        for (int i = 0; i < SEGMENT_ENDPOINTS.size(); i++) {
            String box = "ensm.endpoints[" + i + "].";
            String e = "ensm.endpoints[" + (BOXES.size() + i) + "].";
            p.put(e + "name", SEGMENT_ENDPOINTS.get(i));
            p.put(e + "service", SEGMENT_SERVICE);
            // the box's own connection settings, on another port and pool
            Map<String, String> copied = new LinkedHashMap<>();
            p.forEach((k, v) -> {
                if (k.startsWith(box + "backend.")) {
                    copied.put(e + k.substring(box.length()), v);
                }
            });
            p.putAll(copied);
            p.put(e + "backend.settings.port-name", "eth2");
            p.put(e + "backend.settings.uplink", SEGMENT_UPLINK);
            p.put(e + "backend.settings.vlans", "3700-3799");
        }
    }

    /** The replica a refusal names as the box's server, if any. */
    static Optional<String> servedBy(StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
            return Optional.empty();
        }
        Matcher m = SERVED_BY.matcher(String.valueOf(e.getStatus().getDescription()));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The replica serving the box, as the replicas say (one answers a Request, the others name it). */
    String holderOf(String box, List<String> among, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            for (String r : among) {
                try {
                    Connection probe = ns(r).withDeadlineAfter(10, TimeUnit.SECONDS).request(request(box));
                    ns(r).close(probe);
                    return r;
                } catch (StatusRuntimeException e) {
                    // UNAVAILABLE: another serves it (asked in turn), or this one is down or still adopting the box;
                    // DEADLINE_EXCEEDED: a paused replica; ABORTED: the box's lock is busy (remembered for the caller)
                    switch (e.getStatus().getCode()) {
                        case UNAVAILABLE, DEADLINE_EXCEEDED -> { }
                        case ABORTED -> lastAbort.put(box, String.valueOf(e.getStatus().getDescription()));
                        default -> throw e;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no replica of " + among + " served " + box + " within " + within);
            }
            NetconfBox.sleep(100);
        }
    }

    /** The description of the last ABORTED answer {@link #holderOf} got for the box, if any. */
    Optional<String> lastAbort(String box) {
        return Optional.ofNullable(lastAbort.get(box));
    }

    void forgetAborts() {
        lastAbort.clear();
    }

    /** The keys under the cluster's {@code under} (e.g. {@code claims/}), read with a client of the test's own. */
    List<String> keys(String under) {
        String base = prefix + "/ensm-reliability/";
        try (EtcdClient client = EtcdClient.connect(EtcdSettings.of(etcd.endpoints()))) {
            return client.keys(base + under).stream().map(k -> k.substring(base.length())).toList();
        }
    }

    /** What the etcd store holds of one connection. */
    record Stored(String id, String endpoint, String phase, int vlan, List<String> clientAddrs) {}

    /** The connection records in etcd, read with a client of the test's own: id -> record. */
    Map<String, Stored> stored() {
        String dirKey = prefix + "/ensm-reliability/connections/";
        Map<String, Stored> out = new TreeMap<>();
        try (EtcdClient client = EtcdClient.connect(EtcdSettings.of(etcd.endpoints()))) {
            for (var e : client.range(dirKey).entries()) {
                String id = e.key().substring(dirKey.length());
                try {
                    ConnectionRecord r = ConnectionRecord.parseFrom(e.value());
                    out.put(id, new Stored(id, r.getEndpoint(), r.getPhase(), r.getVlanId(), List.copyOf(r.getClientAddrsList())));
                } catch (com.google.protobuf.InvalidProtocolBufferException x) {
                    out.put(id, new Stored(id, "?", "unreadable: " + x.getMessage(), 0, List.of()));
                }
            }
        }
        return out;
    }

    /** Ids of the connection records in etcd. */
    Set<String> storedIds() {
        return new TreeSet<>(stored().keySet());
    }

    /** Ids marked on every box. */
    Set<String> markedIds() {
        Set<String> out = new TreeSet<>();
        boxes.forEach(b -> out.addAll(b.marked().keySet()));
        return out;
    }

    /** The URL under which the registry finds the box's NSE; empty when it has none. */
    List<String> registeredUrls(String box) {
        List<String> urls = new ArrayList<>();
        NetworkServiceEndpointRegistryGrpc.newBlockingStub(registryChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .find(NetworkServiceEndpointQuery.newBuilder().setNetworkServiceEndpoint(NetworkServiceEndpoint.newBuilder().setName(box)).build())
                .forEachRemaining(r -> urls.add(r.getNetworkServiceEndpoint().getUrl()));
        return urls;
    }

    static boolean waitFor(Duration limit, BooleanSupplier done) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (done.getAsBoolean()) {
                return true;
            }
            NetconfBox.sleep(200);
        }
        return done.getAsBoolean();
    }

    @Override
    public void close() {
        for (ManagedChannel c : channels.values()) {
            c.shutdownNow();
        }
        if (registryChannel != null) {
            registryChannel.shutdownNow();
        }
        for (EnsmProcess r : replicas.values()) {
            resume(r);
            r.kill();
        }
        for (AutoCloseable c : open.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                // keep closing the rest
            }
        }
        for (NetconfBox b : boxes) {
            b.close();
        }
    }

    /** SIGCONT, in case a test left the replica stopped (a stopped JVM still dies of SIGKILL; this keeps it simple). */
    private static void resume(EnsmProcess r) {
        if (r.isAlive()) {
            io.ensm.core.testing.Cmd.run("kill", "-CONT", Long.toString(r.pid()));
        }
    }
}
