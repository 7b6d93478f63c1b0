package io.ensm.netconf.bench;

import static io.ensm.netconf.bench.Figures.intArg;
import static io.ensm.netconf.bench.Figures.pct;

import com.google.protobuf.Timestamp;
import io.ensm.api.connection.Connection;
import io.ensm.api.connection.Mechanism;
import io.ensm.api.connection.Path;
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
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.testing.Trees;
import io.ensm.netconf.backend.NetconfBackend;
import io.ensm.netconf.testbed.BoxVxlanView;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.RecordingForwarderProvider;
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
import java.util.concurrent.TimeUnit;

/**
 * New-connection latency of the device-vxlan plan next to the fabric-vlan plan, through the NSM
 * API of an in-process ensm whose one junos endpoint (on netconfd loaded with the project's Junos
 * module, scripts/netconf-testbed) serves both: a caller offering VXLAN gets the tunnel ending on
 * the box (a VLAN with its VXLAN statement, its irb unit and the node's remote VTEP), one offering
 * VLAN gets a sub-interface on the port. The two kinds of Request alternate (the order flipping each
 * round), so both see the same machine load and the same growing configuration; all connections
 * are closed at the end, alternating too. Options: connections=100 (per plan) warmup=20 refreshes=20000.
 */
public final class DeviceVxlanLatencyBenchmark {
    private static final String SERVICE = "l2";
    private static final String NODE = "198.51.100.31";

    public static void main(String[] args) throws Exception {
        int connections = intArg(args, "connections", 100);
        int warmup = intArg(args, "warmup", 20);
        int refreshes = intArg(args, "refreshes", 20_000);
        NetconfTestbed bed = NetconfTestbed.shared(1, "candidate");
        java.nio.file.Path data = Files.createTempDirectory("ensm-dvx-bench-");
        EnsmRuntime runtime = null;
        ManagedChannel channel = null;
        try {
            runtime = EnsmRuntime.start(settings(bed, data), SqliteConnectionStore::new,
                    EnsmRuntime.Transport.plaintext(List.of()), Clock.systemUTC());
            channel = NettyChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
            NetworkServiceGrpc.NetworkServiceBlockingStub stub = NetworkServiceGrpc.newBlockingStub(channel);
            System.out.printf(Locale.ROOT, "device-vxlan next to fabric-vlan: netconfd behind OpenSSH on 127.0.0.1:%d, JDK %s,"
                    + " %d CPUs; %d connections per plan, %d warm-up%n", bed.device(1).port(), Runtime.version(),
                    Runtime.getRuntime().availableProcessors(), connections, warmup);
            warmUp(stub, refreshes);
            rounds(stub, warmup, false);
            rounds(stub, connections, true);
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
                Map.entry("known-hosts", d.knownHosts().toString()), Map.entry("driver", "junos"),
                Map.entry("port-name", "ge-0/0/2"), Map.entry("uplink", "ens-up"), Map.entry("vlans", "1000-3999"),
                Map.entry("plans", "device-vxlan,fabric-vlan"), Map.entry("vtep-address", "192.0.2.253"),
                Map.entry("configuration-namespace", BoxVxlanView.NS));
        return new EnsmSettings("ensm-bench", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:1", null, data,
                Duration.ofMinutes(10), Duration.ofHours(24), Duration.ofMinutes(1), Duration.ofHours(1), 1500, 5000, 8999,
                List.of(new ServiceSpec(SERVICE, Payload.ETHERNET, List.of("10.80.0.0/16"), List.of(), null)),
                List.of(new EndpointDefinition(new EndpointSpec("qfx-1", SERVICE, Map.of()), NetconfBackend.TYPE, s)),
                RecordingForwarderProvider.TYPE, Map.of(), List.of(), null, OrphanPolicy.SWEEP, null);
    }

