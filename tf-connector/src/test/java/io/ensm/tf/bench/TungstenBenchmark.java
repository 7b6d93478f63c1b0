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
import io.ensm.tf.testbed.OpenSdn;
import io.ensm.tf.testbed.TfRest;
import io.ensm.tf.testbed.TfWorld;
import io.ensm.tf.vncdouble.Seed;
import io.ensm.tf.vncdouble.VncApiDouble;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TF API calls per connection and new-connection latency of a {@code tungsten} endpoint.
 *
 * <p>Not a unit test: run it with {@code scripts/bench-tungsten} (docs/benchmarks.md explains the
 * method). One JVM holds a complete {@link EnsmRuntime} (SQLite store, plaintext gRPC on
 * 127.0.0.1) with one tungsten endpoint, and TF: OpenSDN's config API server started by
 * {@code scripts/opensdn-testbed} ({@code tf=opensdn}) or the VNC API double ({@code tf=double});
 * connections are requested, refreshed and closed over real gRPC as an NSC does, one at a time.
 * Every call TF receives is counted (from the real server's access log, or by the double), with
 * the time TF spent answering it, so "calls per operation" is what TF sees.
 *
 * <p>Options as {@code key=value}: {@code tf} (opensdn), {@code connections} (500), {@code warmup}
 * (200), {@code tf-delays-ms} (0,5,20; double only: a pause it adds before every answer, to show
 * how the latency follows the API's own), {@code delayed-connections} (100, per non-zero delay).
 */
public final class TungstenBenchmark {
    private static final String SERVICE = "blue";
    private static final String ENDPOINT = "blue-nse";

    private final boolean real;
    private final int connections;
    private final int warmup;
    private final List<Integer> delays;
    private final int delayedConnections;

    private Tf tf;
    private EnsmRuntime runtime;
    private ManagedChannel channel;
    private NetworkServiceGrpc.NetworkServiceBlockingStub stub;

    private TungstenBenchmark(Map<String, String> o) {
        real = switch (o.getOrDefault("tf", "opensdn")) {
            case "opensdn" -> true;
            case "double" -> false;
            default -> throw new IllegalArgumentException("tf is opensdn or double, got '" + o.get("tf") + "'");
        };
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
            System.out.printf(Locale.ROOT, "JDK %s, %d CPUs; TF: %s; %d connections, %d warm-up%n", Runtime.version(),
                    Runtime.getRuntime().availableProcessors(), tf.describe(), connections, warmup);
            cycle(warmup, null, 0);
            cycle(connections, real ? "OpenSDN answering" : "TF answering at once", 0);
            for (int delay : real ? List.<Integer>of() : delays) {
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
        tf = real ? new RealTf() : new DoubleTf();
        Map<String, String> settings = Map.of("api-url", tf.url(), "virtual-network", tf.network(),
                "port-group", tf.portGroup(), "uplink", "eth1", "vlans", "1-4094", "plans", "fabric-vlan");
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
        tf.mark();
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
        System.out.printf(Locale.ROOT, "new connection, mean %.2f ms = TF's own work %.2f + an added delay %d x %d"
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

    /** TF as the benchmark sees it: where it answers, what it was asked since {@link #mark}, and how long it took. */
    private sealed interface Tf extends AutoCloseable permits DoubleTf, RealTf {
        String url();

        String network();

        String portGroup();

        String describe();

        /** Starts counting anew. */
        void mark();

        /** Calls since the mark, as "METHOD /path". */
        List<String> calls();

        /** Time TF spent answering the calls since the mark. */
        long busyNanos();

        void delayAnswers(Duration d);

        @Override
        void close();
    }

    /** The double, holding the standard world with a /16. */
    private static final class DoubleTf implements Tf {
        private final VncApiDouble api = VncApiDouble.start();
        private long busyAtMark;

        DoubleTf() {
            Seed.standard(api, "10.64.0.0/16");
        }

        public String url() {
            return api.url();
        }

        public String network() {
            return Seed.Standard.NETWORK;
        }

        public String portGroup() {
            return Seed.Standard.PORT_GROUP;
        }

        public String describe() {
            return "the VNC API double";
        }

        public void mark() {
            api.clearCalls();
            busyAtMark = api.busyNanos();
        }

        public List<String> calls() {
            return api.calls();
        }

        public long busyNanos() {
            return api.busyNanos() - busyAtMark;
        }

        public void delayAnswers(Duration d) {
            api.delayAnswers(d);
        }

        public void close() {
            api.close();
        }
    }

    /**
     * OpenSDN's config API server, with a world of its own whose network has a /16. Calls and the
     * server's time per call come from its access log ({@code "POST /path HTTP/1.1" 200 123
     * 0.004521}: the last field is the seconds it took), so nothing stands between ensm and TF.
     */
    private static final class RealTf implements Tf {
        private static final Pattern ACCESS = Pattern.compile("\"([A-Z]+) ([^ ?\"]+)[^\"]* HTTP/1\\.[01]\" \\d+ \\S+ ([0-9.]+)\\s*$");
        private final OpenSdn server = OpenSdn.start();
        private final TfWorld world = TfWorld.create(new TfRest(server.url()), "10.64.0.0/16");
        private long offset;

        public String url() {
            return server.url();
        }

        public String network() {
            return world.networkName();
        }

        public String portGroup() {
            return world.portGroup();
        }

        public String describe() {
            return "OpenSDN's config API server (" + server.commits() + ")";
        }

        public void mark() {
            offset = settled();
        }

        /**
         * The log's length once it stopped growing: the server writes a call's line after its
         * answer, so the last call of a phase may not be there yet when the client moves on.
         */
        private long settled() {
            long length = server.log().toFile().length();
            for (int quiet = 0; quiet < 2; ) {
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return length;
                }
                long now = server.log().toFile().length();
                quiet = now == length ? quiet + 1 : 0;
                length = now;
            }
            return length;
        }

        private List<String[]> entries() {
            settled();
            List<String[]> out = new ArrayList<>();
            try (RandomAccessFile f = new RandomAccessFile(server.log().toFile(), "r")) {
                f.seek(offset);
                byte[] bytes = new byte[(int) (f.length() - offset)];
                f.readFully(bytes);
                for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
                    Matcher m = ACCESS.matcher(line);
                    if (m.find()) {
                        out.add(new String[] {m.group(1) + " " + m.group(2), m.group(3)});
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out;
        }

        public List<String> calls() {
            return entries().stream().map(e -> e[0]).toList();
        }

        public long busyNanos() {
            return (long) (entries().stream().mapToDouble(e -> Double.parseDouble(e[1])).sum() * 1e9);
        }

        public void delayAnswers(Duration d) {
            throw new UnsupportedOperationException("OpenSDN's server cannot be slowed down");
        }

        public void close() {
            server.close();
        }
    }
}
