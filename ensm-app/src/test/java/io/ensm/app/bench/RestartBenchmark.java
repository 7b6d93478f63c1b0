package io.ensm.app.bench;

import io.ensm.core.store.SqliteConnectionStore;
import io.ensm.core.store.StoredConnection;
import io.ensm.netconf.backend.AppliedFleet;
import io.ensm.netconf.testbed.NetconfTestbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A restart of ensm holding many APPLIED connections (10,000 by default) over three netconfd boxes
 * of its own test bed. Each connection is in the store (written through {@link SqliteConnectionStore})
 * and its sub-interface on its box: each box boots with them in its startup file, rendered as ensm's
 * driver renders them ({@link AppliedFleet#startupEntries}), since netconfd takes too long to
 * accept thousands of entries on a port through edit-config. Before anything is timed, a get-config
 * through OpenSSH counts each box's marked entries.
 * For each start of {@code scripts/run}, timed from the launch of the script:
 * <ul>
 * <li>the end of the first reconciliation pass (the service's {@code event=recovery-done} line),
 * {@code event=ensm-started}, and gRPC health SERVING on the NSM API;</li>
 * <li>the NETCONF reads of each box in the first pass and in the periodic passes that follow: the
 * backend's {@code event=netconf_read} lines, logged at DEBUG for the benchmark;</li>
 * <li>as a cross-check from the boxes' side, the get-config RPCs each netconfd logged while the
 * service ran, when the test bed runs netconfd at debug level (scripts/bench-restart does; else 0). These
 * include each new session's first-RPC check and keep-alive pings, which are get-configs too.</li>
 * </ul>
 * The first start trains the ahead-of-time cache (on a throw-away data directory) and is reported
 * apart. Not a unit test: run it with {@code scripts/bench-restart}.
 *
 * <p>Options as {@code key=value}: {@code connections} (10000), {@code restarts} (3),
 * {@code interval} (reconcile interval, 5s), {@code periodic-passes} (2), {@code java-opts};
 * {@code compare=DIR}: another ensm tree (its {@code scripts/} and packaged jar), started in turn
 * with this one on the same boxes and store, the two taking turns to go first in each round of restarts;
 * {@code keep-logs=DIR}: where to keep each start's output.
 */
public final class RestartBenchmark {
    private static final int BOXES = 3;
    private static final String SERVICE = "fleet";
    private static final String CIDR = "10.80.0.0/16";
    /** The service's name, which its marks name as their owner. */
    private static final String OWNER = "ensm-restart-bench";
    private static final Pattern READ = Pattern.compile("event=netconf_read device=(\\S+) port=\\S+ sub_interfaces=(\\d+) ms=(\\d+)");

    /** What one start showed, in ms from the launch of the script. */
    record Start(double passEndMs, double startedMs, double servingMs, String recovery, Map<String, List<Read>> reads,
                 Map<Integer, Long> deviceGetConfigs) {}

    /** One read of a box by the service: when (ms from launch), how many sub-interfaces it returned, how long it took. */
    record Read(double atMs, int subInterfaces, int ms) {}

    /** A build of ensm to start: the tree's scripts/run with its packaged jar. */
    record Variant(String name, Path script) {}

    private final Path work;
    private final NetconfTestbed bed;
    private final Map<String, String> settings;
    private final String javaOpts;
    private final Duration interval;
    private final int periodicPasses;
    private final Path keepLogs;

    private RestartBenchmark(Path work, NetconfTestbed bed, String javaOpts, Duration interval, int periodicPasses, Path keepLogs) {
        this.work = work;
        this.keepLogs = keepLogs;
        this.bed = bed;
        this.javaOpts = javaOpts;
        this.interval = interval;
        this.periodicPasses = periodicPasses;
        this.settings = settings(bed, interval);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = ServiceStarts.options(args, Map.of("connections", "10000", "restarts", "3", "interval", "5s",
                "periodic-passes", "2", "java-opts", "", "compare", "", "keep-logs", ""));
        int connections = Integer.parseInt(o.get("connections"));
        // The backends that land the connections would log a line for each of them, SSH more.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Duration interval = Duration.ofSeconds(Long.parseLong(o.get("interval").replaceAll("s$", "")));
        System.out.printf(Locale.ROOT, "restart benchmark: %d APPLIED connections over %d netconfd boxes, reconcile interval %s, "
                        + "JDK %s, %d CPUs, ENSM_JAVA_OPTS='%s', load average %s%n", connections, BOXES, interval,
                Runtime.version(), Runtime.getRuntime().availableProcessors(), o.get("java-opts"), ServiceStarts.loadAverage());
        Path work = Files.createTempDirectory("ensm-bench-restart-");
        NetconfTestbed bed = null;
        try {
            List<StoredConnection> fleet = fleet(connections);
            bed = bootBoxes(work, fleet);
            Path keep = o.get("keep-logs").isEmpty() ? null : Files.createDirectories(Path.of(o.get("keep-logs")).toAbsolutePath());
            RestartBenchmark b = new RestartBenchmark(work, bed, o.get("java-opts"), interval, Integer.parseInt(o.get("periodic-passes")), keep);
            List<Variant> variants = new ArrayList<>();
            if (!o.get("compare").isEmpty()) {
                // Another build, started in turn with this one on the same boxes and store: an A/B in one window.
                variants.add(new Variant("other", Path.of(o.get("compare"), "scripts", "run").toAbsolutePath()));
            }
            variants.add(new Variant("this", Path.of("scripts", "run").toAbsolutePath()));
            b.run(fleet, Integer.parseInt(o.get("restarts")), variants);
        } finally {
            if (bed != null) {
                bed.close();
            }
            ServiceStarts.deleteTree(work);
        }
    }

    private void run(List<StoredConnection> fleet, int restarts, List<Variant> variants) throws Exception {
        checkBoxes(fleet);
        store(fleet);
        ServiceStarts.warmClient();
        Map<Variant, List<Start>> timed = new LinkedHashMap<>();
        for (Variant v : variants) {
            Start training = start(v, "training");
            print(label(v, variants) + "first start (extracts the jar, trains the cache)", training);
            timed.put(v, new ArrayList<>());
        }
        for (int i = 1; i <= restarts; i++) {
            // Each build goes first in every other round, so neither always starts on what the other left warm.
            for (Variant v : i % 2 == 1 ? variants : variants.reversed()) {
                timed.get(v).add(start(v, "restart-" + i));
                print(label(v, variants) + "restart " + i, timed.get(v).getLast());
            }
        }
        System.out.println();
        System.out.println("load average (1, 5, 15 min) at the end: " + ServiceStarts.loadAverage());
        for (Variant v : variants) {
            if (variants.size() > 1) {
                System.out.println(v.name() + ": " + v.script());
            }
            List<Start> starts = timed.get(v);
            System.out.println("| restart | end of first pass | event=ensm-started | SERVING | reads per box, first pass | reads per box and periodic pass |");
            System.out.println("|---|---:|---:|---:|---|---|");
            for (int i = 0; i < starts.size(); i++) {
                Start s = starts.get(i);
                System.out.printf(Locale.ROOT, "| %d | %.0f ms | %.0f ms | %.0f ms | %s | %s |%n", i + 1, s.passEndMs(), s.startedMs(),
                        s.servingMs(), firstPassReads(s), periodicReads(s));
            }
            List<Double> passEnd = starts.stream().map(Start::passEndMs).sorted().toList();
            List<Double> serving = starts.stream().map(Start::servingMs).sorted().toList();
            System.out.printf(Locale.ROOT, "median of %d restarts: end of first pass %.0f ms, SERVING %.0f ms%n", starts.size(),
                    ServiceStarts.median(passEnd), ServiceStarts.median(serving));
        }
    }

    private static String label(Variant v, List<Variant> variants) {
        return variants.size() > 1 ? v.name() + " " : "";
    }

    /** The service's settings: one netconf endpoint per box, each on its own uplink's VLANs 1-3999 of port eth1. */
    private static Map<String, String> settings(NetconfTestbed bed, Duration interval) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ensm.name", OWNER);
        p.put("ensm.services[0].name", SERVICE);
        p.put("ensm.services[0].payload", "ETHERNET");
        p.put("ensm.services[0].cidrs[0]", CIDR);
        p.put("ensm.connections.max-lifetime", "24h");
        for (int i = 0; i < BOXES; i++) {
            String e = "ensm.endpoints[" + i + "].";
            p.put(e + "name", box(i));
            p.put(e + "service", SERVICE);
            p.put(e + "backend.type", "netconf");
            backendSettings(bed.device(i + 1), i).forEach((k, v) -> p.put(e + "backend.settings." + k, v));
        }
        p.put("ensm.reconcile-interval", interval.toSeconds() + "s");
        p.put("logging.level.io.ensm.netconf.backend.NetconfBackend", "DEBUG");
        return p;
    }

    private static String box(int i) {
        return "box-" + (i + 1);
    }

    private static Map<String, String> backendSettings(NetconfTestbed.Device d, int i) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("host", d.host());
        s.put("port", Integer.toString(d.port()));
        s.put("username", d.username());
        s.put("password-file", d.passwordFile().toString());
        s.put("known-hosts", d.knownHosts().toString());
        s.putAll(rendering(i));
        return s;
    }

    /** The settings the sub-interfaces' rendering depends on, the same for the startup files and the service. */
    private static Map<String, String> rendering(int i) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("driver", "ietf");
        s.put("port-name", "eth1");
        s.put("uplink", "up-" + (i + 1));
        // eth1.4000 is the operator's sub-interface the test bed made.
        s.put("vlans", "1-3999");
        s.put("plans", "fabric-vlan");
        return s;
    }

    /** The connections, dealt round robin over the boxes, each box's VLANs from 1 up on its own uplink. */
    private static List<StoredConnection> fleet(int connections) {
        List<AppliedFleet.Endpoint> layout = new ArrayList<>();
        for (int i = 0; i < BOXES; i++) {
            layout.add(new AppliedFleet.Endpoint(box(i), "uplink:up-" + (i + 1), 1));
        }
        return AppliedFleet.connections(connections, SERVICE, CIDR, layout, Instant.now().plus(Duration.ofHours(12)));
    }

    /**
     * Starts the test bed with each box booting from a startup file that holds its connections'
     * sub-interfaces, and reports how long the boxes' netconfd took to load them (all at once).
     */
    private static NetconfTestbed bootBoxes(Path work, List<StoredConnection> fleet) throws IOException {
        Map<Integer, Path> startups = new LinkedHashMap<>();
        for (int i = 0; i < BOXES; i++) {
            Path file = work.resolve("startup-" + box(i) + ".xml");
            Files.writeString(file, AppliedFleet.startupEntries(box(i), rendering(i), OWNER, fleet));
            startups.put(i + 1, file);
        }
        long t0 = System.nanoTime();
        NetconfTestbed bed = NetconfTestbed.startOwn("restart-bench", BOXES, "candidate", 18860, startups);
        double total = (System.nanoTime() - t0) / 1e9;
        List<String> boots = new ArrayList<>();
        for (int i = 1; i <= BOXES; i++) {
            Path device = bed.dir().resolve("device-" + i);
            // Launch: the pid file the script wrote; loaded: the socket netconfd opens once its datastore is in.
            double seconds = Duration.between(Files.getLastModifiedTime(device.resolve("netconfd.pid")).toInstant(),
                    Files.getLastModifiedTime(device.resolve("ncxserver.sock")).toInstant()).toMillis() / 1e3;
            boots.add(String.format(Locale.ROOT, "%s %.1f s", box(i - 1), seconds));
        }
        System.out.printf(Locale.ROOT, "prepared the boxes: netconfd booted with the sub-interfaces in its startup file (%s, the three at once); "
                + "test bed started in %.1f s; load average %s%n", String.join(", ", boots), total, ServiceStarts.loadAverage());
        return bed;
    }

    /** Counts each box's marked sub-interfaces with a get-config through OpenSSH; fails unless every connection's is there. */
    private void checkBoxes(List<StoredConnection> fleet) {
        List<String> counts = new ArrayList<>();
        for (int i = 0; i < BOXES; i++) {
            String name = box(i);
            long expected = fleet.stream().filter(c -> c.endpoint().equals(name)).count();
            String reply = bed.independentGetConfig(i + 1, "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\"><interface>"
                    + "<parent-interface xmlns=\"urn:ietf:params:xml:ns:yang:ietf-if-extensions\">eth1</parent-interface></interface></interfaces>");
            Matcher m = Pattern.compile("<description>ensm@" + Pattern.quote(OWNER) + ":fleet-" + name + "-\\d+</description>").matcher(reply);
            long found = 0;
            while (m.find()) {
                found++;
            }
            if (found != expected) {
                throw new IllegalStateException(name + " holds " + found + " of its " + expected + " sub-interfaces after its boot");
            }
            counts.add(name + " " + found);
        }
        System.out.println("checked with get-config: marked sub-interfaces on port eth1: " + String.join(", ", counts));
    }

    /** Writes the connections into the store, as a running ensm had left them. */
    private void store(List<StoredConnection> fleet) {
        long t0 = System.nanoTime();
        try (SqliteConnectionStore store = new SqliteConnectionStore(work.resolve("data"))) {
            fleet.forEach(store::put);
        }
        System.out.printf(Locale.ROOT, "prepared the store: %d rows in %.1f s%n", fleet.size(), (System.nanoTime() - t0) / 1e9);
    }

    /** One start of scripts/run on the prepared store, timed from the launch; stopped with SIGTERM once the periodic passes were seen. */
    private Start start(Variant variant, String start) throws Exception {
        String name = variant.name() + "-" + start;
        int port = ServiceStarts.freePort();
        List<String> command = new ArrayList<>(List.of(variant.script().toString(), "--ensm.listen=127.0.0.1:" + port,
                "--server.port=" + ServiceStarts.freePort(), "--ensm.data-dir=" + work.resolve("data")));
        settings.forEach((k, v) -> command.add("--" + k + "=" + v));
        ProcessBuilder pb = new ProcessBuilder(command).directory(Files.createDirectories(work.resolve(name)).toFile())
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("ENSM_NO_BUILD", "1");
        env.put("ENSM_AOT_DIR", work.resolve("aot-" + variant.name()).toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("ENSM_JAVA_OPTS", javaOpts);
        env.remove("ENSM_NO_AOT");
        Map<Integer, Long> getConfigsBefore = deviceGetConfigs();
        Output out = new Output(work.resolve(name + ".log"));
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        Thread reader = Thread.ofVirtual().start(() -> out.read(p, t0));
        try {
            long serving = ServiceStarts.awaitServing(p, port, t0);
            double passEnd = out.await("event=recovery-done", p);
            double started = out.await("event=ensm-started", p);
            awaitPeriodicReads(out, p, started);
            Map<Integer, Long> getConfigs = deviceGetConfigs();
            getConfigs.replaceAll((k, v) -> v - getConfigsBefore.get(k));
            return new Start(passEnd, started, (serving - t0) / 1e6, out.line("event=recovery-done"), out.readsByBox(),
                    getConfigs);
        } catch (RuntimeException | InterruptedException e) {
            throw new IllegalStateException(name + ": " + e.getMessage() + "; output in " + out.file + ":\n" + out.tail(), e);
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            reader.join(Duration.ofSeconds(10));
            if (keepLogs != null) {
                Files.copy(out.file, keepLogs.resolve(name + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Waits until every box was read in {@code periodicPasses} passes after the start (bounded). */
    private void awaitPeriodicReads(Output out, Process p, double startedMs) throws InterruptedException {
        long deadline = System.nanoTime() + interval.multipliedBy(periodicPasses + 3).toNanos() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            Map<String, List<Read>> reads = out.readsByBox();
            boolean all = true;
            for (int i = 0; i < BOXES; i++) {
                all &= reads.getOrDefault(box(i), List.of()).stream().filter(r -> r.atMs() > startedMs).count() >= periodicPasses;
            }
            if (all) {
                // A moment more, so that a second read in the same pass would show.
                Thread.sleep(Math.min(2000, interval.toMillis() / 2));
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("not every box was read in " + periodicPasses + " periodic passes");
    }

    /** The get-config RPCs each box's netconfd logged so far (none below debug level). */
    private Map<Integer, Long> deviceGetConfigs() throws IOException {
        Map<Integer, Long> counts = new LinkedHashMap<>();
        for (int i = 1; i <= BOXES; i++) {
            Path log = bed.dir().resolve("device-" + i).resolve("netconfd.log");
            try (var lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
                counts.put(i, lines.filter(l -> l.contains("agt_rpc: <get-config>")).count());
            }
        }
        return counts;
    }

    private void print(String what, Start s) {
        System.out.printf(Locale.ROOT, "%s: end of first pass %.0f ms, event=ensm-started %.0f ms, SERVING %.0f ms%n", what,
                s.passEndMs(), s.startedMs(), s.servingMs());
        System.out.println("  " + s.recovery().replaceAll("^.*event=recovery-done", "event=recovery-done"));
        for (int i = 0; i < BOXES; i++) {
            List<Read> reads = s.reads().getOrDefault(box(i), List.of());
            StringBuilder b = new StringBuilder();
            for (Read r : reads) {
                b.append(String.format(Locale.ROOT, " %.1fs(%d entries, %d ms)", r.atMs() / 1000, r.subInterfaces(), r.ms()));
            }
            System.out.printf(Locale.ROOT, "  %s reads:%s; get-configs its netconfd answered: %d%n", box(i), b, s.deviceGetConfigs().get(i + 1));
        }
    }

    /** Reads per box in the first pass, e.g. "1 / 1 / 1". */
    private static String firstPassReads(Start s) {
        List<String> n = new ArrayList<>();
        for (int i = 0; i < BOXES; i++) {
            n.add(Long.toString(s.reads().getOrDefault(box(i), List.of()).stream().filter(r -> r.atMs() <= s.passEndMs()).count()));
        }
        return String.join(" / ", n);
    }

    /** Reads per box in each periodic pass, passes told apart by the pause between them: e.g. "1 / 1 / 1, 1 / 1 / 1". */
    private String periodicReads(Start s) {
        List<List<String>> boxesOfPass = new ArrayList<>();
        List<Map.Entry<String, Read>> after = new ArrayList<>();
        s.reads().forEach((box, reads) -> reads.stream().filter(r -> r.atMs() > s.startedMs()).forEach(r -> after.add(Map.entry(box, r))));
        after.sort((a, b) -> Double.compare(a.getValue().atMs(), b.getValue().atMs()));
        List<Map<String, Integer>> passes = new ArrayList<>();
        double last = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Read> e : after) {
            if (e.getValue().atMs() - last > interval.toMillis() / 2.0) {
                passes.add(new LinkedHashMap<>());
            }
            last = e.getValue().atMs();
            passes.getLast().merge(e.getKey(), 1, Integer::sum);
        }
        for (Map<String, Integer> pass : passes) {
            List<String> n = new ArrayList<>();
            for (int i = 0; i < BOXES; i++) {
                n.add(Integer.toString(pass.getOrDefault(box(i), 0)));
            }
            boxesOfPass.add(n);
        }
        return String.join(", ", boxesOfPass.stream().map(n -> String.join(" / ", n)).toList());
    }

    /** The service's output: kept in a file, markers and reads noted with the time they arrived. */
    private static final class Output {
        private final Path file;
        private final Map<String, Double> seen = new ConcurrentHashMap<>();
        private final Map<String, String> lines = new ConcurrentHashMap<>();
        private final Map<String, List<Read>> reads = new ConcurrentHashMap<>();
        private final List<String> tail = new CopyOnWriteArrayList<>();

        Output(Path file) {
            this.file = file;
        }

        void read(Process p, long t0) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter copy = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    double at = (System.nanoTime() - t0) / 1e6;
                    copy.println(line);
                    for (String marker : List.of("event=recovery-done", "event=ensm-started")) {
                        if (line.contains(marker) && seen.putIfAbsent(marker, at) == null) {
                            lines.put(marker, line);
                        }
                    }
                    Matcher m = READ.matcher(line);
                    if (m.find()) {
                        reads.computeIfAbsent(m.group(1), k -> new CopyOnWriteArrayList<>())
                                .add(new Read(at, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))));
                    }
                    tail.add(line);
                    if (tail.size() > 40) {
                        tail.removeFirst();
                    }
                }
            } catch (IOException e) {
                tail.add("(output unreadable: " + e.getMessage() + ")");
            }
        }

        /** ms from launch to the first line holding {@code marker}, waiting for it while the service runs. */
        double await(String marker, Process p) throws InterruptedException {
            long deadline = System.nanoTime() + ServiceStarts.START_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                Double at = seen.get(marker);
                if (at != null) {
                    return at;
                }
                if (!p.isAlive()) {
                    Thread.sleep(200);
                    if (seen.containsKey(marker)) {
                        return seen.get(marker);
                    }
                    throw new IllegalStateException("the service exited without " + marker);
                }
                Thread.sleep(5);
            }
            throw new IllegalStateException("no " + marker + " within " + ServiceStarts.START_TIMEOUT);
        }

        String line(String marker) {
            return lines.getOrDefault(marker, "");
        }

        Map<String, List<Read>> readsByBox() {
            Map<String, List<Read>> copy = new LinkedHashMap<>();
            reads.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return copy;
        }

        String tail() {
            return String.join("\n", tail);
        }
    }
}
