package io.ensm.bench;

import com.google.protobuf.Timestamp;
import io.ensm.core.testing.Trees;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.PathSegment;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.identity.PemFileIdentity;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.runtime.Security;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.testing.StaticIdentity;
import io.ensm.core.testing.TestCa;
import io.ensm.core.tls.MtlsCredentials;
import io.ensm.core.token.TokenCredentials;
import io.ensm.core.token.TokenMinter;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

import java.io.IOException;
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
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What mutual TLS and NSM path tokens cost on Request and refresh: the same ensm (SQLite store,
 * embedded registry, preprovisioned endpoints) measured once over plaintext gRPC and once over
 * mutual TLS with SPIFFE SVIDs, where every call carries the client's ES256 token and ensm takes
 * it in, signs its own and runs the four path policies. Run it with {@code scripts/bench-tls}.
 *
 * <p>Options as {@code key=value}: {@code connections} (2000, also the number of timed new
 * Requests), {@code refreshes} (20000 per phase), {@code callers} (4), {@code warmup} (5000), {@code seed} (1).
 */
public final class TlsCostBenchmark {
    private static final String SERVICE = "bench-service";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    private final int connections;
    private final int refreshes;
    private final int callers;
    private final int warmup;
    private final long seed;

    private TlsCostBenchmark(Map<String, String> o) {
        connections = Integer.parseInt(o.getOrDefault("connections", "2000"));
        refreshes = Integer.parseInt(o.getOrDefault("refreshes", "20000"));
        callers = Integer.parseInt(o.getOrDefault("callers", "4"));
        warmup = Integer.parseInt(o.getOrDefault("warmup", "5000"));
        seed = Long.parseLong(o.getOrDefault("seed", "1"));
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
        new TlsCostBenchmark(options).run();
    }

    private record Series(String mode, String phase, long[] nanos, long wallNanos, long[] server) {}

    private void run() throws Exception {
        List<Series> all = new ArrayList<>();
        all.addAll(measure(false));
        all.addAll(measure(true));
        report(all);
    }

    /** One ensm, one client: warm-up, timed new connections, timed refreshes with 1 and N callers. */
    private List<Series> measure(boolean tls) throws Exception {
        String mode = tls ? "mTLS + tokens" : "plaintext";
        Path dir = Files.createTempDirectory("ensm-bench-tls-");
        TestCa ca = TestCa.create("bench.example");
        PemFileIdentity identity = null;
        EnsmRuntime runtime = null;
        ManagedChannel channel = null;
        Probe server = new Probe(Math.max(refreshes, connections) + 1000);
        try {
            EnsmRuntime.Transport transport;
            if (tls) {
                TestCa.Files3 f = ca.issue("ensm", Duration.ofHours(2)).writeTo(dir.resolve("pem"));
                identity = PemFileIdentity.load(f.svid(), f.key(), f.bundle(), Duration.ofSeconds(5));
                transport = EnsmRuntime.Transport.mtls(new Security(identity, Duration.ofMinutes(10), Set.of(), p -> {}),
                        List.of(new ServerTiming(server)));
            } else {
                transport = EnsmRuntime.Transport.plaintext(List.of(new ServerTiming(server)));
            }
            runtime = EnsmRuntime.start(settings(dir), SqliteConnectionStore::new, transport, Clock.systemUTC());
            ChannelCredentials credentials = InsecureChannelCredentials.create();
            if (tls) {
                StaticIdentity nsc = StaticIdentity.of(ca.issue("nsc", Duration.ofHours(2)));
                credentials = CompositeChannelCredentials.create(MtlsCredentials.client(nsc),
                        TokenCredentials.forNetworkService(new TokenMinter(nsc, Duration.ofMinutes(10), Clock.systemUTC())));
            }
            channel = Grpc.newChannelBuilder("127.0.0.1:" + runtime.port(), credentials).build();
            var stub = NetworkServiceGrpc.newBlockingStub(channel);

            // warm-up: the same calls as measured
            byte[][] warm = new byte[Math.min(500, connections)][];
            establish(stub, warm, null);
            refreshLoop(stub, warm, 0, warm.length, warmup, new SplittableRandom(seed), null);
            for (byte[] w : warm) {
                stub.withDeadlineAfter(CALL_TIMEOUT).close(Connection.parseFrom(w));
            }

            List<Series> out = new ArrayList<>();
            byte[][] live = new byte[connections][];
            long[] requestNanos = new long[connections];
            server.start();
            long w0 = System.nanoTime();
            establish(stub, live, requestNanos);
            out.add(new Series(mode, "Request (new connection)", requestNanos, System.nanoTime() - w0, server.stop()));

            refreshLoop(stub, live, 0, connections, warmup, new SplittableRandom(seed + 1), null);
            long[] seq = new long[refreshes];
            server.start();
            w0 = System.nanoTime();
            refreshLoop(stub, live, 0, connections, refreshes, new SplittableRandom(seed + 2), seq);
            out.add(new Series(mode, "refresh, 1 caller", seq, System.nanoTime() - w0, server.stop()));
            out.add(concurrent(mode, stub, live, server));
            if (runtime.connections().size() != connections) {
                throw new IllegalStateException("expected " + connections + " live connections, found " + runtime.connections().size());
            }
            return out;
        } finally {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            if (runtime != null) {
                runtime.close();
            }
            if (identity != null) {
                identity.close();
            }
            Trees.delete(dir);
        }
    }

