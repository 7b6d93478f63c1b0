package io.ensm.openstack.bench;

import io.ensm.core.testing.Trees;
import io.ensm.api.connection.Connection;
import io.ensm.api.networkservice.NetworkServiceGrpc;
import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.Payload;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.runtime.EndpointDefinition;
import io.ensm.core.runtime.EnsmRuntime;
import io.ensm.core.runtime.EnsmSettings;
import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.testing.Requests;
import io.ensm.openstack.OpenStackBackend;
import io.ensm.openstack.testbed.RawOpenStack;
import io.ensm.openstack.testbed.TestBed;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * New-connection latency and Neutron requests per connection of the openstack backend, next to
 * the openstack CLI doing the same Neutron steps, in one run against the real Keystone and Neutron
 * of scripts/openstack-testbed. See docs/benchmarks.md.
 *
 * <p>ensm: the service assembled as deployed (SQLite store, gRPC on loopback) with a network
 * endpoint and a trunk endpoint; a client sends NSM Requests (VLAN mechanism) and Closes, one at
 * a time. The CLI: the same creates, tags, subport additions and deletes, one {@code openstack}
 * command per step, as an operator's script would run them.
 *
 * <p>Arguments: {@code ensm=20 cli=5 warmup=3}.
 */
public final class NewConnectionBenchmark {
    private static final String PREFIX = "bench-";

    private final TestBed bed;
    private final RawOpenStack raw;
    private final ServerLogs logs;
    private final Map<String, Integer> args;
    private final List<String> report = new ArrayList<>();

    private NewConnectionBenchmark(TestBed bed, Map<String, Integer> args) {
        this.bed = bed;
        this.raw = new RawOpenStack(bed);
        this.logs = new ServerLogs(bed.neutronLog(), bed.keystoneLog());
        this.args = args;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, Integer> args = new LinkedHashMap<>(Map.of("ensm", 20, "cli", 5, "warmup", 3));
        for (String a : argv) {
            String[] kv = a.split("=", 2);
            if (kv.length != 2 || !args.containsKey(kv[0])) {
                throw new IllegalArgumentException("unknown argument '" + a + "'; known: " + args.keySet());
            }
            args.put(kv[0], Integer.parseInt(kv[1]));
        }
        TestBed bed = TestBed.start();
        try {
            new NewConnectionBenchmark(bed, args).run();
        } finally {
            bed.close();
        }
    }

    record Setup(String network, String pool, String trunk, String parentMac) {}

    private void run() throws Exception {
        raw.sweep(PREFIX);
        Setup s = new Setup(
                raw.vlanNetwork(PREFIX + "net", "physnet1", 195, "172.16.95.0/24", null),
                raw.vlanNetwork(PREFIX + "sub-196", "physnet1", 196, "172.16.96.0/24", null, "ensm-subports=bench"),
                null, null);
        String vmNet = raw.vlanNetwork(PREFIX + "vm-net", "physnet1", 197, "10.197.0.0/24", null);
        RawOpenStack.Trunk vm = raw.vmTrunk(PREFIX + "vm", vmNet, UUID.randomUUID().toString());
        s = new Setup(s.network(), s.pool(), vm.id(), vm.parentMac());
        try {
            ensm(s);
            cli(s);
        } finally {
            raw.sweep(PREFIX);
        }
        System.out.println();
        report.forEach(System.out::println);
    }

    // ------------------------------------------------------------------ ensm

