package io.ensm.bench;

import com.google.protobuf.Timestamp;
import io.ensm.core.testing.Trees;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.store.SqliteConnectionStore;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Refresh latency and heap per connection of ensm's NSM endpoint with many live connections.
 *
 * <p>Not a unit test: run it with {@code scripts/bench-refresh}. It starts a complete
 * {@link EnsmRuntime} (SQLite store in a temporary directory, embedded registry, plaintext gRPC on
 * 127.0.0.1), establishes the connections over real gRPC the way an NSC does, and then refreshes
 * random live connections the way an NSC's refresh does (docs/benchmarks.md explains the method).
 *
 * <p>Options as {@code key=value} arguments: {@code connections} (10000), {@code endpoints} (3),
 * {@code warmup-connections} (500), {@code warmup-refreshes} (10000), {@code refreshes} (20000,
 * per phase), {@code callers} (4), {@code setup-callers} (8), {@code seed} (1).
 */
public final class RefreshBenchmark {
    private static final String SERVICE = "bench-service";
    private static final String ENSM_NAME = "ensm-bench";
    private static final Duration CLIENT_EXPIRY = Duration.ofMinutes(10);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    /** VLAN ids per uplink: a pool holds at most 4094 ids, so connections are spread over several uplinks. */
    private static final int VLANS_PER_UPLINK = 4094;

    private final int connections;
    private final int endpoints;
    private final int warmupConnections;
    private final int warmupRefreshes;
    private final int refreshes;
    private final int callers;
    private final int setupCallers;
    private final long seed;

    private EnsmRuntime runtime;
    private ManagedChannel channel;
    private Path dataDir;
    /** The client's state: the last reply per connection, serialized (what an NSC keeps to refresh). */
    private byte[][] replies;
    /** ensm's side of each refresh: server time per call, and the store write in it. */
    private Probe serverProbe;
    private Probe storeProbe;

    private RefreshBenchmark(Map<String, String> options) {
        connections = intOption(options, "connections", 10_000);
        endpoints = intOption(options, "endpoints", 3);
        warmupConnections = intOption(options, "warmup-connections", 500);
        warmupRefreshes = intOption(options, "warmup-refreshes", 10_000);
        refreshes = intOption(options, "refreshes", 20_000);
        callers = intOption(options, "callers", 4);
        setupCallers = intOption(options, "setup-callers", 8);
        seed = intOption(options, "seed", 1);
        if ((long) endpoints * VLANS_PER_UPLINK < Math.max(connections, warmupConnections)) {
            throw new IllegalArgumentException(connections + " connections need at least "
                    + ((connections + VLANS_PER_UPLINK - 1) / VLANS_PER_UPLINK) + " endpoints (one VLAN pool of "
                    + VLANS_PER_UPLINK + " ids per uplink)");
        }
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // One INFO line per new connection would measure the console, not ensm.
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
        new RefreshBenchmark(options).run();
    }

