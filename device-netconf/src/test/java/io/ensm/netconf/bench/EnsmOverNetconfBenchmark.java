package io.ensm.netconf.bench;

import static io.ensm.netconf.bench.Figures.intArg;
import static io.ensm.netconf.bench.Figures.pct;

import com.google.protobuf.Timestamp;
import io.ensm.core.testing.Trees;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.Path;
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
import io.ensm.netconf.client.ConnectSpec;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.session.DeviceConfig;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.TestSubInterface;
import io.ensm.netconf.transaction.TransactionRunner;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * ensm's own latency for a netconf endpoint: Requests and Closes through the NSM API of an
 * in-process ensm whose endpoint writes a sub-interface on a real netconfd (scripts/netconf-testbed),
 * one after another and then all at once (where group commit batches them). Interleaved with the
 * Requests one after another, in the same run: the bare edit-config + commit of the sample XML on a
 * warm session of ensm's client, ensm's transaction of the same item on that session (which splits
 * the Request's ratio into the device's part and ensm's own) and, every few Requests, python3-ncclient doing the transaction on a
 * warm session and connect + transaction + close (see NcclientDriver).
 * Options: connections=100 warmup=20 concurrent=100 ncclient-iterations=20 refreshes=20000 ncclient=<driver>
 * python=<python3>.
 */
public final class EnsmOverNetconfBenchmark {
    private static final String SERVICE = "box";

    public static void main(String[] args) throws Exception {
        int connections = intArg(args, "connections", 100);
        int warmup = intArg(args, "warmup", 20);
        int concurrent = intArg(args, "concurrent", 100);
        int ncIterations = intArg(args, "ncclient-iterations", 20);
        int refreshes = intArg(args, "refreshes", 20_000);
        NetconfTestbed bed = NetconfTestbed.shared(1, "candidate");
        java.nio.file.Path data = Files.createTempDirectory("ensm-netconf-bench-");
        EnsmRuntime runtime = null;
        ManagedChannel channel = null;
        try {
            runtime = EnsmRuntime.start(settings(bed, data), SqliteConnectionStore::new,
                    EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
            channel = NettyChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
            NetworkServiceGrpc.NetworkServiceBlockingStub stub = NetworkServiceGrpc.newBlockingStub(channel);
            System.out.printf(Locale.ROOT, "ensm over NETCONF: netconfd behind OpenSSH on 127.0.0.1:%d, JDK %s, %d CPUs;"
                    + " %d connections, %d warm-up, %d concurrent%n", bed.device(1).port(), Runtime.version(),
                    Runtime.getRuntime().availableProcessors(), connections, warmup, concurrent);
            try (SshConnector connector = new SshConnector();
                 NetconfSession session = connector.connect(spec(bed));
                 NcclientDriver nc = NetconfBenchmark.ncclient(NetconfBenchmark.stringArg(args, "python", "python3"),
                         NetconfBenchmark.stringArg(args, "ncclient", ""), bed, NetconfBenchmark.sample())) {
                Sides sides = new Sides(session, NetconfBenchmark.sample(), nc, nc == null ? 0 : ncIterations);
                warmUp(stub, refreshes);
                sequential(stub, warmup, false, sides);
                sequential(stub, connections, true, sides);
                sides.print();
            }
            concurrently(stub, concurrent);
        } finally {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            if (runtime != null) {
                runtime.close();
            }
            Trees.delete(data);
            bed.close();
        }
    }

    private static EnsmSettings settings(NetconfTestbed bed, java.nio.file.Path data) {
        NetconfTestbed.Device d = bed.device(1);
        Map<String, String> s = Map.ofEntries(Map.entry("host", d.host()), Map.entry("port", Integer.toString(d.port())),
                Map.entry("username", d.username()), Map.entry("password-file", d.passwordFile().toString()),
                Map.entry("known-hosts", d.knownHosts().toString()), Map.entry("driver", "ietf"),
                Map.entry("port-name", "eth1"), Map.entry("uplink", "ens-up"), Map.entry("vlans", "1000-1999"),
                Map.entry("plans", "fabric-vlan"));
        return new EnsmSettings("ensm-bench", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null, data,
                Duration.ofMinutes(10), Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofHours(1), 1500, 5000, 5999,
                List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of("10.80.0.0/16"), List.of())),
                List.of(new EndpointDefinition(new EndpointSpec("box-1", SERVICE, Map.of()), "netconf", s)), null, Map.of());
    }

    private static ConnectSpec spec(NetconfTestbed bed) throws Exception {
        DeviceConfig c = bed.config(1);
        return new ConnectSpec(c.name(), c.host(), c.port(), c.username(), c.password().read(), c.hostKey(), c.timeouts());
    }

    /** The comparisons run between ensm's Requests, so they share the machine's load with them. */
    private static final class Sides {
        private final NetconfSession session;
        private final String sample;
        private final NcclientDriver nc;
        private final int ncTimed;
        /** The same sub-interface the bare edit+commit writes (VLAN 100, outside the endpoint's pool). */
        private final TestSubInterface item = new TestSubInterface("eth1", 100, "172.16.0.1", 31, "conn-1");
        private final TransactionRunner runner = new TransactionRunner();
        private final List<Long> bare = new ArrayList<>();
        private final List<Long> transaction = new ArrayList<>();
        private final List<Long> ncTxn = new ArrayList<>();
        private final List<Long> ncFresh = new ArrayList<>();
        private long[] requests = new long[0];

        Sides(NetconfSession session, String sample, NcclientDriver nc, int ncTimed) {
            this.session = session;
            this.sample = sample;
            this.nc = nc;
            this.ncTimed = ncTimed;
        }

        void after(int i, int n, boolean timed) throws Exception {
            long b = NetconfBenchmark.bare(session, sample);
            long txn = NetconfBenchmark.transaction(session, runner, item);
            if (timed) {
                bare.add(b);
                transaction.add(txn);
            }
            int stride = Math.max(1, n / Math.max(1, ncTimed));
            boolean ncNow = timed ? i % stride == 0 && ncTxn.size() < ncTimed : i < 2;
            if (nc != null && ncNow) {
                long t = nc.run("txn");
                long f = nc.run("fresh");
                if (timed) {
                    ncTxn.add(t);
                    ncFresh.add(f);
                }
            }
        }

        void print() {
            System.out.printf(Locale.ROOT, "%n== side by side, interleaved with the Requests above ==%n");
            long[] b = toArray(bare);
            NetconfBenchmark.report("bare edit-config + commit (ensm's client)", b);
            long[] t = toArray(transaction);
            NetconfBenchmark.report("ensm transaction alone (ensm's client)", t);
            double request = median(requests);
            System.out.printf(Locale.ROOT, "ensm Request / bare edit+commit (target <= 1.5): %.2f (medians)%n", request / median(b));
            // The ratio is the product of the device's work for the transaction and ensm's work around it.
            System.out.printf(Locale.ROOT, "  = transaction / bare %.2f x Request / transaction %.2f; Request - transaction %.2f ms%n",
                    median(t) / median(b), request / median(t), request - median(t));
            if (nc != null && !ncTxn.isEmpty()) {
                NetconfBenchmark.report("ncclient: same transaction, warm session", toArray(ncTxn));
                NetconfBenchmark.report("ncclient: connect + transaction + close", toArray(ncFresh));
                System.out.printf(Locale.ROOT, "ncclient / ensm Request (target >= 10): warm session %.1f, connect + transaction"
                        + " + close %.1f (medians)%n", median(toArray(ncTxn)) / request, median(toArray(ncFresh)) / request);
            }
        }

        private static long[] toArray(List<Long> l) {
            return l.stream().mapToLong(Long::longValue).toArray();
        }

        private static double median(long[] a) {
            long[] s = a.clone();
            Arrays.sort(s);
            return pct(s, 50);
        }
    }

    private static void sequential(NetworkServiceGrpc.NetworkServiceBlockingStub stub, int n, boolean print, Sides sides)
            throws Exception {
        long[] request = new long[n];
        long[] close = new long[n];
        List<Connection> replies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            replies.add(call(stub).request(request()));
            request[i] = System.nanoTime() - t0;
            sides.after(i, n, print);
        }
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            call(stub).close(replies.get(i));
            close[i] = System.nanoTime() - t0;
        }
        if (print) {
            sides.requests = request;
            System.out.printf(Locale.ROOT, "%n== one after another: %d connections ==%n", n);
            System.out.println("                              p50      p90      p99      max   (ms)");
            print("new connection (Request)", request);
            print("close (Close)", close);
        }
    }

    private static void concurrently(NetworkServiceGrpc.NetworkServiceBlockingStub stub, int n) throws Exception {
        long[] request = new long[n];
        List<CompletableFuture<Connection>> replies = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int k = i;
            replies.add(CompletableFuture.supplyAsync(() -> {
                long s = System.nanoTime();
                Connection c = call(stub).request(request());
                request[k] = System.nanoTime() - s;
                return c;
            }, r -> Thread.ofVirtual().start(r)));
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        long wall = System.nanoTime() - t0;
        long c0 = System.nanoTime();
        List<CompletableFuture<Void>> closes = new ArrayList<>();
        for (CompletableFuture<Connection> r : replies) {
            Connection c = r.get();
            closes.add(CompletableFuture.runAsync(() -> call(stub).close(c), x -> Thread.ofVirtual().start(x)));
        }
        CompletableFuture.allOf(closes.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        long closeWall = System.nanoTime() - c0;
        System.out.printf(Locale.ROOT, "%n== all at once: %d connections ==%n", n);
        System.out.printf(Locale.ROOT, "all Requests answered in %.0f ms (%.1f per second); all Closes in %.0f ms%n",
                wall / 1e6, n / (wall / 1e9), closeWall / 1e6);
        System.out.println("                              p50      p90      p99      max   (ms)");
        print("new connection (Request)", request);
    }

    /**
     * Refreshes one connection {@code n} times, so that the NSM API's path (gRPC, the chain, the
     * store) runs compiled, as in a service that answers NSM's periodic refreshes; with only the
     * few hundred calls below, it would still run interpreted and add about 3 ms to each call.
     */
    private static void warmUp(NetworkServiceGrpc.NetworkServiceBlockingStub stub, int n) {
        Connection c = call(stub).request(request());
        for (int i = 0; i < n; i++) {
            c = call(stub).request(NetworkServiceRequest.newBuilder().setConnection(c)
                    .addMechanismPreferences(Mechanism.newBuilder().setCls("REMOTE").setType("VLAN")).build());
        }
        call(stub).close(c);
    }

    private static NetworkServiceGrpc.NetworkServiceBlockingStub call(NetworkServiceGrpc.NetworkServiceBlockingStub stub) {
        return stub.withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** A first Request as an NSC sends it: its own path segment, a VLAN mechanism, ten minutes of life. */
    private static NetworkServiceRequest request() {
        String id = UUID.randomUUID().toString();
        Instant expires = Instant.now().plus(Duration.ofMinutes(10));
        Connection c = Connection.newBuilder().setId(id).setNetworkService(SERVICE)
                .setPath(Path.newBuilder().setIndex(0).addPathSegments(PathSegment.newBuilder().setName("bench-nsc").setId(id)
                        .setExpires(Timestamp.newBuilder().setSeconds(expires.getEpochSecond()))))
                .build();
        return NetworkServiceRequest.newBuilder().setConnection(c)
                .addMechanismPreferences(Mechanism.newBuilder().setCls("REMOTE").setType("VLAN")).build();
    }

    private static void print(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-28s %7.2f  %7.2f  %7.2f  %7.2f%n", what, pct(s, 50), pct(s, 90), pct(s, 99),
                s[s.length - 1] / 1e6);
    }
}