    private void ensm(Setup s) throws Exception {
        Path data = Files.createTempDirectory("ensm-bench-os");
        Path password = data.resolve("password");
        Map<String, String> login = bed.adminSettings(password);
        EnsmSettings settings = new EnsmSettings("ensm-bench", new InetSocketAddress("127.0.0.1", 0), "tcp://127.0.0.1:0", null,
                data, Duration.ofMinutes(10), Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofHours(1), 1500, 1, 1000,
                List.of(new ServiceSpec("net", Payload.ETHERNET, List.of("172.16.95.0/24"), List.of()),
                        new ServiceSpec("vm", Payload.ETHERNET, List.of("172.16.96.0/24"), List.of())),
                List.of(endpoint("bench-net", "net", login, Map.of("network", s.network(), "vlans", "195")),
                        endpoint("bench-vm", "vm", login, Map.of("trunk", s.trunk(), "vlans", "196-196",
                                "subport-networks", "ensm-subports=bench"))),
                null, Map.of());
        try (EnsmRuntime runtime = EnsmRuntime.start(settings, SqliteConnectionStore::new, EnsmRuntime.Transport.plaintext(List.of()),
                Clock.systemUTC())) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", runtime.port()).usePlaintext().build();
            try {
                for (String service : List.of("net", "vm")) {
                    OpenStackBackend backend = (OpenStackBackend) io.ensm.core.observe.EnsmMeters.unwrap(
                            runtime.catalog().endpoint("bench-" + service).orElseThrow().backend());
                    measureEnsm(channel, service, backend);
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            // The store and the admin password file.
            Trees.delete(data);
        }
    }

    private static EndpointDefinition endpoint(String name, String service, Map<String, String> login, Map<String, String> target) {
        Map<String, String> s = new LinkedHashMap<>(login);
        s.putAll(Map.of("physical-network", "physnet1", "uplink", "eth1"));
        s.putAll(target);
        return new EndpointDefinition(new EndpointSpec(name, service, Map.of()), "openstack", s);
    }

    private void measureEnsm(ManagedChannel channel, String service, OpenStackBackend backend) {
        var ns = NetworkServiceGrpc.newBlockingStub(channel);
        Supplier<Connection> request = () -> ns.withDeadlineAfter(60, TimeUnit.SECONDS).request(Requests.request().service(service)
                .mechanisms(Requests.vlan()).expires(Instant.now().plus(Duration.ofMinutes(10))).build());
        for (int i = 0; i < args.get("warmup"); i++) {
            ns.withDeadlineAfter(60, TimeUnit.SECONDS).close(request.get());
        }
        Series open = new Series();
        Series close = new Series();
        long calls = backend.cloud().calls().total();
        long logins = backend.cloud().tokens().logins();
        logs.mark();
        int n = args.get("ensm");
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Connection c = request.get();
            long t1 = System.nanoTime();
            ns.withDeadlineAfter(60, TimeUnit.SECONDS).close(c);
            long t2 = System.nanoTime();
            open.add(t1 - t0);
            close.add(t2 - t1);
        }
        var neutron = logs.neutronSinceMark();
        var keystone = logs.keystoneSinceMark();
        report.add("ensm " + service + ": " + n + " connections (Request then Close), after " + args.get("warmup") + " warm-up");
        report.add("  Request ms  " + open.summary());
        report.add("  Close ms    " + close.summary());
        report.add("  Neutron requests per connection: counted by ensm " + per(backend.cloud().calls().total() - calls, n)
                + ", in Neutron's log " + per(neutron.size(), n) + " " + byOperation(neutron, n));
        report.add("  Neutron server time per connection: " + ms(neutron.stream().mapToDouble(ServerLogs.Request::seconds).sum() / n));
        report.add("  Keystone requests in its log: " + keystone.size() + " (logins by ensm: " + (backend.cloud().tokens().logins() - logins) + ")");
    }

    // ------------------------------------------------------------------ openstack CLI

    private void cli(Setup s) throws Exception {
        int n = args.get("cli");
        for (String scenario : List.of("net", "vm")) {
            Series open = new Series();
            Series close = new Series();
            logs.mark();
            for (int i = 0; i < n; i++) {
                String id = UUID.randomUUID().toString();
                String name = "ensm-" + id;
                String tags = "--tag ensm-connection=" + id + " --tag ensm-endpoint=bench-cli";
                long t0 = System.nanoTime();
                if (scenario.equals("net")) {
                    openstack("port create --network " + s.network() + " --fixed-ip ip-address=172.16.95." + (10 + i) + " " + tags
                            + " " + name + " -f value -c id");
                } else {
                    String port = openstack("port create --network " + s.pool() + " --fixed-ip ip-address=172.16.96." + (10 + i)
                            + " --mac-address " + s.parentMac() + " " + tags + " " + name + " -f value -c id").strip();
                    openstack("network trunk set --subport port=" + port + ",segmentation-type=vlan,segmentation-id=196 " + s.trunk());
                }
                long t1 = System.nanoTime();
                if (scenario.equals("vm")) {
                    openstack("network trunk unset --subport " + name + " " + s.trunk());
                }
                openstack("port delete " + name);
                long t2 = System.nanoTime();
                open.add(t1 - t0);
                close.add(t2 - t1);
            }
            var neutron = logs.neutronSinceMark();
            var keystone = logs.keystoneSinceMark();
            report.add("openstack CLI " + scenario + ": " + n + " connections, one command per step");
            report.add("  create ms   " + open.summary());
            report.add("  delete ms   " + close.summary());
            report.add("  Neutron requests per connection in Neutron's log " + per(neutron.size(), n) + " " + byOperation(neutron, n));
            report.add("  Neutron server time per connection: " + ms(neutron.stream().mapToDouble(ServerLogs.Request::seconds).sum() / n));
            report.add("  Keystone requests per connection in its log: " + per(keystone.size(), n));
        }
    }

    private String openstack(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", ". " + bed.adminrc() + " && openstack " + command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("openstack " + command + " failed:\n" + out);
        }
        return out;
    }

    // ------------------------------------------------------------------ figures

    private static String per(long count, int n) {
        return String.format("%.1f", (double) count / n);
    }

    private static String ms(double seconds) {
        return String.format("%.0f ms", seconds * 1000);
    }

    private static String byOperation(List<ServerLogs.Request> requests, int n) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (ServerLogs.Request r : requests) {
            String path = r.path().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "{id}").replaceAll("\\?.*", "?...");
            counts.merge(r.method() + " " + path, 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder("(");
        counts.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append(" ").append(per(v, n)));
        return b.append(")").toString();
    }

    /** Latencies of one series, in ns. */
    static final class Series {
        private final List<Long> values = new ArrayList<>();

        void add(long nanos) {
            values.add(nanos);
        }

        String summary() {
            List<Long> sorted = values.stream().sorted().toList();
            return String.format("median %.0f  p90 %.0f  min %.0f  max %.0f", at(sorted, 0.5), at(sorted, 0.9),
                    sorted.getFirst() / 1e6, sorted.getLast() / 1e6);
        }

        private static double at(List<Long> sorted, double q) {
            int i = (int) Math.ceil(q * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1e6;
        }
    }
}