    private static void rounds(NetworkServiceGrpc.NetworkServiceBlockingStub stub, int n, boolean print) {
        long[] vxlan = new long[n];
        long[] vlan = new long[n];
        long[] vxlanClose = new long[n];
        long[] vlanClose = new long[n];
        List<Connection> vxlanReplies = new ArrayList<>();
        List<Connection> vlanReplies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean vxlanFirst = i % 2 == 0;
            for (int k = 0; k < 2; k++) {
                boolean isVxlan = vxlanFirst == (k == 0);
                long t0 = System.nanoTime();
                Connection c = call(stub).request(request(isVxlan ? vxlanMechanism() : vlanMechanism()));
                long t = System.nanoTime() - t0;
                if (isVxlan) {
                    vxlan[i] = t;
                    vxlanReplies.add(c);
                } else {
                    vlan[i] = t;
                    vlanReplies.add(c);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            call(stub).close(vxlanReplies.get(i));
            vxlanClose[i] = System.nanoTime() - t0;
            t0 = System.nanoTime();
            call(stub).close(vlanReplies.get(i));
            vlanClose[i] = System.nanoTime() - t0;
        }
        if (print) {
            System.out.printf(Locale.ROOT, "%n== %d connections per plan, Requests alternating ==%n", n);
            System.out.println("                                  p50      p90      p99      max   (ms)");
            print("new connection, device-vxlan", vxlan);
            print("new connection, fabric-vlan", vlan);
            print("close, device-vxlan", vxlanClose);
            print("close, fabric-vlan", vlanClose);
            System.out.printf(Locale.ROOT, "device-vxlan / fabric-vlan, new connection (medians): %.2f%n",
                    pct(sorted(vxlan), 50) / pct(sorted(vlan), 50));
        }
    }

    /** Refreshes one connection so that the NSM API's path runs compiled, as in a service answering refreshes. */
    private static void warmUp(NetworkServiceGrpc.NetworkServiceBlockingStub stub, int n) {
        Connection c = call(stub).request(request(vxlanMechanism()));
        for (int i = 0; i < n; i++) {
            c = call(stub).request(NetworkServiceRequest.newBuilder().setConnection(c).addMechanismPreferences(vxlanMechanism()).build());
        }
        call(stub).close(c);
    }

    private static Mechanism vxlanMechanism() {
        return Mechanism.newBuilder().setCls("REMOTE").setType("VXLAN").putParameters("src_ip", NODE)
                .putParameters("src_port", "4789").build();
    }

    private static Mechanism vlanMechanism() {
        return Mechanism.newBuilder().setCls("REMOTE").setType("VLAN").build();
    }

    private static NetworkServiceGrpc.NetworkServiceBlockingStub call(NetworkServiceGrpc.NetworkServiceBlockingStub stub) {
        return stub.withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    /** A first Request as an NSC sends it: its own path segment, one mechanism, ten minutes of life. */
    private static NetworkServiceRequest request(Mechanism m) {
        String id = UUID.randomUUID().toString();
        Instant expires = Instant.now().plus(Duration.ofMinutes(10));
        Connection c = Connection.newBuilder().setId(id).setNetworkService(SERVICE)
                .setPath(Path.newBuilder().setIndex(0).addPathSegments(PathSegment.newBuilder().setName("bench-nsc").setId(id)
                        .setExpires(Timestamp.newBuilder().setSeconds(expires.getEpochSecond()))))
                .build();
        return NetworkServiceRequest.newBuilder().setConnection(c).addMechanismPreferences(m).build();
    }

    private static long[] sorted(long[] a) {
        long[] s = a.clone();
        Arrays.sort(s);
        return s;
    }

    private static void print(String what, long[] nanos) {
        long[] s = sorted(nanos);
        System.out.printf(Locale.ROOT, "%-32s %7.2f  %7.2f  %7.2f  %7.2f%n", what, pct(s, 50), pct(s, 90), pct(s, 99),
                s[s.length - 1] / 1e6);
    }
}
