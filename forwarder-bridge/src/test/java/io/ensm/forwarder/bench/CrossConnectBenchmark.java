package io.ensm.forwarder.bench;

import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.testing.Contexts;
import io.ensm.forwarder.bridge.BridgeForwarder;
import io.ensm.forwarder.bridge.BridgeForwarderProvider;
import io.ensm.forwarder.bridge.BridgeSettings;
import io.ensm.forwarder.bridge.LinkNames;
import io.ensm.forwarder.netlink.Rtnetlink;
import io.ensm.core.testing.Cmd;
import io.ensm.forwarder.testbed.CrossConnectBed;
import io.ensm.forwarder.testbed.Namespaces;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Per-connection setup and teardown through the forwarder against the same iproute2 commands run
 * one by one (and through one long-lived {@code ip -batch} process), then iperf3 TCP throughput
 * through ensm's leg against plain VXLAN between the same namespaces. See docs/benchmarks.md.
 * Arguments: {@code connections=N warmup=N rounds=N seconds=N}.
 */
public final class CrossConnectBenchmark {
    private static final int VNI_BASE = 10_000;

    private final Map<String, Integer> options;
    private final Namespaces namespaces = new Namespaces("ensmb-");
    private String node;
    private String ensm;
    private String attach;
    private Stats kernelDeleteFloor;

    private CrossConnectBenchmark(Map<String, Integer> options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, Integer> o = new HashMap<>(Map.of("connections", 200, "warmup", 300, "rounds", 5, "seconds", 4));
        for (String a : args) {
            String[] kv = a.split("=", 2);
            if (kv.length != 2 || !o.containsKey(kv[0])) {
                throw new IllegalArgumentException("unknown argument '" + a + "'; known: " + o.keySet());
            }
            o.put(kv[0], Integer.parseInt(kv[1]));
        }
        Locale.setDefault(Locale.ROOT);
        new CrossConnectBenchmark(o).run();
    }

    private void run() throws Exception {
        try {
            node = namespaces.create("node");
            ensm = namespaces.create("ensm");
            attach = namespaces.create("attach");
            underlay();
            System.out.println("# forwarder-bridge benchmark, " + Cmd.exec("uname", "-sr").output().strip() + ", "
                    + Runtime.getRuntime().availableProcessors() + " CPUs, JDK " + Runtime.version());
            setupTeardown();
            throughput();
        } finally {
            List<String> problems = namespaces.deleteAll();
            if (!problems.isEmpty()) {
                System.err.println("cleanup: " + problems);
            }
        }
    }

    private void underlay() {
        Cmd.run("ip", "-n", node, "link", "add", "ul0", "type", "veth", "peer", "name", "ul0", "netns", ensm);
        Cmd.run("ip", "-n", node, "addr", "add", CrossConnectBed.NODE_UNDERLAY + "/24", "dev", "ul0");
        Cmd.run("ip", "-n", ensm, "addr", "add", CrossConnectBed.ENSM_UNDERLAY + "/24", "dev", "ul0");
        Cmd.run("ip", "-n", node, "link", "set", "ul0", "up");
        Cmd.run("ip", "-n", ensm, "link", "set", "ul0", "up");
    }

    private BridgeForwarder forwarder() {
        return (BridgeForwarder) new BridgeForwarderProvider().create(Contexts.forwarder("bridge",
                Map.of(BridgeSettings.LOCAL_IP, CrossConnectBed.ENSM_UNDERLAY, BridgeSettings.NETNS, ensm), Contexts.OWNER, Map.of()));
    }

    private record Conn(String id, int vni, String peer, LinkNames names) {}