    private void run() throws Exception {
        dataDir = Files.createTempDirectory("ensm-bench-");
        try {
            start();
            report(measure());
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

    // ---- set-up --------------------------------------------------------------------------------

    private void start() {
        List<String> cidrs = List.of("10.0.0.0/15", "fd00:e5::/64"); // 10,000 pairs need 20,000 IPv4 addresses
        ServiceSpec service = new ServiceSpec(SERVICE, Payload.IP, cidrs, List.of());
        List<EndpointDefinition> definitions = new ArrayList<>();
        for (int e = 0; e < endpoints; e++) {
            definitions.add(new EndpointDefinition(new EndpointSpec(endpointName(e), SERVICE, Map.of("site", "bench")),
                    "preprovisioned", Map.of("uplink", "eth" + (e + 1), "vlans", "1-" + VLANS_PER_UPLINK, "plans", "fabric-vlan")));
        }
        EnsmSettings settings = new EnsmSettings(ENSM_NAME, new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null,
                dataDir, Duration.ofMinutes(10), Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofSeconds(60),
                1500, 5000, 5999, List.of(service), definitions, null, Map.of());
        serverProbe = new Probe(refreshes + 1000);
        storeProbe = new Probe(refreshes + 1000);
        runtime = EnsmRuntime.start(settings, dir -> new TimedStore(new SqliteConnectionStore(dir), storeProbe),
                EnsmRuntime.Transport.plaintext(List.of(new ServerTiming(serverProbe))), Clock.systemUTC());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
    }

    private static String endpointName(int e) {
        return "bench-nse-" + (e + 1);
    }

    private NetworkServiceGrpc.NetworkServiceBlockingStub stub() {
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

    /**
     * An NSC refresh: the connection as last returned (caller's id and index, both segments), the
     * caller's segment expiry renewed, and the mechanism in use as the only preference.
     */
    private static NetworkServiceRequest refreshRequest(Connection last) {
        io.ensm.api.connection.Path path = last.getPath();
        PathSegment own = path.getPathSegments(path.getIndex()).toBuilder()
                .setExpires(timestamp(Instant.now().plus(CLIENT_EXPIRY))).build();
        return NetworkServiceRequest.newBuilder()
                .setConnection(last.toBuilder().setPath(path.toBuilder().setPathSegments(path.getIndex(), own)))
                .addMechanismPreferences(last.getMechanism())
                .build();
    }

    /** Establishes connections [from, to) with a few concurrent callers, storing each reply. */
    private void establish(byte[][] into, int from, int to) throws Exception {
        AtomicInteger next = new AtomicInteger(from);
        try (ExecutorService pool = Executors.newFixedThreadPool(setupCallers)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < setupCallers; t++) {
                done.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                        Connection reply = stub().request(firstRequest(i, endpointName(i % endpoints)));
                        into[i] = reply.toByteArray();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    private void closeAll(byte[][] of, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            stub().close(Connection.parseFrom(of[i]));
            of[i] = null;
        }
    }

    // ---- measurement ---------------------------------------------------------------------------

    /** One measured phase: round trips seen by the client, ensm's server time, store writes, GC activity. */
    private record Latency(String label, long[] nanos, long wallNanos, long[] server, long[] store, long gcs, long gcMillis) {}

    private record GcCounters(long count, long millis) {
        static GcCounters now() {
            long c = 0;
            long t = 0;
            for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
                c += Math.max(0, b.getCollectionCount());
                t += Math.max(0, b.getCollectionTime());
            }
            return new GcCounters(c, t);
        }
    }

    private record Results(long heapBefore, long heapWithClient, long heapServerOnly, long clientBytes,
                           long dbBytes, long walBytes, List<Latency> latencies, Duration setup) {}

    private Results measure() throws Exception {
        // Warm-up: the same calls as measured (new connection, refresh, close) so that classes are
        // loaded, the JIT has compiled the path, and channels and thread pools exist before the baseline.
        byte[][] warm = new byte[warmupConnections][];
        establish(warm, 0, warmupConnections);
        refreshLoop(warm, 0, warmupConnections, warmupRefreshes, new SplittableRandom(seed), null);
        closeAll(warm, 0, warmupConnections);
        check(runtime.connections().size() == 0, "warm-up connections are still live");

        replies = new byte[connections][]; // allocated before the baseline: the client's array is not ensm's
        long heapBefore = settledHeap();
        long t0 = System.nanoTime();
        establish(replies, 0, connections);
        Duration setup = Duration.ofNanos(System.nanoTime() - t0);
        check(runtime.connections().size() == connections, "expected " + connections + " live connections, found "
                + runtime.connections().size());

        long heapWithClient = settledHeap();
        long clientBytes = retainedBytes(replies);
        // Release what the client holds so that only ensm's share remains, then take it back.
        Path parked = dataDir.resolve("client-replies.bin");
        park(replies, parked);
        Arrays.fill(replies, null);
        long heapServerOnly = settledHeap();
        unpark(replies, parked);
        Files.delete(parked);

        long dbBytes = sizeOf(dataDir.resolve(SqliteConnectionStore.FILE_NAME));
        long walBytes = sizeOf(dataDir.resolve(SqliteConnectionStore.FILE_NAME + "-wal"));

        List<Latency> latencies = new ArrayList<>();
        // Sequential: one caller, one refresh at a time: the service's own latency.
        refreshLoop(replies, 0, connections, warmupRefreshes, new SplittableRandom(seed + 1), null);
        long[] seq = new long[refreshes];
        GcCounters gc0 = GcCounters.now();
        serverProbe.start();
        storeProbe.start();
        long w0 = System.nanoTime();
        refreshLoop(replies, 0, connections, refreshes, new SplittableRandom(seed + 2), seq);
        long wall = System.nanoTime() - w0;
        GcCounters gc1 = GcCounters.now();
        latencies.add(new Latency("sequential", seq, wall, serverProbe.stop(), storeProbe.stop(),
                gc1.count - gc0.count, gc1.millis - gc0.millis));
        // Concurrent: each caller refreshes its own share of the connections, as separate NSCs would.
        latencies.add(concurrent(callers, refreshes));
        check(runtime.connections().size() == connections, "connections were lost while refreshing");
        return new Results(heapBefore, heapWithClient, heapServerOnly, clientBytes, dbBytes, walBytes, latencies, setup);
    }

    private Latency concurrent(int threads, int total) throws Exception {
        int per = total / threads;
        int share = connections / threads;
        long[][] samples = new long[threads][per];
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        long wall;
        GcCounters gc0;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int from = t * share;
                int to = t == threads - 1 ? connections : from + share;
                int caller = t;
                done.add(pool.submit(() -> {
                    refreshLoop(replies, from, to, warmupRefreshes / threads, new SplittableRandom(seed + 10 + caller), null);
                    ready.countDown();
                    go.await();
                    refreshLoop(replies, from, to, per, new SplittableRandom(seed + 20 + caller), samples[caller]);
                    return null;
                }));
            }
            ready.await();
            gc0 = GcCounters.now();
            serverProbe.start();
            storeProbe.start();
            long w0 = System.nanoTime();
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
            wall = System.nanoTime() - w0;
        }
        GcCounters gc1 = GcCounters.now();
        long[] all = Arrays.stream(samples).flatMapToLong(Arrays::stream).toArray();
        return new Latency(threads + " callers", all, wall, serverProbe.stop(), storeProbe.stop(),
                gc1.count - gc0.count, gc1.millis - gc0.millis);
    }

    /**
     * Refreshes {@code count} random connections among [from, to), one at a time, recording each
     * call's round trip into {@code nanos} when given. Only the gRPC call is timed; building the
     * request and keeping the reply are the client's work.
     */
    private void refreshLoop(byte[][] state, int from, int to, int count, SplittableRandom random, long[] nanos) throws Exception {
        for (int n = 0; n < count; n++) {
            int i = from + random.nextInt(to - from);
            Connection last = Connection.parseFrom(state[i]);
            NetworkServiceRequest request = refreshRequest(last);
            var stub = stub();
            long t0 = System.nanoTime();
            Connection reply = stub.request(request);
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

    // ---- heap ----------------------------------------------------------------------------------

    /** Used heap after full collections, once it stops shrinking. */
    private static long settledHeap() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
            best = Math.min(best, memory.getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    /** Bytes the client's reply arrays occupy: 16-byte array header plus data, 8-byte aligned. */
    private static long retainedBytes(byte[][] arrays) {
        long sum = 0;
        for (byte[] a : arrays) {
            sum += (16 + a.length + 7) & ~7L;
        }
        return sum;
    }

    private static void park(byte[][] arrays, Path file) throws IOException {
        try (OutputStream o = Files.newOutputStream(file); DataOutputStream out = new DataOutputStream(new BufferedOutputStream(o))) {
            for (byte[] a : arrays) {
                out.writeInt(a.length);
                out.write(a);
            }
        }
    }

    private static void unpark(byte[][] arrays, Path file) throws IOException {
        try (InputStream i = Files.newInputStream(file); DataInputStream in = new DataInputStream(new BufferedInputStream(i))) {
            for (int k = 0; k < arrays.length; k++) {
                arrays[k] = in.readNBytes(in.readInt());
            }
        }
    }

    // ---- report --------------------------------------------------------------------------------

    private void report(Results r) {
        var rt = ManagementFactory.getRuntimeMXBean();
        String gcs = String.join(", ", ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList());
        double serverPerConn = (double) (r.heapServerOnly - r.heapBefore) / connections;
        double withClientPerConn = (double) (r.heapWithClient - r.heapBefore) / connections;
        StringBuilder s = new StringBuilder();
        s.append("## ensm refresh benchmark\n\n");
        s.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ').append(Runtime.version()).append('\n');
        s.append("- JVM flags: ").append(String.join(" ", rt.getInputArguments())).append('\n');
        s.append("- GC: ").append(gcs).append("; max heap ").append(mib(Runtime.getRuntime().maxMemory())).append('\n');
        s.append("- CPUs: ").append(Runtime.getRuntime().availableProcessors()).append("; OS: ")
                .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version")).append('\n');
        s.append("- connections: ").append(connections).append(" over ").append(endpoints)
                .append(" preprovisioned endpoints (fabric-vlan), dual-stack addresses; set-up took ")
                .append(String.format(Locale.ROOT, "%.1f s", r.setup.toNanos() / 1e9)).append(" with ")
                .append(setupCallers).append(" callers\n\n");

        s.append("| heap and store | value |\n|---|---:|\n");
        s.append(row("used heap before (baseline after warm-up)", mib(r.heapBefore)));
        s.append(row("used heap with " + connections + " connections, client replies released", mib(r.heapServerOnly)));
        s.append(row("**heap per connection (ensm)**", String.format(Locale.ROOT, "**%.2f KiB** (%.0f B)", serverPerConn / 1024, serverPerConn)));
        s.append(row("heap per connection incl. client-held replies", String.format(Locale.ROOT, "%.2f KiB", withClientPerConn / 1024)));
        s.append(row("client-held replies (computed size)", String.format(Locale.ROOT, "%.2f KiB per connection",
                (double) r.clientBytes / connections / 1024)));
        s.append(row("store file " + SqliteConnectionStore.FILE_NAME + " / -wal", mib(r.dbBytes) + " / " + mib(r.walBytes)
                + String.format(Locale.ROOT, " (%.0f B per connection in the db file)", (double) r.dbBytes / connections)));
        s.append('\n');

        s.append("| refresh latency (µs) | refreshes | p50 | p90 | p99 | p99.9 | max | refreshes/s |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Latency l : r.latencies) {
            long[] sorted = l.nanos.clone();
            Arrays.sort(sorted);
            s.append(latencyRow("**" + l.label + ", round trip**", sorted,
                    String.format(Locale.ROOT, "%.0f", sorted.length / (l.wallNanos / 1e9))));
            s.append(latencyRow(l.label + ", ensm server time", l.server, ""));
            s.append(latencyRow(l.label + ", store write", l.store, ""));
        }
        s.append('\n');
        for (Latency l : r.latencies) {
            s.append("- ").append(l.label).append(": ").append(l.gcs).append(" GC pauses/cycles, ")
                    .append(l.gcMillis).append(" ms total, during ")
                    .append(String.format(Locale.ROOT, "%.1f s", l.wallNanos / 1e9)).append('\n');
        }
        System.out.print(s);
        System.out.flush();
    }

    private static String latencyRow(String label, long[] sorted, String rate) {
        if (sorted.length == 0) {
            return "| " + label + " | 0 | | | | | | |\n";
        }
        return "| " + label + " | " + sorted.length
                + " | " + micros(percentile(sorted, 50))
                + " | " + micros(percentile(sorted, 90))
                + " | " + micros(percentile(sorted, 99))
                + " | " + micros(percentile(sorted, 99.9))
                + " | " + micros(sorted[sorted.length - 1])
                + " | " + rate + " |\n";
    }

    private static String row(String name, String value) {
        return "| " + name + " | " + value + " |\n";
    }

    /** Nearest-rank percentile of sorted samples. */
    private static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.0f", nanos / 1000.0);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1024.0 / 1024.0);
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    private static int intOption(Map<String, String> options, String key, int fallback) {
        String v = options.get(key);
        return v == null ? fallback : Integer.parseInt(v);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    private static long sizeOf(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

}
