package io.ensm.netconf.bench;

import io.ensm.netconf.backend.PortFence;
import io.ensm.netconf.client.ConnectSpec;
import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.RpcReply;
import io.ensm.netconf.client.Rpcs;
import io.ensm.netconf.client.Rpcs.Datastore;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.driver.ietf.IetfDriver;
import io.ensm.netconf.session.DeviceConfig;
import io.ensm.netconf.session.SessionPool;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.TestSubInterface;
import io.ensm.netconf.testbed.TestSubInterfaceCodec;
import io.ensm.netconf.transaction.Fencing;
import io.ensm.netconf.transaction.GroupCommitter;
import io.ensm.netconf.transaction.ItemResult;
import io.ensm.netconf.transaction.TransactionListener;
import io.ensm.netconf.transaction.TransactionOptions;
import io.ensm.netconf.transaction.TransactionRunner;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * NETCONF figures against a real netconfd of the test bed (see docs/benchmarks.md and
 * scripts/bench-netconf): connect, the bare edit+commit of the sample XML on a warm session,
 * ensm's transaction for the same XML, and 200 concurrent items with group commit versus one
 * transaction per item.
 */
public final class NetconfBenchmark {
    private static final String IF = "urn:ietf:params:xml:ns:yang:ietf-interfaces";

    public static void main(String[] args) throws Exception {
        int iterations = intArg(args, "iterations", 200);
        int warmup = intArg(args, "warmup", 50);
        int concurrent = intArg(args, "concurrent", 200);
        int rounds = intArg(args, "rounds", 2);
        int ncIterations = intArg(args, "ncclient-iterations", 30);
        String ncDriver = stringArg(args, "ncclient", "");
        String python = stringArg(args, "python", "python3");
        NetconfTestbed bed = NetconfTestbed.shared(1, "candidate");
        System.out.printf("device: netconfd (yuma123) behind OpenSSH on 127.0.0.1:%d, JDK %s, %d CPUs%n",
                bed.device(1).port(), Runtime.version(), Runtime.getRuntime().availableProcessors());
        try (SshConnector connector = new SshConnector()) {
            DeviceConfig config = bed.config(1);
            ConnectSpec spec = new ConnectSpec(config.name(), config.host(), config.port(), config.username(),
                    config.password().read(), config.hostKey(), config.timeouts());
            connect(connector, spec, warmup / 5, iterations / 5);
            String sample = sample();
            try (NetconfSession s = connector.connect(spec); NcclientDriver nc = ncclient(python, ncDriver, bed, sample)) {
                singleItem(s, sample, warmup, iterations, nc, ncIterations);
            }
            try (SessionPool pool = new SessionPool(config.withPool(config.pool().withMaxSessions(2)), connector::connect)) {
                for (int r = 1; r <= rounds; r++) {
                    concurrent(pool, concurrent, 256, "group commit", r);
                    concurrent(pool, concurrent, 1, "one transaction per item", r);
                }
            }
        } finally {
            bed.close();
        }
    }

