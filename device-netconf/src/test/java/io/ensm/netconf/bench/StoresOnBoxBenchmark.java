package io.ensm.netconf.bench;

import static io.ensm.netconf.bench.Figures.intArg;
import static io.ensm.netconf.bench.Figures.pct;

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
import io.ensm.core.store.StoreOpener;
import io.ensm.core.store.Stores;
import io.ensm.core.testing.InMemoryConnectionStore;
import io.ensm.core.testing.Trees;
import io.ensm.netconf.client.ConnectSpec;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.driver.Marker;
import io.ensm.netconf.session.DeviceConfig;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.TestSubInterfaceCodec;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * New-connection latency of ensm as an operator sees it on the SQLite store and on the etcd store
 * side by side: each connection provisions a sub-interface on a real box (netconfd behind OpenSSH,
 * {@code scripts/netconf-testbed}), the etcd store runs on a cluster of {@code scripts/etcd-testbed}.
 * The stores take turns in rounds, the order flipping each round, so that load drift hits both; in
 * each turn a fresh ensm (fresh SQLite file or fresh etcd prefix, same endpoint, same settings,
 * an external registry and an advertised URL as replicas need) takes {@code warmup} connections
 * untimed, then {@code connections} Requests one at a time, then closes them one at a time. After
 * every Request, the two anchors of the same run: the bare edit-config + commit of the sample
 * sub-interface on a warm session of ensm's NETCONF client (then undone), and a bare etcd put.
 * The box is read with OpenSSH after the Requests (every connection's sub-interface, marked for
 * it, must be there) and after the Closes (none may be left); the run fails otherwise.
 *
 * <p>In device-netconf's test sources rather than store-etcd's: the box's side (test bed, warm
 * session, bare edit+commit) needs this module's classes, while the etcd side needs only
 * {@link Stores}' ServiceLoader and one put, sent here as a raw gRPC call.
 *
 * <p>Not a unit test: {@code scripts/bench-store-box} starts both test beds and runs it. Options as
 * {@code key=value}: {@code etcd} (required: client URLs), {@code testbed} (required: the netconf
 * test bed's directory), {@code connections} (200 per store and round), {@code warmup} (30),
 * {@code rounds} (3), {@code refreshes} (10000: refreshes of one connection on each store before
 * the first round, so that the NSM API's code runs compiled), {@code seed} (1).
 */
public final class StoresOnBoxBenchmark {
    private static final String SERVICE = "box";
    private static final String ENDPOINT = "box-1";
    private static final String CLUSTER = "ensm-bench";
    private static final List<String> STORES = List.of("sqlite", "etcd");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final String etcd;
    private final NetconfTestbed bed;
    private final int connections;
    private final int warmup;
    private final int rounds;
    private final int refreshes;
    private final byte[] putValue = new byte[400];
    private final String putPrefix = "/ensm-bench-box-anchor-" + Long.toHexString(System.nanoTime()) + "/";
    private int puts;

    /** Samples in nanoseconds, in the order taken. */
    private final Map<String, List<Long>> requests = new LinkedHashMap<>();
    private final Map<String, List<Long>> closes = new LinkedHashMap<>();
    private final List<Long> bareEdits = new ArrayList<>();
    private final List<Long> etcdPuts = new ArrayList<>();
    private final List<String> roundRows = new ArrayList<>();

    private StoresOnBoxBenchmark(String[] args) {
        etcd = stringArg(args, "etcd");
        bed = NetconfTestbed.attach(Path.of(stringArg(args, "testbed")));
        connections = intArg(args, "connections", 200);
        warmup = intArg(args, "warmup", 30);
        rounds = intArg(args, "rounds", 3);
        refreshes = intArg(args, "refreshes", 10_000);
        new SplittableRandom(intArg(args, "seed", 1)).nextBytes(putValue);
        if (connections < 1 || rounds < 1 || warmup < 0 || refreshes < 0) {
            throw new IllegalArgumentException("connections and rounds must be at least 1, warmup and refreshes not negative");
        }
        if (connections + warmup > 1000) {
            throw new IllegalArgumentException("connections + warmup must fit the endpoint's 1000 VLANs");
        }
        STORES.forEach(s -> {
            requests.put(s, new ArrayList<>());
            closes.put(s, new ArrayList<>());
        });
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        new StoresOnBoxBenchmark(args).run();
    }

    private void run() throws Exception {
        String loadAtStart = loadAverage();
        Path registryDir = Files.createTempDirectory("ensm-bench-box-registry-");
        try (EnsmRuntime registry = EnsmRuntime.start(settings("registry", null, List.of(), registryDir),
                dir -> new InMemoryConnectionStore(), EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
             SshConnector connector = new SshConnector();
             NetconfSession session = connector.connect(spec(bed));
             BareEtcdPut etcdAnchor = new BareEtcdPut(etcd)) {
            String registryUrl = "127.0.0.1:" + registry.port();
            String sample = NetconfBenchmark.sample();
            Anchors anchors = new Anchors(session, sample, etcdAnchor);
            for (String store : STORES) {
                System.err.printf(Locale.ROOT, "bench-store-box: warming up the %s store (%d refreshes)%n", store, refreshes);
                turn(store, registryUrl, anchors, -1);
            }
            for (int r = 0; r < rounds; r++) {
                List<String> order = r % 2 == 0 ? STORES : STORES.reversed();
                Map<String, Double> medians = new LinkedHashMap<>();
                for (String store : order) {
                    System.err.printf(Locale.ROOT, "bench-store-box: round %d, %s store%n", r + 1, store);
                    medians.put(store, turn(store, registryUrl, anchors, r));
                }
                roundRows.add(String.format(Locale.ROOT, "| %d | %s | %.2f | %.2f | %.2f |", r + 1,
                        String.join(", then ", order.stream().map(StoresOnBoxBenchmark::name).toList()), medians.get("sqlite"),
                        medians.get("etcd"), medians.get("etcd") / medians.get("sqlite")));
            }
            long deleted = etcdAnchor.deletePrefix(putPrefix);
            check(deleted == Math.min(puts, 1000), "the bare etcd puts left " + deleted + " keys, expected " + Math.min(puts, 1000));
        } finally {
            Trees.delete(registryDir);
        }
        report(loadAtStart, loadAverage());
    }

    // ---- one store's turn ----------------------------------------------------------------------

    /** Round {@code round} of one store (-1: the warm-up turn, nothing recorded); returns its Request median in ms. */
    private double turn(String store, String registryUrl, Anchors anchors, int round) throws Exception {
        boolean timed = round >= 0;
        Path dataDir = Files.createTempDirectory("ensm-bench-box-" + store + "-");
        EnsmRuntime runtime = null;
        ManagedChannel channel = null;
        try {
            StoreOpener opener = switch (store) {
                case "sqlite" -> Stores.opener("sqlite", Map.of(), dataDir, CLUSTER);
                case "etcd" -> Stores.opener("etcd", Map.of("endpoints", etcd,
                        "prefix", "/ensm-bench-box-" + Long.toHexString(System.nanoTime())), dataDir, CLUSTER);
                default -> throw new IllegalArgumentException("unknown store " + store);
            };
            runtime = EnsmRuntime.launch(settings("bench-" + store, registryUrl, List.of(endpoint(bed)), dataDir), opener,
                    EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC(), new SimpleMeterRegistry());
            awaitServing(runtime);
            channel = NettyChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
            NetworkServiceGrpc.NetworkServiceBlockingStub stub = NetworkServiceGrpc.newBlockingStub(channel);

            if (!timed) {
                refreshOne(stub, refreshes);
            }
            // The turn's warm-up: the same calls as below, nothing kept.
            List<Connection> warm = new ArrayList<>();
            for (int i = 0; i < warmup; i++) {
                warm.add(call(stub).request(firstRequest()));
                anchors.after(false);
            }
            for (Connection c : warm) {
                call(stub).close(c);
            }
            if (!timed) {
                check(runtime.connections().size() == 0, store + ": warm-up connections are still live");
                return 0;
            }

            List<Connection> replies = new ArrayList<>();
            long[] request = new long[connections];
            for (int i = 0; i < connections; i++) {
                NetworkServiceRequest r = firstRequest();
                var s = call(stub);
                long t0 = System.nanoTime();
                Connection reply = s.request(r);
                request[i] = System.nanoTime() - t0;
                replies.add(reply);
                anchors.after(true);
            }
            checkOnBox(store, round, replies, true);
            long[] close = new long[connections];
            for (int i = 0; i < connections; i++) {
                var s = call(stub);
                long t0 = System.nanoTime();
                s.close(replies.get(i));
                close[i] = System.nanoTime() - t0;
            }
            checkOnBox(store, round, replies, false);
            check(runtime.connections().size() == 0, store + ": connections still live after their Closes");
            Arrays.stream(request).forEach(requests.get(store)::add);
            Arrays.stream(close).forEach(closes.get(store)::add);
            long[] sorted = request.clone();
            Arrays.sort(sorted);
            return pct(sorted, 50);
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

    /**
     * Reads the box with OpenSSH (not ensm's client): after the Requests, the connections this ensm
     * marks there must be exactly the ones it answered; after the Closes, none may be left.
     */
    private void checkOnBox(String store, int round, List<Connection> replies, boolean present) {
        Set<String> onBox = new HashSet<>();
        TestSubInterfaceCodec.parse(bed.independentInterfaces(1)).forEach((name, found) -> Marker.read(found.description())
                .filter(m -> m.owner().equals(CLUSTER)).ifPresent(m -> onBox.add(m.connectionId())));
        String where = store + " store, round " + (round + 1) + ": ";
        if (present) {
            // The mark names ensm's id of the connection: the reply's id or one of its path's segments.
            long missing = replies.stream().filter(c -> !onBox.contains(c.getId())
                    && c.getPath().getPathSegmentsList().stream().noneMatch(p -> onBox.contains(p.getId()))).count();
            check(missing == 0 && onBox.size() == replies.size(), where + replies.size()
                    + " connections answered, but the box holds sub-interfaces of " + onBox.size() + " (" + missing + " missing)");
        } else {
            check(onBox.isEmpty(), where + onBox.size() + " sub-interfaces are still on the box after their Closes");
        }
        System.err.printf(Locale.ROOT, "bench-store-box: %sthe box holds %d of this ensm's sub-interfaces%n", where, onBox.size());
    }

    /** The anchors, run after every Request of both stores so that they share its load and the box's size. */
    private final class Anchors {
        private final NetconfSession session;
        private final String sample;
        private final BareEtcdPut etcdAnchor;

        Anchors(NetconfSession session, String sample, BareEtcdPut etcdAnchor) {
            this.session = session;
            this.sample = sample;
            this.etcdAnchor = etcdAnchor;
        }

        void after(boolean timed) throws Exception {
            long edit = NetconfBenchmark.bare(session, sample);
            long put = etcdAnchor.put(putPrefix + (puts++ % 1000), putValue);
            if (timed) {
                bareEdits.add(edit);
                etcdPuts.add(put);
            }
        }
    }

    // ---- ensm's settings and calls -------------------------------------------------------------

    private static EnsmSettings settings(String replica, String registryUrl, List<EndpointDefinition> endpoints, Path dataDir) {
        return new EnsmSettings(CLUSTER, new InetSocketAddress("127.0.0.1", 0), "tcp://" + replica + ".bench.example:5003",
                registryUrl, dataDir, Duration.ofMinutes(10), Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofMinutes(1),
                1500, 5000, 5999, List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of("10.80.0.0/16"), List.of())),
                endpoints, null, Map.of(), List.of(), CLUSTER, OrphanPolicy.SWEEP, null, replica);
    }

    /** The same endpoint for both stores: the test bed's device, ietf driver, VLAN sub-interfaces on eth1. */
    private static EndpointDefinition endpoint(NetconfTestbed bed) {
        NetconfTestbed.Device d = bed.device(1);
        Map<String, String> s = Map.ofEntries(Map.entry("host", d.host()), Map.entry("port", Integer.toString(d.port())),
                Map.entry("username", d.username()), Map.entry("password-file", d.passwordFile().toString()),
                Map.entry("known-hosts", d.knownHosts().toString()), Map.entry("driver", "ietf"),
                Map.entry("port-name", "eth1"), Map.entry("uplink", "ens-up"), Map.entry("vlans", "1000-1999"),
                Map.entry("plans", "fabric-vlan"));
        return new EndpointDefinition(new EndpointSpec(ENDPOINT, SERVICE, Map.of()), "netconf", s);
    }

    private static ConnectSpec spec(NetconfTestbed bed) throws Exception {
        DeviceConfig c = bed.config(1);
        return new ConnectSpec(c.name(), c.host(), c.port(), c.username(), c.password().read(), c.hostKey(), c.timeouts());
    }

    private static void awaitServing(EnsmRuntime runtime) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!runtime.serves(ENDPOINT)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("ensm does not serve " + ENDPOINT + " after 60 s");
            }
            Thread.sleep(50);
        }
    }

    /** Refreshes one connection {@code n} times, so that the NSM API's code runs compiled before anything is timed. */
    private static void refreshOne(NetworkServiceGrpc.NetworkServiceBlockingStub stub, int n) {
        Connection c = call(stub).request(firstRequest());
        for (int i = 0; i < n; i++) {
            c = call(stub).request(NetworkServiceRequest.newBuilder().setConnection(c).addMechanismPreferences(c.getMechanism()).build());
        }
        call(stub).close(c);
    }

    private static NetworkServiceGrpc.NetworkServiceBlockingStub call(NetworkServiceGrpc.NetworkServiceBlockingStub stub) {
        return stub.withDeadlineAfter(CALL_TIMEOUT);
    }

    /** A first Request as an NSC sends it: its own path segment, a VLAN mechanism, ten minutes of life. */
    private static NetworkServiceRequest firstRequest() {
        String id = UUID.randomUUID().toString();
        Instant expires = Instant.now().plus(Duration.ofMinutes(10));
        Connection c = Connection.newBuilder().setId(id).setNetworkService(SERVICE)
                .setPath(io.ensm.api.connection.Path.newBuilder().setIndex(0).addPathSegments(PathSegment.newBuilder()
                        .setName("bench-nsc").setId(id).setExpires(Timestamp.newBuilder().setSeconds(expires.getEpochSecond()))))
                .build();
        return NetworkServiceRequest.newBuilder().setConnection(c)
                .addMechanismPreferences(Mechanism.newBuilder().setCls("REMOTE").setType("VLAN")).build();
    }

    // ---- report --------------------------------------------------------------------------------

    private void report(String loadAtStart, String loadAtEnd) {
        StringBuilder s = new StringBuilder();
        s.append("## ensm on a NETCONF box: SQLite store and etcd store\n\n");
        s.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ').append(Runtime.version())
                .append("; JVM flags: ").append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())).append('\n');
        s.append("- CPUs: ").append(Runtime.getRuntime().availableProcessors()).append("; load average at the start: ")
                .append(loadAtStart).append(", at the end: ").append(loadAtEnd).append('\n');
        s.append("- box: netconfd behind OpenSSH on 127.0.0.1:").append(bed.device(1).port())
                .append(", one netconf endpoint (ietf driver, eth1, fabric-vlan); etcd: ").append(etcd.split(",").length)
                .append(" members\n");
        s.append(String.format(Locale.ROOT, "- %d rounds, each store %d new connections one at a time after %d untimed,"
                + " then their Closes one at a time; %d refreshes per store before the first round%n%n", rounds, connections,
                warmup, refreshes));
        s.append("| ms | samples | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n");
        for (String store : STORES) {
            s.append(row("**new connection, " + name(store) + ", round trip**", requests.get(store)));
        }
        for (String store : STORES) {
            s.append(row("close, " + name(store) + ", round trip", closes.get(store)));
        }
        s.append(row("anchor: bare NETCONF edit-config + commit, warm session", bareEdits));
        s.append(row("anchor: bare etcd put (400 B)", etcdPuts));
        s.append("\n| round | order | new connection p50, SQLite (ms) | p50, etcd (ms) | etcd / SQLite |\n|---:|---|---:|---:|---:|\n");
        roundRows.forEach(r -> s.append(r).append('\n'));
        s.append('\n');
        long[] sqlite = sorted(requests.get("sqlite"));
        long[] etcdRequests = sorted(requests.get("etcd"));
        for (int p : new int[] {50, 90, 99}) {
            double ratio = pct(etcdRequests, p) / pct(sqlite, p);
            s.append(String.format(Locale.ROOT, "- new connection p%d, etcd / SQLite: %.2fx (target <= 1.5x: %s)%n", p, ratio,
                    ratio <= 1.5 ? "met" : "missed"));
        }
        double gap = pct(etcdRequests, 50) - pct(sqlite, 50);
        s.append(String.format(Locale.ROOT, "- etcd - SQLite at p50: %.2f ms, %.1f bare etcd puts (p50)%n", gap,
                gap / pct(sorted(etcdPuts), 50)));
        System.out.print(s);
        System.out.flush();
    }

    private static String name(String store) {
        return store.equals("sqlite") ? "SQLite" : store;
    }

    private static String row(String label, List<Long> samples) {
        long[] s = sorted(samples);
        return String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f | %.2f |%n", label, s.length, pct(s, 50), pct(s, 90),
                pct(s, 99), s[s.length - 1] / 1e6);
    }

    private static long[] sorted(List<Long> samples) {
        long[] s = samples.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(s);
        return s;
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static String stringArg(String[] args, String key) {
        for (String a : args) {
            if (a.startsWith(key + "=")) {
                return a.substring(key.length() + 1);
            }
        }
        throw new IllegalArgumentException(key + "=<value> is required");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }
}