    private Series concurrent(String mode, NetworkServiceGrpc.NetworkServiceBlockingStub stub, byte[][] live, Probe server)
            throws Exception {
        int per = refreshes / callers;
        int share = connections / callers;
        long[][] samples = new long[callers][per];
        CountDownLatch ready = new CountDownLatch(callers);
        CountDownLatch go = new CountDownLatch(1);
        long wall;
        try (ExecutorService pool = Executors.newFixedThreadPool(callers)) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < callers; t++) {
                int from = t * share;
                int to = t == callers - 1 ? connections : from + share;
                int caller = t;
                done.add(pool.submit(() -> {
                    refreshLoop(stub, live, from, to, warmup / callers, new SplittableRandom(seed + 10 + caller), null);
                    ready.countDown();
                    go.await();
                    refreshLoop(stub, live, from, to, per, new SplittableRandom(seed + 20 + caller), samples[caller]);
                    return null;
                }));
            }
            ready.await();
            server.start();
            long w0 = System.nanoTime();
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
            wall = System.nanoTime() - w0;
        }
        return new Series(mode, "refresh, " + callers + " callers", Arrays.stream(samples).flatMapToLong(Arrays::stream).toArray(),
                wall, server.stop());
    }

    private EnsmSettings settings(Path dir) {
        List<EndpointDefinition> endpoints = List.of(new EndpointDefinition(new EndpointSpec("bench-nse-1", SERVICE, Map.of()),
                "preprovisioned", Map.of("uplink", "eth1", "vlans", "1-4094", "plans", "fabric-vlan")));
        return new EnsmSettings("ensm-bench", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null, dir.resolve("data"),
                Duration.ofMinutes(10), Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofSeconds(60), 1500, 5000, 5999,
                List.of(new ServiceSpec(SERVICE, Payload.IP, List.of("10.0.0.0/16", "fd00:e5::/64"), List.of())), endpoints, null, Map.of());
    }

    /** New connections as an NSC sends them, one at a time, timing each Request when asked. */
    private static void establish(NetworkServiceGrpc.NetworkServiceBlockingStub stub, byte[][] into, long[] nanos) {
        for (int i = 0; i < into.length; i++) {
            String id = UUID.randomUUID().toString();
            Connection c = Connection.newBuilder().setId(id).setNetworkService(SERVICE)
                    .setPath(io.ensm.api.connection.Path.newBuilder().setIndex(0).addPathSegments(PathSegment.newBuilder()
                            .setName("bench-nsc").setId(id).setExpires(timestamp(Instant.now().plus(Duration.ofMinutes(10))))))
                    .build();
            NetworkServiceRequest r = NetworkServiceRequest.newBuilder().setConnection(c)
                    .addMechanismPreferences(Mechanism.newBuilder().setCls("REMOTE").setType("VLAN")).build();
            var s = stub.withDeadlineAfter(CALL_TIMEOUT);
            long t0 = System.nanoTime();
            Connection reply = s.request(r);
            if (nanos != null) {
                nanos[i] = System.nanoTime() - t0;
            }
            into[i] = reply.toByteArray();
        }
    }

    /** NSC refreshes of random connections among [from, to): the last reply with a renewed segment expiry. */
    private static void refreshLoop(NetworkServiceGrpc.NetworkServiceBlockingStub stub, byte[][] state, int from, int to, int count,
                                    SplittableRandom random, long[] nanos) throws Exception {
        for (int n = 0; n < count; n++) {
            int i = from + random.nextInt(to - from);
            Connection last = Connection.parseFrom(state[i]);
            io.ensm.api.connection.Path p = last.getPath();
            PathSegment own = p.getPathSegments(p.getIndex()).toBuilder()
                    .setExpires(timestamp(Instant.now().plus(Duration.ofMinutes(10)))).build();
            NetworkServiceRequest r = NetworkServiceRequest.newBuilder()
                    .setConnection(last.toBuilder().setPath(p.toBuilder().setPathSegments(p.getIndex(), own)))
                    .addMechanismPreferences(last.getMechanism()).build();
            var s = stub.withDeadlineAfter(CALL_TIMEOUT);
            long t0 = System.nanoTime();
            Connection reply = s.request(r);
            long took = System.nanoTime() - t0;
            if (nanos != null) {
                nanos[n] = took;
            }
            if (!reply.getId().equals(last.getId()) || !reply.getMechanism().equals(last.getMechanism())) {
                throw new IllegalStateException("refresh of " + last.getId() + " changed the connection");
            }
            state[i] = reply.toByteArray();
        }
    }

    private static void report(List<Series> all) {
        StringBuilder s = new StringBuilder("## ensm TLS and path token cost\n\n");
        s.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ').append(Runtime.version())
                .append("; CPUs: ").append(Runtime.getRuntime().availableProcessors()).append('\n');
        s.append("- JVM flags: ").append(String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()))
                .append("\n\n");
        s.append("| mode | phase | calls | p50 | p90 | p99 | p99.9 | max | calls/s | server p50 | server p99 |\n");
        s.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Series x : all) {
            long[] sorted = x.nanos().clone();
            Arrays.sort(sorted);
            s.append("| ").append(x.mode()).append(" | ").append(x.phase()).append(" | ").append(sorted.length)
                    .append(" | ").append(us(pct(sorted, 50))).append(" | ").append(us(pct(sorted, 90)))
                    .append(" | ").append(us(pct(sorted, 99))).append(" | ").append(us(pct(sorted, 99.9)))
                    .append(" | ").append(us(sorted[sorted.length - 1]))
                    .append(" | ").append(String.format(Locale.ROOT, "%.0f", sorted.length / (x.wallNanos() / 1e9)))
                    .append(" | ").append(us(pct(x.server(), 50))).append(" | ").append(us(pct(x.server(), 99))).append(" |\n");
        }
        s.append("\nLatencies in µs: round trip seen by the client; 'server' is ensm's time from request headers to reply.\n");
        System.out.print(s);
        System.out.flush();
    }

    private static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }

    private static String us(long nanos) {
        return String.format(Locale.ROOT, "%.0f", nanos / 1000.0);
    }

    private static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

}