    private List<Conn> connections(int n, int offset) {
        List<Conn> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = UUID.randomUUID().toString();
            out.add(new Conn(id, VNI_BASE + offset + i, "nsm" + (offset + i), LinkNames.of(Contexts.OWNER, id)));
        }
        return out;
    }

    private CrossConnect cc(Conn c) {
        return new CrossConnect(c.id(), c.vni(), CrossConnectBed.NODE_UNDERLAY, 4789, new Attachment.Namespace(attach, c.peer()), 1450);
    }

    private List<IpScript.Step> ipSetup(Conn c) {
        return IpScript.setup(ensm, attach, c.id(), c.names().bridge(), c.names().veth(), c.peer(), c.names().vxlan(), c.vni(),
                CrossConnectBed.NODE_UNDERLAY, CrossConnectBed.ENSM_UNDERLAY, 1450);
    }

    private List<IpScript.Step> ipTeardown(Conn c) {
        return IpScript.teardown(ensm, c.names().bridge(), c.names().veth(), c.names().vxlan());
    }

    private interface Op {
        void run(Conn c) throws Exception;
    }

    private static long[] time(List<Conn> conns, Op op) throws Exception {
        long[] t = new long[conns.size()];
        for (int i = 0; i < conns.size(); i++) {
            long s = System.nanoTime();
            op.run(conns.get(i));
            t[i] = System.nanoTime() - s;
        }
        return t;
    }

    private static void ipOneByOne(List<IpScript.Step> steps) {
        for (IpScript.Step s : steps) {
            List<String> cmd = new ArrayList<>(List.of("ip", "-n", s.netns()));
            cmd.addAll(s.args());
            Cmd.run(cmd.toArray(String[]::new));
        }
    }

    private static void ipBatched(Map<String, IpBatch> batches, List<IpScript.Step> steps) throws Exception {
        int i = 0;
        while (i < steps.size()) {
            String ns = steps.get(i).netns();
            List<List<String>> group = new ArrayList<>();
            while (i < steps.size() && steps.get(i).netns().equals(ns)) {
                group.add(steps.get(i).args());
                i++;
            }
            batches.get(ns).run(group);
        }
    }

    private void setupTeardown() throws Exception {
        int n = options.get("connections");
        int warm = options.get("warmup");
        System.out.println("\n## Per-connection setup and teardown (" + n + " connections, namespace attachment, after "
                + warm + " warm-up connections per method)\n");
        Map<String, long[][]> results = new java.util.LinkedHashMap<>();
        try (BridgeForwarder fwd = forwarder()) {
            for (Conn c : connections(warm, 0)) {
                fwd.connect(cc(c));
                fwd.disconnect(cc(c));
            }
            settle(fwd);
            List<Conn> conns = connections(n, 1000);
            long[] up = time(conns, c -> fwd.connect(cc(c)));
            long lastCloseStart = System.nanoTime();
            long[] down = time(conns, c -> fwd.disconnect(cc(c)));
            long closesDone = System.nanoTime();
            settle(fwd);
            long gone = System.nanoTime();
            results.put("ensm forwarder (rtnetlink over FFM)", new long[][] {up, down});
            System.out.printf("ensm forwarder: %d disconnects answered in %.1f ms; their links were all deleted %.1f ms after the"
                            + " last answer (%.1f ms per connection from the first disconnect)%n%n", n,
                    (closesDone - lastCloseStart) / 1e6, (gone - closesDone) / 1e6, (gone - lastCloseStart) / 1e6 / n);

            // What the kernel alone needs to delete the three links, one request after the other.
            List<Conn> floor = connections(n, 6000);
            for (Conn c : floor) {
                fwd.connect(cc(c));
            }
            try (Rtnetlink nl = Rtnetlink.openIn(ensm)) {
                Map<String, Integer> index = new HashMap<>();
                nl.links().list().forEach(l -> index.put(l.name(), l.index()));
                long[] bare = time(floor, c -> {
                    nl.links().delete(index.get(c.names().vxlan()), c.names().vxlan());
                    nl.links().delete(index.get(c.names().veth()), c.names().veth());
                    nl.links().delete(index.get(c.names().bridge()), c.names().bridge());
                });
                kernelDeleteFloor = Stats.of(bare);
            }
        }
        for (Conn c : connections(Math.min(warm, 20), 2000)) {
            ipOneByOne(ipSetup(c));
            ipOneByOne(ipTeardown(c));
        }
        List<Conn> conns = connections(n, 3000);
        long[] up = time(conns, c -> ipOneByOne(ipSetup(c)));
        long[] down = time(conns, c -> ipOneByOne(ipTeardown(c)));
        results.put("`ip` commands one by one (7 up, 3 down)", new long[][] {up, down});

        try (IpBatch e = new IpBatch(ensm); IpBatch a = new IpBatch(attach)) {
            Map<String, IpBatch> batches = Map.of(ensm, e, attach, a);
            for (Conn c : connections(warm, 4000)) {
                ipBatched(batches, ipSetup(c));
                ipBatched(batches, ipTeardown(c));
            }
            List<Conn> bc = connections(n, 5000);
            long[] bup = time(bc, c -> ipBatched(batches, ipSetup(c)));
            long[] bdown = time(bc, c -> ipBatched(batches, ipTeardown(c)));
            results.put("two long-lived `ip -batch -` processes", new long[][] {bup, bdown});
        }

        System.out.println("| method, setup | p50 µs | p90 µs | p99 µs | mean µs |");
        System.out.println("|---|---:|---:|---:|---:|");
        results.forEach((k, v) -> System.out.println(Stats.of(v[0]).row(k)));
        System.out.println();
        System.out.println("| method, teardown | p50 µs | p90 µs | p99 µs | mean µs |");
        System.out.println("|---|---:|---:|---:|---:|");
        results.forEach((k, v) -> System.out.println(Stats.of(v[1]).row(k)));
        System.out.println(kernelDeleteFloor.row("kernel alone: 3 × RTM_DELLINK in sequence, no lookups"));
        long[][] f = results.get("ensm forwarder (rtnetlink over FFM)");
        long[][] ip = results.get("`ip` commands one by one (7 up, 3 down)");
        System.out.printf("%nratio forwarder / ip one by one (median): setup %.3f, teardown %.3f (target <= 0.100)%n",
                (double) Stats.of(f[0]).percentile(50) / Stats.of(ip[0]).percentile(50),
                (double) Stats.of(f[1]).percentile(50) / Stats.of(ip[1]).percentile(50));
    }

    /** Disconnect answers before the kernel has deleted the links; wait for those deletions. */
    private static void settle(BridgeForwarder fwd) {
        if (!fwd.settle(java.time.Duration.ofMinutes(5))) {
            throw new IllegalStateException("link deletions still pending after 5 minutes");
        }
    }

    private void throughput() throws Exception {
        int rounds = options.get("rounds");
        int seconds = options.get("seconds");
        System.out.println("\n## iperf3 TCP throughput, " + rounds + " alternating rounds of " + seconds + " s\n");
        // ensm's leg: node vx0 -> ensm's VXLAN -> bridge -> veth -> attach
        Cmd.run("ip", "-n", node, "link", "add", "vx0", "mtu", "1450", "type", "vxlan", "id", "7001", "remote",
                CrossConnectBed.ENSM_UNDERLAY, "local", CrossConnectBed.NODE_UNDERLAY, "dstport", "4789");
        Cmd.run("ip", "-n", node, "addr", "add", "10.60.0.1/24", "dev", "vx0");
        Cmd.run("ip", "-n", node, "link", "set", "vx0", "up");
        // plain VXLAN between the same two namespaces, terminated in ensm's namespace itself
        Cmd.run("ip", "-n", node, "link", "add", "vx1", "mtu", "1450", "type", "vxlan", "id", "7002", "remote",
                CrossConnectBed.ENSM_UNDERLAY, "local", CrossConnectBed.NODE_UNDERLAY, "dstport", "4789");
        Cmd.run("ip", "-n", node, "addr", "add", "10.61.0.1/24", "dev", "vx1");
        Cmd.run("ip", "-n", node, "link", "set", "vx1", "up");
        Cmd.run("ip", "-n", ensm, "link", "add", "vx1", "mtu", "1450", "type", "vxlan", "id", "7002", "remote",
                CrossConnectBed.NODE_UNDERLAY, "local", CrossConnectBed.ENSM_UNDERLAY, "dstport", "4789");
        Cmd.run("ip", "-n", ensm, "addr", "add", "10.61.0.2/24", "dev", "vx1");
        Cmd.run("ip", "-n", ensm, "link", "set", "vx1", "up");

        try (BridgeForwarder fwd = forwarder()) {
            CrossConnect cc = new CrossConnect(UUID.randomUUID().toString(), 7001, CrossConnectBed.NODE_UNDERLAY, 4789,
                    new Attachment.Namespace(attach, "nsm0"), fwd.info().mtu());
            fwd.connect(cc);
            Cmd.run("ip", "-n", attach, "addr", "add", "10.60.0.2/24", "dev", "nsm0");
            if (!CrossConnectBed.ping(node, "10.60.0.2") || !CrossConnectBed.ping(node, "10.61.0.2")) {
                throw new IllegalStateException("no path for the throughput runs");
            }
            double[] leg = new double[rounds];
            double[] plain = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                plain[r] = Iperf.tcp(ensm, "10.61.0.2", node, seconds);
                leg[r] = Iperf.tcp(attach, "10.60.0.2", node, seconds);
            }
            fwd.disconnect(cc);
            System.out.println("| path | " + String.join(" | ", java.util.stream.IntStream.rangeClosed(1, rounds).mapToObj(i -> "round " + i).toList())
                    + " | median |");
            System.out.println("|---|" + "---:|".repeat(rounds + 1));
            System.out.println(row("plain VXLAN node -> ensm namespace", plain));
            System.out.println(row("ensm leg node -> VXLAN -> bridge -> veth -> attachment", leg));
            System.out.printf("%nratio ensm leg / plain VXLAN (medians): %.3f (target >= 0.900)%n", median(leg) / median(plain));
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String row(String label, double[] bps) {
        StringBuilder b = new StringBuilder("| " + label + " | ");
        for (double v : bps) {
            b.append(String.format("%.2f Gbit/s | ", v / 1e9));
        }
        return b.append(String.format("**%.2f Gbit/s** |", median(bps) / 1e9)).toString();
    }
}
