package io.ensm.netconf.bench;

import static io.ensm.netconf.bench.Figures.intArg;
import static io.ensm.netconf.bench.Figures.pct;

import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.api.networkservice.NetworkServiceRequest;
import io.ensm.api.connection.Mechanism;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.Segment;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.observe.EnsmMeters;
import io.ensm.core.recovery.OrphanPolicy;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.testing.Requests;
import io.ensm.core.testing.Trees;
import io.ensm.netconf.backend.NetconfBackend;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code clients} NSM clients joining one shared segment on a real netconfd box through an
 * in-process ensm (gRPC, the request chain, SQLite store, the provisioner, the netconf backend),
 * one after another, then leaving one after another: the box's transactions (edit-configs) for all
 * joins and for all leaves, and the latency of each. The anchor, in the same run on the same box:
 * as many point-to-point connections of another service, each its own sub-interface.
 * Options: clients=200 rounds=2 refreshes=5000 (refreshes of one connection first, so that the
 * request path runs compiled).
 */
public final class SegmentJoinBenchmark {
    private static final String LAN = "lan";
    private static final String P2P = "p2p";
    /** The segment's fixed VLAN, in its endpoint's pool. */
    private static final int VLAN = 3600;

    public static void main(String[] args) throws Exception {
        int clients = intArg(args, "clients", 200);
        int rounds = intArg(args, "rounds", 2);
        int refreshes = intArg(args, "refreshes", 5000);
        NetconfTestbed bed = NetconfTestbed.shared(1, "candidate");
        java.nio.file.Path data = Files.createTempDirectory("ensm-segment-bench-");
        EnsmRuntime runtime = null;
        ManagedChannel channel = null;
        try {
            runtime = EnsmRuntime.start(settings(bed, data), SqliteConnectionStore::new,
                    EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
            channel = NettyChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
            NetworkServiceGrpc.NetworkServiceBlockingStub stub = NetworkServiceGrpc.newBlockingStub(channel);
            NetconfBackend segmentBox = backend(runtime, "seg-box");
            NetconfBackend p2pBox = backend(runtime, "p2p-box");
            System.out.printf(Locale.ROOT, "segment joins over NETCONF: netconfd behind OpenSSH on 127.0.0.1:%d, JDK %s, %d CPUs;"
                    + " %d clients, %d rounds%n", bed.device(1).port(), Runtime.version(),
                    Runtime.getRuntime().availableProcessors(), clients, rounds);
            warmUp(stub, refreshes);
            for (int r = 1; r <= rounds; r++) {
                System.out.printf(Locale.ROOT, "%n== round %d ==%n", r);
                Phase p2p = phase(stub, P2P, clients, p2pBox);
                Phase lan = phase(stub, LAN, clients, segmentBox);
                System.out.println("                                      p50      p90      p99      max   (ms)");
                print("p2p: new connection (Request)", p2p.requests, 0);
                print("p2p: Close", p2p.closes, 0);
                System.out.printf(Locale.ROOT, "%-36s %8.2f%n", "segment: first join (Request)", lan.requests[0] / 1e6);
                print("segment: joins 2.." + clients + " (Request)", lan.requests, 1);
                print("segment: leaves 1.." + (clients - 1) + " (Close)", Arrays.copyOf(lan.closes, clients - 1), 0);
                System.out.printf(Locale.ROOT, "%-36s %8.2f%n", "segment: last leave (Close)", lan.closes[clients - 1] / 1e6);
                System.out.printf(Locale.ROOT, "device transactions (edit-configs): p2p %d for %d Requests, %d for %d Closes;"
                        + " segment %d for %d joins (target 1), %d for %d leaves (target 1)%n",
                        p2p.joinEdits, clients, p2p.leaveEdits, clients, lan.joinEdits, clients, lan.leaveEdits, clients);
                System.out.printf(Locale.ROOT, "get-configs outside writes' read-backs: p2p %d, segment %d%n",
                        p2p.reads, lan.reads);
                System.out.printf(Locale.ROOT, "p99 of joins 2..%d: %.2f ms (target <= 5); p2p Request p50 / segment join p50: %.1f%n",
                        clients, pct(sorted(lan.requests, 1), 99), pct(sorted(p2p.requests, 0), 50) / pct(sorted(lan.requests, 1), 50));
            }
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

    private record Phase(long[] requests, long[] closes, long joinEdits, long leaveEdits, long reads) {}

    /** {@code n} Requests of the service one after another, then their Closes in the same order. */
    private static Phase phase(NetworkServiceGrpc.NetworkServiceBlockingStub stub, String service, int n, NetconfBackend box) {
        long[] requests = new long[n];
        long[] closes = new long[n];
        List<Connection> replies = new ArrayList<>();
        long edits0 = box.edits();
        long reads0 = box.reads();
        for (int i = 0; i < n; i++) {
            NetworkServiceRequest request = request(service);
            long t0 = System.nanoTime();
            replies.add(call(stub).request(request));
            requests[i] = System.nanoTime() - t0;
        }
        long edits1 = box.edits();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            call(stub).close(replies.get(i));
            closes[i] = System.nanoTime() - t0;
        }
        return new Phase(requests, closes, edits1 - edits0, box.edits() - edits1, box.reads() - reads0);
    }

    private static EnsmSettings settings(NetconfTestbed bed, java.nio.file.Path data) {
        List<ServiceSpec> services = List.of(
                new ServiceSpec(LAN, Payload.ETHERNET, List.of("10.60.0.0/22"), List.of(),
                        new Segment(List.of("10.60.0.1"), List.of("0.0.0.0/0"), VLAN)),
                new ServiceSpec(P2P, Payload.ETHERNET, List.of("10.61.0.0/16"), List.of()));
        List<EndpointDefinition> endpoints = List.of(
                new EndpointDefinition(new EndpointSpec("seg-box", LAN, Map.of()), "netconf", box(bed, "eth1", "3600-3609")),
                new EndpointDefinition(new EndpointSpec("p2p-box", P2P, Map.of()), "netconf", box(bed, "eth2", "1000-1999")));
        // Reconciliation once an hour: no pass adds device I/O to the figures.
        return new EnsmSettings("ensm-seg-bench", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null, data,
                Duration.ofMinutes(10), Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofHours(1), 1500, 5000, 5999,
                services, endpoints, null, Map.of(), List.of(), null, OrphanPolicy.SWEEP, null);
    }

    private static Map<String, String> box(NetconfTestbed bed, String port, String vlans) {
        NetconfTestbed.Device d = bed.device(1);
        Map<String, String> s = new HashMap<>();
        s.put("host", d.host());
        s.put("port", Integer.toString(d.port()));
        s.put("username", d.username());
        s.put("password-file", d.passwordFile().toString());
        s.put("known-hosts", d.knownHosts().toString());
        s.put("driver", "ietf");
        s.put("port-name", port);
        s.put("uplink", "ens-" + port);
        s.put("vlans", vlans);
        s.put("plans", "fabric-vlan");
        return s;
    }

    private static NetconfBackend backend(EnsmRuntime runtime, String endpoint) {
        return runtime.catalog().endpoints().stream().filter(e -> e.name().equals(endpoint))
                .map(e -> (NetconfBackend) EnsmMeters.unwrap(e.backend())).findFirst().orElseThrow();
    }

    /** Refreshes one point-to-point connection, so the NSM API's path runs compiled (see EnsmOverNetconfBenchmark). */
    private static void warmUp(NetworkServiceGrpc.NetworkServiceBlockingStub stub, int n) {
        Connection c = call(stub).request(request(P2P));
        for (int i = 0; i < n; i++) {
            c = call(stub).request(NetworkServiceRequest.newBuilder().setConnection(c)
                    .addMechanismPreferences(Mechanism.newBuilder().setCls("REMOTE").setType("VLAN")).build());
        }
        call(stub).close(c);
    }

    private static NetworkServiceRequest request(String service) {
        return Requests.request().service(service).expires(Instant.now().plus(Duration.ofMinutes(10)))
                .mechanisms(Requests.vlan()).build();
    }

    private static NetworkServiceGrpc.NetworkServiceBlockingStub call(NetworkServiceGrpc.NetworkServiceBlockingStub stub) {
        return stub.withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private static long[] sorted(long[] nanos, int from) {
        long[] s = Arrays.copyOfRange(nanos, from, nanos.length);
        Arrays.sort(s);
        return s;
    }

    private static void print(String what, long[] nanos, int from) {
        long[] s = sorted(nanos, from);
        System.out.printf(Locale.ROOT, "%-36s %8.2f %8.2f %8.2f %8.2f%n", what, pct(s, 50), pct(s, 90), pct(s, 99),
                s[s.length - 1] / 1e6);
    }
}
