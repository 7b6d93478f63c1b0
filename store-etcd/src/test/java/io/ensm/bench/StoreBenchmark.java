package io.ensm.bench;

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
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.store.Persistence;
import io.ensm.core.store.StoreOpener;
import io.ensm.core.store.Stores;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.Trees;
import io.ensm.store.etcd.client.EtcdClient;
import io.ensm.store.etcd.client.EtcdSettings;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * New-connection and refresh latency of a complete ensm on the SQLite store and on the etcd store,
 * one after the other in one JVM, over real gRPC, with a bare etcd put and get on the same cluster
 * as the anchor of what one etcd commit costs here.
 *
 * <p>Not a unit test: {@code scripts/bench-store} starts the etcd test bed and runs it. Each store
 * gets its own ensm (one replica; on etcd it holds every endpoint through its leases) beside a
 * second ensm that is only the NSM registry, as replicas on a shared store need. Options as
 * {@code key=value}: {@code etcd} (required: client URLs), {@code connections} (10000),
 * {@code new-connections} (2000, measured one at a time), {@code refreshes} (10000, one at a time),
 * {@code warmup-connections} (500), {@code warmup-refreshes} (3000), {@code setup-callers} (8),
 * {@code endpoints} (3), {@code anchor-writes} (2000), {@code stores} (sqlite,etcd), {@code seed} (1).
 */
public final class StoreBenchmark {
    private static final String SERVICE = "bench-service";
    private static final String CLUSTER = "ensm-bench";
    private static final Duration CLIENT_EXPIRY = Duration.ofMinutes(10);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    private static final int VLANS_PER_UPLINK = 4094;

    private final Map<String, String> options;
    private final String etcd;
    private final int connections;
    private final int newConnections;
    private final int refreshes;
    /** Per store: how long after the last measured refresh its writes were all in the store. */
    private final java.util.Map<String, Duration> drained = new java.util.concurrent.ConcurrentHashMap<>();
    private final int warmupConnections;
    private final int warmupRefreshes;
    private final int setupCallers;
    private final int endpoints;
    private final int anchorWrites;
    private final List<String> stores;
    private final long seed;

