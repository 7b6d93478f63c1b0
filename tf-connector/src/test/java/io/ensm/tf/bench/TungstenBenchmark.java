package io.ensm.tf.bench;

import io.ensm.core.testing.Trees;
import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.core.endpoint.ExposedEndpoint;
import io.ensm.core.endpoint.provision.Provision;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.store.StoredConnection;
import io.ensm.core.testing.Requests;
import io.ensm.tf.vncdouble.Seed;
import io.ensm.tf.vncdouble.VncApiDouble;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

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
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * TF API calls per connection and new-connection latency of a {@code tungsten} endpoint.
 *
 * <p>Not a unit test: run it with {@code scripts/bench-tungsten} (docs/benchmarks.md explains the
 * method). One JVM holds the VNC API double (loopback HTTP) and a complete {@link EnsmRuntime}
 * (SQLite store, plaintext gRPC on 127.0.0.1) with one tungsten endpoint; connections are
 * requested, refreshed and closed over real gRPC as an NSC does, one at a time. Every call the
 * double receives is counted, so "calls per operation" is what TF would see.
 *
 * <p>Options as {@code key=value}: {@code connections} (500), {@code warmup} (200),
 * {@code tf-delays-ms} (0,5,20: a pause the double adds before every answer, to show how the
 * latency follows the API's own), {@code delayed-connections} (100, per non-zero delay).
 */
public final class TungstenBenchmark {
    private static final String SERVICE = "blue";
    private static final String ENDPOINT = "blue-nse";

    private final int connections;
    private final int warmup;
    private final List<Integer> delays;
    private final int delayedConnections;

    private VncApiDouble tf;
    private EnsmRuntime runtime;
    private ManagedChannel channel;
    private NetworkServiceGrpc.NetworkServiceBlockingStub stub;

    private TungstenBenchmark(Map<String, String> o) {
        connections = Integer.parseInt(o.getOrDefault("connections", "500"));
        warmup = Integer.parseInt(o.getOrDefault("warmup", "200"));
        delays = Arrays.stream(o.getOrDefault("tf-delays-ms", "0,5,20").split(",")).map(String::trim).map(Integer::parseInt).toList();
        delayedConnections = Integer.parseInt(o.getOrDefault("delayed-connections", "100"));
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
        new TungstenBenchmark(options).run();
    }

    private void run() throws Exception {
        Path data = Files.createTempDirectory("ensm-tf-bench-");
        try {
            start(data);
            System.out.printf(Locale.ROOT, "JDK %s, %d CPUs; %d connections, %d warm-up%n", Runtime.version(),
                    Runtime.getRuntime().availableProcessors(), connections, warmup);
            cycle(warmup, null, 0);
            tf.clearCalls();
            cycle(connections, "TF answering at once", 0);
            for (int delay : delays) {
                if (delay > 0) {
                    tf.delayAnswers(Duration.ofMillis(delay));
                    cycle(delayedConnections, "TF answering after " + delay + " ms", delay);
                    tf.delayAnswers(Duration.ZERO);
                }
            }
        } finally {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            if (runtime != null) {
                runtime.close();
            }
            if (tf != null) {
                tf.close();
            }
            Trees.delete(data);
        }
    }

    private void start(Path data) {
        tf = VncApiDouble.start();
        Seed.standard(tf, "10.64.0.0/16");
        Map<String, String> settings = Map.of("api-url", tf.url(), "virtual-network", Seed.Standard.NETWORK,
                "port-group", Seed.Standard.PORT_GROUP, "uplink", "eth1", "vlans", "1-4094", "plans", "fabric-vlan");
        EnsmSettings s = new EnsmSettings("ensm-bench", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null, data,
                Duration.ofMinutes(10), Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofHours(1), 1500, 5000, 5999,
                List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of("10.64.0.0/16"), List.of())),
                List.of(new EndpointDefinition(new EndpointSpec(ENDPOINT, SERVICE, Map.of()), "tungsten", settings)), null, Map.of());
        runtime = EnsmRuntime.start(s, SqliteConnectionStore::new, EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
        channel = NettyChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
        stub = NetworkServiceGrpc.newBlockingStub(channel);
    }

    /** Requests n new connections, refreshes, reads back, sweeps and closes them; prints what it saw when titled. */
    private void cycle(int n, String title, int delayMs) throws Exception {
        List<NetworkServiceRequest> requests = new ArrayList<>();
        List<Connection> replies = new ArrayList<>();
        long[] request = new long[n];
        int callsBefore = tf.calls().size();
        long busyBefore = tf.busyNanos();
        for (int i = 0; i < n; i++) {
            NetworkServiceRequest r = Requests.request().service(SERVICE).mechanisms(Requests.vlan())
                    .expires(Instant.now().plus(Duration.ofMinutes(10))).build();
            long t0 = System.nanoTime();
            replies.add(call().request(r));
            request[i] = System.nanoTime() - t0;
            requests.add(r);
        }
        int requestCalls = tf.calls().size() - callsBefore;
        Map<String, Long> requestKinds = histogram(tf.calls().subList(callsBefore, tf.calls().size()));
        double tfPerRequest = (tf.busyNanos() - busyBefore) / 1e6 / n;

        long[] refresh = new long[n];
        callsBefore = tf.calls().size();
        for (int i = 0; i < n; i++) {
            NetworkServiceRequest r = Requests.refreshOf(requests.get(i), replies.get(i), Instant.now().plus(Duration.ofMinutes(10)));
            long t0 = System.nanoTime();
            replies.set(i, call().request(r));
            refresh[i] = System.nanoTime() - t0;
        }
        int refreshCalls = tf.calls().size() - callsBefore;

        ExposedEndpoint endpoint = runtime.catalog().endpoint(ENDPOINT).orElseThrow();
        long[] verify = new long[n];
        callsBefore = tf.calls().size();
        int v = 0;
        for (StoredConnection c : runtime.connections().all()) {
            ProvisionIntent intent = Provision.intentOf(c, endpoint);
            long t0 = System.nanoTime();
            endpoint.backend().verify(intent);
            verify[v++] = System.nanoTime() - t0;
        }
        int verifyCalls = tf.calls().size() - callsBefore;
        callsBefore = tf.calls().size();
        long t0 = System.nanoTime();
        endpoint.backend().removeOrphans(id -> runtime.connections().get(id).isPresent());
        long sweep = System.nanoTime() - t0;
        int sweepCalls = tf.calls().size() - callsBefore;

        long[] close = new long[n];
        callsBefore = tf.calls().size();
        for (int i = 0; i < n; i++) {
            long c0 = System.nanoTime();
            call().close(replies.get(i));
            close[i] = System.nanoTime() - c0;
        }
        int closeCalls = tf.calls().size() - callsBefore;
        Map<String, Long> closeKinds = histogram(tf.calls().subList(callsBefore, tf.calls().size()));
        if (title == null) {
            return;
        }
        System.out.printf(Locale.ROOT, "%n== %s: %d connections ==%n", title, n);
        System.out.printf(Locale.ROOT, "TF API calls per connection: request %.2f, refresh %.2f, read-back %.2f, close %.2f;"
                + " orphan sweep %d per pass (any number of connections)%n",
                (double) requestCalls / n, (double) refreshCalls / n, (double) verifyCalls / v, (double) closeCalls / n, sweepCalls);
        System.out.println("requests sent " + requestKinds + "; closes sent " + closeKinds);
        double meanRequest = Arrays.stream(request).average().orElse(0) / 1e6;
        System.out.printf(Locale.ROOT, "new connection, mean %.2f ms = the double's own work %.2f + its added delay %d x %d"
                + " + ensm (chain, store, gRPC, client) %.2f%n", meanRequest, tfPerRequest, requestCalls / n, delayMs,
                meanRequest - tfPerRequest - (double) requestCalls / n * delayMs);
        System.out.println("                         p50      p90      p99      max   (ms)");
        print("new connection (Request)", request);
        print("refresh (Request)", refresh);
        print("read-back (verify)", Arrays.copyOf(verify, v));
        print("close (Close)", close);
        System.out.printf(Locale.ROOT, "orphan sweep: %.2f ms%n", sweep / 1e6);
    }

    private NetworkServiceGrpc.NetworkServiceBlockingStub call() {
        return stub.withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    private static Map<String, Long> histogram(List<String> calls) {
        Map<String, Long> h = new LinkedHashMap<>();
        Function<String, String> kind = c -> c.replaceAll("/[0-9a-f-]{36}$", "/<uuid>");
        calls.stream().map(kind).forEach(k -> h.merge(k, 1L, Long::sum));
        return h;
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-24s %7.2f  %7.2f  %7.2f  %7.2f%n", what, pct(s, 50), pct(s, 90), pct(s, 99), s[s.length - 1] / 1e6);
    }

    private static double pct(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

}