    private static void connect(SshConnector connector, ConnectSpec spec, int warmup, int n) throws NetconfException {
        for (int i = 0; i < warmup; i++) {
            connector.connect(spec).close();
        }
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            NetconfSession s = connector.connect(spec);
            t[i] = System.nanoTime() - t0;
            s.close();
        }
        report("connect (TCP, SSH, auth, subsystem, hello)", t);
    }

    static NcclientDriver ncclient(String python, String driver, NetconfTestbed bed, String sample) throws Exception {
        if (driver.isEmpty()) {
            System.out.println("ncclient comparison SKIPPED: no ncclient=<driver script> argument (scripts/bench-netconf passes it)");
            return null;
        }
        System.out.printf("ncclient: python3-ncclient %s (%s)%n", NcclientDriver.version(python), python);
        return NcclientDriver.start(python, Path.of(driver), bed.device(1), sample);
    }

    /**
     * The same sub-interface several ways, interleaved so that all see the same machine load: the
     * bare edit-config + commit of the sample XML as any client would send it; ensm's transaction
     * with confirmed commit (as shipped, and with one RPC per round trip) and with a plain commit;
     * the confirmed transaction's six RPCs written by hand, one round trip each and all in one write
     * (one round trip in all: the device's own work for the transaction, unsafe as a client because
     * nothing can depend on an earlier answer);
     * and, every few iterations, python3-ncclient doing the bare edit+commit, the transaction on a
     * warm session, and connect + transaction + close as a script would. Each is undone (untimed)
     * before the next.
     */
    private static void singleItem(NetconfSession s, String sample, int warmup, int n, NcclientDriver nc, int ncN)
            throws Exception {
        TestSubInterface item = new TestSubInterface("eth1", 100, "172.16.0.1", 31, "conn-1");
        StepTimes confirmedSteps = new StepTimes();
        StepTimes plainSteps = new StepTimes();
        TransactionRunner confirmed = new TransactionRunner(TransactionOptions.DEFAULTS, confirmedSteps);
        TransactionRunner plain = new TransactionRunner(TransactionOptions.DEFAULTS.withConfirmedCommit(false), plainSteps);
        StepTimes fencedSteps = new StepTimes();
        TransactionRunner fencedRunner = new TransactionRunner(TransactionOptions.DEFAULTS, fencedSteps);
        // a replica's transaction: the port's fence read with the lock (the token is written by the first, warm-up, run)
        Fencing fencing = new Fencing(new PortFence(new IetfDriver(), "eth1", "bench"), 1);
        StepTimes unpipelinedSteps = new StepTimes();
        TransactionRunner unpipelined = new TransactionRunner(TransactionOptions.DEFAULTS.withPipelining(false), unpipelinedSteps);
        Series bare = new Series("bare edit-config + commit (ensm's client)", n);
        Series withConfirm = new Series("ensm transaction, confirmed commit (default)", n);
        Series withPlain = new Series("ensm transaction, plain commit", n);
        Series withFence = new Series("ensm transaction, confirmed commit, fenced (a replica's)", n);
        Series withoutPipelining = new Series("ensm transaction, confirmed, one RPC per round trip", n);
        Series byHand = new Series("same six RPCs by hand, one round trip each", n);
        Series twoWrites = new Series("same six RPCs by hand, two writes (lock..read-back | confirm, unlock)", n);
        Series floor = new Series("same six RPCs by hand, all in one write", n);
        int ncTimed = nc == null ? 0 : Math.min(ncN, n);
        int stride = Math.max(1, n / Math.max(1, ncTimed));
        int ncWarm = nc == null ? 0 : Math.min(2, warmup);
        Series ncBare = new Series("ncclient: bare edit-config + commit, warm session", ncTimed);
        Series ncTxn = new Series("ncclient: same transaction, warm session", ncTimed);
        Series ncFresh = new Series("ncclient: connect + transaction + close", ncTimed);
        for (int i = -warmup; i < n; i++) {
            boolean timed = i >= 0;
            bare.add(timed, bare(s, sample));
            withConfirm.add(timed, transaction(s, confirmed, confirmedSteps, item, timed));
            withPlain.add(timed, transaction(s, plain, plainSteps, item, timed));
            fencedSteps.enabled = timed;
            withFence.add(timed, transaction(s, fencedRunner, item, fencing, fencedSteps::end));
            withoutPipelining.add(timed, transaction(s, unpipelined, unpipelinedSteps, item, timed));
            byHand.add(timed, byHand(s, sample, 1));
            twoWrites.add(timed, byHand(s, sample, 4));
            floor.add(timed, byHand(s, sample, 6));
            boolean ncNow = timed ? i % stride == 0 && ncTxn.size() < ncTimed : i < -warmup + ncWarm;
            if (nc != null && ncNow) {
                ncBare.add(timed, nc.run("bare"));
                ncTxn.add(timed, nc.run("txn"));
                ncFresh.add(timed, nc.run("fresh"));
            }
        }
        System.out.println();
        bare.print();
        withConfirm.print();
        confirmedSteps.print();
        withPlain.print();
        plainSteps.print();
        withFence.print();
        fencedSteps.print();
        withoutPipelining.print();
        unpipelinedSteps.print();
        byHand.print();
        twoWrites.print();
        floor.print();
        double b = bare.median();
        System.out.printf(Locale.ROOT, "ratio to bare (target <= 1.5): ensm confirmed %.2f, ensm plain %.2f, ensm fenced %.2f,"
                + " ensm one RPC per round trip %.2f, by hand %.2f, by hand in two writes %.2f, all in one write %.2f%n",
                withConfirm.median() / b, withPlain.median() / b, withFence.median() / b, withoutPipelining.median() / b, byHand.median() / b, twoWrites.median() / b,
                floor.median() / b);
        if (nc != null) {
            ncBare.print();
            ncTxn.print();
            ncFresh.print();
            double e = withConfirm.median();
            System.out.printf(Locale.ROOT, "ncclient / ensm (target >= 10): bare %.1f, transaction on a warm session %.1f, "
                    + "connect + transaction + close %.1f (medians); ncclient transaction / its own bare %.2f%n",
                    ncBare.median() / b, ncTxn.median() / e, ncFresh.median() / e, ncTxn.median() / ncBare.median());
        }
    }

    private static final String REMOVE = "<interfaces xmlns=\"" + IF + "\"><interface xmlns:nc=\"urn:ietf:params:xml:ns:netconf:base:1.0\" "
            + "nc:operation=\"remove\"><name>eth1.100</name></interface></interfaces>";

    static long bare(NetconfSession s, String sample) throws NetconfException {
        long t0 = System.nanoTime();
        ok(s.rpc(Rpcs.editConfig(Datastore.CANDIDATE, sample, false)));
        ok(s.rpc(Rpcs.commit()));
        long took = System.nanoTime() - t0;
        undo(s);
        return took;
    }

    /**
     * ensm's default transaction written out: lock, edit, confirmed commit, read-back, confirm,
     * unlock. The first {@code firstWrite} RPCs go in one write, the rest in a second (1: one RPC
     * per round trip; 4: all a client can send before it must look at the read-back; 6: all at once).
     */
    private static long byHand(NetconfSession s, String sample, int firstWrite) throws NetconfException {
        List<String> ops = List.of(Rpcs.lock(Datastore.CANDIDATE), Rpcs.editConfig(Datastore.CANDIDATE, sample, true),
                Rpcs.commitConfirmed(Duration.ofSeconds(60)),
                Rpcs.getConfig(Datastore.RUNNING, "<interfaces xmlns=\"" + IF + "\"><interface><name>eth1.100</name></interface></interfaces>"),
                Rpcs.commit(), Rpcs.unlock(Datastore.CANDIDATE));
        long t0 = System.nanoTime();
        List<RpcReply> replies = new ArrayList<>();
        if (firstWrite == 1) {
            for (String op : ops) {
                replies.add(s.rpc(op));
            }
        } else {
            for (List<String> write : List.of(ops.subList(0, firstWrite), ops.subList(firstWrite, ops.size()))) {
                if (!write.isEmpty()) {
                    replies.addAll(s.pipeline(write, write.stream().map(o -> "by hand").toList()));
                }
            }
        }
        long took = System.nanoTime() - t0;
        replies.forEach(NetconfBenchmark::ok);
        if (!replies.get(3).dataXml().contains("ensm:conn-1")) {
            throw new IllegalStateException("read-back by hand does not show the sub-interface");
        }
        undo(s);
        return took;
    }

    private static void undo(NetconfSession s) throws NetconfException {
        ok(s.rpc(Rpcs.editConfig(Datastore.CANDIDATE, REMOVE, false)));
        ok(s.rpc(Rpcs.commit()));
    }

    private static long transaction(NetconfSession s, TransactionRunner runner, StepTimes steps, TestSubInterface item,
                                    boolean timed) throws NetconfException {
        steps.enabled = timed;
        return transaction(s, runner, item, steps::end);
    }

    /** One transaction of {@code item} through {@code runner}, timed, then undone untimed. */
    static long transaction(NetconfSession s, TransactionRunner runner, TestSubInterface item) throws NetconfException {
        return transaction(s, runner, item, () -> { });
    }

    /** As above; {@code timed} runs when the timed part ends, before the undo. */
    private static long transaction(NetconfSession s, TransactionRunner runner, TestSubInterface item, Runnable timed)
            throws NetconfException {
        return transaction(s, runner, item, null, timed);
    }

    /** As above, under {@code fencing} (null: unfenced). */
    private static long transaction(NetconfSession s, TransactionRunner runner, TestSubInterface item, Fencing fencing,
                                    Runnable timed) throws NetconfException {
        long t0 = System.nanoTime();
        List<ItemResult<TestSubInterface>> r = runner.run(s, List.of(item), TestSubInterfaceCodec.putting(), fencing, null);
        long took = System.nanoTime() - t0;
        timed.run();
        if (!r.getFirst().ok()) {
            throw r.getFirst().failure().orElseThrow();
        }
        undo(s);
        return took;
    }

    private static void concurrent(SessionPool pool, int n, int maxBatch, String label, int round) throws Exception {
        List<TestSubInterface> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            items.add(new TestSubInterface("eth2", 1000 + i, "10.64." + (i / 128) + "." + (2 * (i % 128)), 31, "bench-" + i));
        }
        long transactions;
        long t0;
        long took;
        CountingListener counter = new CountingListener();
        TransactionRunner runner = new TransactionRunner(TransactionOptions.DEFAULTS, counter);
        try (GroupCommitter<TestSubInterface> g = new GroupCommitter<>(pool, runner, TestSubInterfaceCodec.putting(), maxBatch)) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            t0 = System.nanoTime();
            List<Thread> callers = new ArrayList<>();
            for (TestSubInterface item : items) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                futures.add(f);
                callers.add(Thread.ofVirtual().start(() -> {
                    try {
                        g.apply(item, Duration.ofMinutes(5));
                        f.complete(null);
                    } catch (NetconfException e) {
                        f.completeExceptionally(e);
                    }
                }));
            }
            for (Thread c : callers) {
                c.join();
            }
            took = System.nanoTime() - t0;
            transactions = counter.locks;
            for (CompletableFuture<Void> f : futures) {
                f.get();
            }
        }
        try (GroupCommitter<TestSubInterface> g = new GroupCommitter<>(pool, new TransactionRunner(), TestSubInterfaceCodec.removing(), 512)) {
            List<CompletableFuture<Void>> removals = items.stream().map(g::submit).toList();
            for (CompletableFuture<Void> f : removals) {
                f.get();
            }
        }
        System.out.printf(Locale.ROOT, "%-28s round %d: %d concurrent items in %.0f ms = %.0f items/s, %d transactions%n",
                label, round, n, took / 1e6, n / (took / 1e9), transactions);
    }

    private static void ok(RpcReply r) {
        if (!r.ok()) {
            throw new IllegalStateException("device refused: " + r.errors());
        }
    }

    static String sample() throws Exception {
        try (InputStream in = NetconfBenchmark.class.getResourceAsStream("/samples/ietf-subinterface.xml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static void report(String what, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        System.out.printf(Locale.ROOT, "%-60s n=%d median=%.2f ms p90=%.2f ms p99=%.2f ms%n", what, s.length,
                pct(s, 50), pct(s, 90), pct(s, 99));
    }

    private static double pct(long[] sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e6;
    }

    /** The last {@code key=value} wins, so a caller's argument overrides the script's. */
    static String stringArg(String[] args, String key, String dflt) {
        String v = dflt;
        for (String a : args) {
            if (a.startsWith(key + "=")) {
                v = a.substring(key.length() + 1);
            }
        }
        return v;
    }

    /** Timed samples of one variant, in nanoseconds; warm-up samples are dropped. */
    private static final class Series {
        private final String label;
        private final long[] nanos;
        private int size;

        Series(String label, int capacity) {
            this.label = label;
            this.nanos = new long[capacity];
        }

        void add(boolean timed, long took) {
            if (timed) {
                nanos[size++] = took;
            }
        }

        int size() {
            return size;
        }

        double median() {
            long[] s = Arrays.copyOf(nanos, size);
            Arrays.sort(s);
            return pct(s, 50);
        }

        void print() {
            report(label, Arrays.copyOf(nanos, size));
        }
    }

    private static int intArg(String[] args, String key, int dflt) {
        for (String a : args) {
            if (a.startsWith(key + "=")) {
                return Integer.parseInt(a.substring(key.length() + 1));
            }
        }
        return dflt;
    }

    /** Median time of each step of the timed transactions, from one step's start to the next. */
    private static final class StepTimes implements TransactionListener {
        private final java.util.Map<io.ensm.netconf.transaction.Step, List<Long>> times = new java.util.EnumMap<>(io.ensm.netconf.transaction.Step.class);
        private io.ensm.netconf.transaction.Step current;
        private long since;
        boolean enabled;

        @Override
        public void beforeStep(NetconfSession session, io.ensm.netconf.transaction.Step step) {
            close();
            current = step;
            since = System.nanoTime();
        }

        void end() {
            close();
            current = null;
        }

        private void close() {
            if (enabled && current != null) {
                times.computeIfAbsent(current, k -> new ArrayList<>()).add(System.nanoTime() - since);
            }
        }

        /** Steps sent in one write show 0 but the first; the group's time shows on its last step. */
        void print() {
            StringBuilder b = new StringBuilder("  step medians (from one step's start to the next):");
            times.forEach((step, list) -> {
                long[] a = list.stream().mapToLong(Long::longValue).sorted().toArray();
                b.append(String.format(Locale.ROOT, " %s %.2f ms;", step, pct(a, 50)));
            });
            System.out.println(b);
        }
    }

    private static final class CountingListener implements TransactionListener {
        volatile long locks;

        @Override
        public void beforeStep(NetconfSession session, io.ensm.netconf.transaction.Step step) {
            if (step == io.ensm.netconf.transaction.Step.LOCK) {
                locks++;
            }
        }
    }
}