    private StoreBenchmark(Map<String, String> options) {
        this.options = options;
        etcd = options.get("etcd");
        connections = intOption("connections", 10_000);
        newConnections = intOption("new-connections", 2000);
        refreshes = intOption("refreshes", 10_000);
        warmupConnections = intOption("warmup-connections", 500);
        warmupRefreshes = intOption("warmup-refreshes", 3000);
        setupCallers = intOption("setup-callers", 8);
        endpoints = intOption("endpoints", 3);
        anchorWrites = intOption("anchor-writes", 2000);
        stores = List.of(options.getOrDefault("stores", "sqlite,etcd").split(","));
        seed = intOption("seed", 1);
        if (stores.contains("etcd") && (etcd == null || etcd.isBlank())) {
            throw new IllegalArgumentException("etcd=<client URLs> is required for the etcd store");
        }
        if (newConnections > connections) {
            throw new IllegalArgumentException("new-connections must not exceed connections");
        }
        if ((long) endpoints * VLANS_PER_UPLINK < connections) {
            throw new IllegalArgumentException(connections + " connections need at least "
                    + ((connections + VLANS_PER_UPLINK - 1) / VLANS_PER_UPLINK) + " endpoints");
        }
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("options are key=value, got '" + a + "'");
            }
            options.put(a.substring(0, eq), a.substring(eq + 1));
        }
        new StoreBenchmark(options).run();
    }

    /** One store's figures: sorted samples in nanoseconds. */
    private record Figures(String store, long[] request, long[] requestServer, long[] refresh, long[] refreshServer,
                           long[] refreshStore, Duration setup, int setupCount) {}

    private record Anchor(long[] puts, long[] gets) {}

    private void run() throws Exception {
        List<Figures> figures = new ArrayList<>();
        try (EnsmRuntime registry = EnsmRuntime.start(settings("registry", null, List.of()), dir -> new InMemoryConnectionStore(),
                EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC())) {
            String registryUrl = "127.0.0.1:" + registry.port();
            for (String store : stores) {
                System.err.println("bench-store: measuring the " + store + " store");
                figures.add(measure(store.strip(), registryUrl));
            }
        }
        Anchor anchor = stores.contains("etcd") ? anchor() : null;
        report(figures, anchor);
    }

    // ---- one store -----------------------------------------------------------------------------

    private Figures measure(String store, String registryUrl) throws Exception {
        Path dataDir = Files.createTempDirectory("ensm-bench-store-");
        Probe requestServer = new Probe(newConnections + 100);
        Probe refreshServer = new Probe(refreshes + 100);
        Probe refreshStore = new Probe(refreshes + 100);
        EnsmRuntime runtime = null;
        ManagedChannel channel = null;
        try {
            StoreOpener opener = switch (store) {
                case "sqlite" -> Stores.opener("sqlite", Map.of(), dataDir, CLUSTER);
                case "etcd" -> Stores.opener("etcd", Map.of("endpoints", etcd,
                        "prefix", "/ensm-bench-" + Long.toHexString(System.nanoTime())), dataDir, CLUSTER);
                default -> throw new IllegalArgumentException("stores: unknown store '" + store + "' (sqlite, etcd)");
            };
            StoreOpener timed = (self, meters, clock) -> {
                Persistence p = opener.open(self, meters, clock);
                return new Persistence(new TimedStore(p.connections(), refreshStore), p.ownership(), p.claims());
            };
            List<EndpointDefinition> definitions = new ArrayList<>();
            for (int e = 0; e < endpoints; e++) {
                definitions.add(new EndpointDefinition(new EndpointSpec(endpointName(e), SERVICE, Map.of("site", "bench")),
                        "preprovisioned", Map.of("uplink", "eth" + (e + 1), "vlans", "1-" + VLANS_PER_UPLINK, "plans", "fabric-vlan")));
            }
            // Server time of each call: one interceptor per phase, each probe recording only while started.
            runtime = EnsmRuntime.launch(settings("bench-" + store, registryUrl, definitions), timed,
                    EnsmRuntime.Transport.plaintext(List.of(new ServerTiming(requestServer), new ServerTiming(refreshServer))),
                    Clock.systemUTC(),
                    new SimpleMeterRegistry());
            awaitServing(runtime);
            channel = NettyChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
            ManagedChannel ch = channel;

            // Warm-up: the measured calls (new connection, refresh, close) before any sample.
            byte[][] warm = new byte[warmupConnections][];
            establish(ch, warm, 0, warmupConnections, setupCallers);
            refreshLoop(ch, warm, 0, warmupConnections, warmupRefreshes, new SplittableRandom(seed), null);
            for (byte[] w : warm) {
                stub(ch).close(Connection.parseFrom(w));
            }
            check(runtime.connections().size() == 0, store + ": warm-up connections are still live");

            byte[][] replies = new byte[connections][];
            long[] request = new long[newConnections];
            requestServer.start();
            for (int i = 0; i < newConnections; i++) {
                NetworkServiceRequest r = firstRequest(i, endpointName(i % endpoints));
                var s = stub(ch);
                long t0 = System.nanoTime();
                Connection reply = s.request(r);
                request[i] = System.nanoTime() - t0;
                replies[i] = reply.toByteArray();
            }
            long[] requestServerSamples = requestServer.stop();
            long t0 = System.nanoTime();
            establish(ch, replies, newConnections, connections, setupCallers);
            Duration setup = Duration.ofNanos(System.nanoTime() - t0);
            check(runtime.connections().size() == connections, store + ": expected " + connections + " live connections, found "
                    + runtime.connections().size());

            refreshLoop(ch, replies, 0, connections, warmupRefreshes, new SplittableRandom(seed + 1), null);
            long[] refresh = new long[refreshes];
            refreshServer.start();
            refreshStore.start();
            refreshLoop(ch, replies, 0, connections, refreshes, new SplittableRandom(seed + 2), refresh);
            // Refreshes the stored expiry covers are written behind their replies: the run is only
            // over when the store has them all.
            long drainStart = System.nanoTime();
            int left = runtime.connections().flush(Duration.ofSeconds(60));
            check(left == 0, store + ": " + left + " refresh writes still queued after 60 s");
            drained.put(store, Duration.ofNanos(System.nanoTime() - drainStart));
            long[] refreshServerSamples = refreshServer.stop();
            long[] refreshStoreSamples = refreshStore.stop();
            check(runtime.connections().size() == connections, store + ": connections were lost while refreshing");
            Arrays.sort(request);
            Arrays.sort(refresh);
            return new Figures(store, request, requestServerSamples, refresh, refreshServerSamples, refreshStoreSamples,
                    setup, connections - newConnections);
        } finally {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            if (runtime != null) {
                runtime.close();
            }
            Trees.delete(dataDir);
        }
    }

    private void awaitServing(EnsmRuntime runtime) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int e = 0; e < endpoints; e++) {
            while (!runtime.serves(endpointName(e))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("ensm does not serve " + endpointName(e) + " after 60 s");
                }
                Thread.sleep(50);
            }
        }
    }

    private static EnsmSettings settings(String replica, String registryUrl, List<EndpointDefinition> endpoints) {
        List<String> cidrs = List.of("10.0.0.0/15", "fd00:e5::/64"); // 10,000 pairs need 20,000 IPv4 addresses
        return new EnsmSettings("ensm-bench", new InetSocketAddress("127.0.0.1", 0), "tcp://" + replica + ".bench.example:5003",
                registryUrl, Path.of("unused"), Duration.ofMinutes(10), Duration.ofHours(24), Duration.ofMinutes(1),
                Duration.ofSeconds(60), 1500, 5000, 5999, List.of(new ServiceSpec(SERVICE, Payload.IP, cidrs, List.of())),
                endpoints, null, Map.of(), List.of(), CLUSTER, OrphanPolicy.SWEEP, null, replica);
    }

    private static String endpointName(int e) {
        return "bench-nse-" + (e + 1);
    }

    private static NetworkServiceGrpc.NetworkServiceBlockingStub stub(ManagedChannel channel) {
        return NetworkServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_TIMEOUT);
    }

    /** A new connection as an NSC sends it: its own path segment with a 10-minute expiry, VLAN preferred. */
    private static NetworkServiceRequest firstRequest(int index, String endpoint) {
        String id = UUID.randomUUID().toString();
        Connection c = Connection.newBuilder()
                .setId(id)
                .setNetworkService(SERVICE)
                .setNetworkServiceEndpointName(endpoint)
                .putLabels("app", "bench")
                .setPath(io.ensm.api.connection.Path.newBuilder().setIndex(0).addPathSegments(PathSegment.newBuilder()
                        .setName("bench-nsc-" + index).setId(id).setExpires(timestamp(Instant.now().plus(CLIENT_EXPIRY)))))
                .build();
        return NetworkServiceRequest.newBuilder()
                .setConnection(c)
                .addMechanismPreferences(Mechanism.newBuilder().setCls("REMOTE").setType("VLAN"))
                .build();
    }

    /** An NSC refresh: the connection as last returned, the caller's expiry renewed, the mechanism in use. */
    private static NetworkServiceRequest refreshRequest(Connection last) {
        io.ensm.api.connection.Path path = last.getPath();
        PathSegment own = path.getPathSegments(path.getIndex()).toBuilder()
                .setExpires(timestamp(Instant.now().plus(CLIENT_EXPIRY))).build();
        return NetworkServiceRequest.newBuilder()
                .setConnection(last.toBuilder().setPath(path.toBuilder().setPathSegments(path.getIndex(), own)))
                .addMechanismPreferences(last.getMechanism())
                .build();
    }

    private void establish(ManagedChannel channel, byte[][] into, int from, int to, int callers) throws Exception {
        AtomicInteger next = new AtomicInteger(from);
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                done.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                        into[i] = stub(channel).request(firstRequest(i, endpointName(i % endpoints))).toByteArray();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    private static void refreshLoop(ManagedChannel channel, byte[][] state, int from, int to, int count, SplittableRandom random,
                                    long[] nanos) throws Exception {
        for (int n = 0; n < count; n++) {
            int i = from + random.nextInt(to - from);
            Connection last = Connection.parseFrom(state[i]);
            NetworkServiceRequest request = refreshRequest(last);
            var s = stub(channel);
            long t0 = System.nanoTime();
            Connection reply = s.request(request);
            long took = System.nanoTime() - t0;
            if (nanos != null) {
                nanos[n] = took;
            }
            if (!reply.getMechanism().equals(last.getMechanism()) || !reply.getContext().equals(last.getContext())
                    || !reply.getId().equals(last.getId())) {
                throw new IllegalStateException("refresh of " + last.getId() + " changed the connection: " + reply);
            }
            state[i] = reply.toByteArray();
        }
    }

    // ---- anchor --------------------------------------------------------------------------------

    /** One bare put and one bare get at a time on the same cluster: what one etcd commit and one read cost here. */
    private Anchor anchor() {
        System.err.println("bench-store: measuring bare etcd puts and gets");
        try (EtcdClient client = EtcdClient.connect(EtcdSettings.parse(etcd))) {
            String prefix = "/ensm-bench-anchor-" + Long.toHexString(System.nanoTime()) + "/";
            byte[] value = new byte[400];
            new SplittableRandom(seed).nextBytes(value);
            int warm = Math.min(500, anchorWrites);
            for (int i = 0; i < warm; i++) {
                client.put(prefix + (i % 100), value);
                client.get(prefix + (i % 100));
            }
            long[] puts = new long[anchorWrites];
            long[] gets = new long[anchorWrites];
            for (int i = 0; i < anchorWrites; i++) {
                long t0 = System.nanoTime();
                client.put(prefix + (i % 1000), value);
                puts[i] = System.nanoTime() - t0;
            }
            for (int i = 0; i < anchorWrites; i++) {
                long t0 = System.nanoTime();
                client.get(prefix + (i % 1000));
                gets[i] = System.nanoTime() - t0;
            }
            client.deletePrefix(prefix);
            Arrays.sort(puts);
            Arrays.sort(gets);
            return new Anchor(puts, gets);
        }
    }

    // ---- report --------------------------------------------------------------------------------

    private void report(List<Figures> figures, Anchor anchor) {
        double[] load = loadAverage();
        StringBuilder s = new StringBuilder();
        s.append("## ensm store benchmark: SQLite and etcd\n\n");
        s.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ').append(Runtime.version())
                .append("; JVM flags: ").append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())).append('\n');
        s.append("- CPUs: ").append(Runtime.getRuntime().availableProcessors()).append("; OS: ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(String.format(Locale.ROOT, "; load average at the end: %.2f %.2f %.2f%n", load[0], load[1], load[2]));
        s.append("- connections: ").append(connections).append(" over ").append(endpoints)
                .append(" preprovisioned endpoints (fabric-vlan, dual-stack); ").append(newConnections)
                .append(" new connections and ").append(refreshes).append(" refreshes measured one at a time\n");
        if (etcd != null) {
            s.append("- etcd: ").append(etcd.split(",").length).append(" members at ").append(etcd).append('\n');
        }
        for (Figures f : figures) {
            s.append(String.format(Locale.ROOT, "- %s: the other %d connections set up by %d callers in %.1f s (%.0f/s)%n", f.store,
                    f.setupCount, setupCallers, f.setup.toNanos() / 1e9, f.setupCount / Math.max(1e-9, f.setup.toNanos() / 1e9)));
        }
        s.append('\n');
        s.append("| latency (µs) | samples | p50 | p90 | p99 | p99.9 | max |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (Figures f : figures) {
            s.append(row("**new connection, " + f.store + ", round trip**", f.request));
            s.append(row("new connection, " + f.store + ", ensm server time", f.requestServer));
        }
        for (Figures f : figures) {
            s.append(row("**refresh, " + f.store + ", round trip**", f.refresh));
            s.append(row("refresh, " + f.store + ", ensm server time", f.refreshServer));
            s.append(row("refresh, " + f.store + ", store write (a call of the writer)", f.refreshStore));
        }
        for (Figures f : figures) {
            Duration d = drained.get(f.store);
            s.append(String.format(Locale.ROOT, "- %s: %d store calls of the refresh writer for %d refreshes (written behind"
                    + " the replies when the stored expiry covers the caller's next refresh; the latest per connection, several"
                    + " per commit where the store can); the last landed %d ms after the last reply%n", f.store,
                    f.refreshStore.length, refreshes, d == null ? -1 : d.toMillis()));
        }
        if (anchor != null) {
            s.append(row("anchor: bare etcd put (400 B), one at a time", anchor.puts));
            s.append(row("anchor: bare etcd get, one at a time", anchor.gets));
        }
        s.append('\n');
        Figures sqlite = find(figures, "sqlite");
        Figures etcdFigures = find(figures, "etcd");
        if (sqlite != null && etcdFigures != null) {
            for (double p : new double[] {50, 90, 99}) {
                double ratio = (double) percentile(etcdFigures.request, p) / percentile(sqlite.request, p);
                s.append(String.format(Locale.ROOT, "- new connection p%.0f, etcd / SQLite: %.2fx (target <= 1.5x: %s)%n", p, ratio,
                        ratio <= 1.5 ? "met" : "missed"));
            }
        }
        if (etcdFigures != null) {
            long p99 = percentile(etcdFigures.refresh, 99);
            s.append(String.format(Locale.ROOT, "- refresh p99 on etcd with %d connections: %.2f ms (target <= 5 ms: %s)%n",
                    connections, p99 / 1e6, p99 <= 5_000_000 ? "met" : "missed"));
        }
        System.out.print(s);
        System.out.flush();
    }

    private static Figures find(List<Figures> figures, String store) {
        return figures.stream().filter(f -> f.store.equals(store)).findFirst().orElse(null);
    }

    private static double[] loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
        } catch (Exception e) {
            double one = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return new double[] {one, Double.NaN, Double.NaN};
        }
    }

    private static String row(String label, long[] sorted) {
        if (sorted.length == 0) {
            return "| " + label + " | 0 | | | | | |\n";
        }
        return "| " + label + " | " + sorted.length + " | " + micros(percentile(sorted, 50)) + " | " + micros(percentile(sorted, 90))
                + " | " + micros(percentile(sorted, 99)) + " | " + micros(percentile(sorted, 99.9))
                + " | " + micros(sorted[sorted.length - 1]) + " |\n";
    }

    /** Nearest-rank percentile of sorted samples. */
    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.0f", nanos / 1000.0);
    }

    private static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    private int intOption(String key, int fallback) {
        String v = options.get(key);
        return v == null ? fallback : Integer.parseInt(v);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }
}
