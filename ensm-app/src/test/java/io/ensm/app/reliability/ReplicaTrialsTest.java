package io.ensm.app.reliability;

import io.ensm.core.testing.Cmd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trial loop: on one set-up of three replicas, three boxes and a three-member etcd
 * cluster, while a load of Requests, refreshes and Closes runs against whichever replica serves
 * each endpoint, each trial kills (-9) or pauses (SIGSTOP past the lease, then SIGCONT) the replica
 * serving an endpoint picked at random; a killed replica is started again, so three stay. Each box
 * has two endpoints: its own connections (one sub-interface each) and its share of one segment
 * (one sub-interface on the box for all its members, one VLAN id for the segment on every box),
 * usually served by different replicas. Once things settle, every box and the store are read and
 * checked: nothing provisioned twice, nothing lost, no orphan, no claim left without its holder,
 * every endpoint served and registered under its server's URL.
 * <p>
 * {@code ENSM_TRIALS} (or {@code -Densm.trials}) sets the number of trials, 10 by default (CI);
 * {@code ENSM_TRIALS_SEED} (or {@code -Densm.trials.seed}) replays a run; {@code ENSM_TRIALS_OUT}
 * names a file for the summary. {@code scripts/trial-replicas} runs it at full size.
 */
@Tag("netconf-testbed")
@Tag("etcd-testbed")
class ReplicaTrialsTest {
    private static final Duration SETTLE = Duration.ofSeconds(45);
    private static final Duration SERVED_WITHIN = ReplicaBed.LEASE_TTL.plusSeconds(25);
    private static final Duration PAUSED_FOR_AT_MOST = ReplicaBed.LEASE_TTL.plusSeconds(8);

    private static final List<String> ENDPOINTS = java.util.stream.Stream.concat(ReplicaBed.BOXES.stream(),
            ReplicaBed.SEGMENT_ENDPOINTS.stream()).toList();
    private static final String SEGMENT_MARK = "segment." + ReplicaBed.SEGMENT_SERVICE;

    enum Fault { KILL, PAUSE }

    /** What one trial did and found. */
    record Trial(int n, Fault fault, String box, String owner, String taker, long faultToServedMs, String blockedBy, long settleMs,
                 Map<String, Integer> load, List<String> violations) {}

    @TempDir
    Path dir;
    private ReplicaBed bed;
    private ReplicaLoad load;

    @AfterEach
    void cleanUp() {
        if (load != null) {
            load.stop();
        }
        if (bed != null) {
            bed.close();
        }
    }

    private static String setting(String property, String variable, String fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(variable);
        }
        return v == null || v.isBlank() ? fallback : v.strip();
    }

    @Test
    void randomKillsAndPausesOfServingReplicasDuringLoadProvisionNothingTwiceAndLoseNothing() {
        int trials = Integer.parseInt(setting("ensm.trials", "ENSM_TRIALS", "10"));
        long seed = Long.parseLong(setting("ensm.trials.seed", "ENSM_TRIALS_SEED", Long.toString(System.nanoTime() % 1_000_000_000L)));
        System.out.printf("replica trials: %d trials, seed %d (ENSM_TRIALS_SEED=%d replays the choices)%n", trials, seed, seed);
        long t0 = System.nanoTime();
        // another port for the boxes lets a long run go on beside the test suite
        bed = ReplicaBed.start(dir, "trials", Integer.parseInt(setting("ensm.trials.port", "ENSM_TRIALS_PORT", "18900")),
                ReplicaBed::withSegment);
        long setUpMs = (System.nanoTime() - t0) / 1_000_000;
        Random random = new Random(seed);
        load = new ReplicaLoad(bed, ENDPOINTS, seed);
        List<Trial> done = new ArrayList<>();
        for (int n = 1; n <= trials; n++) {
            String box = ENDPOINTS.get(random.nextInt(ENDPOINTS.size()));
            Fault fault = random.nextBoolean() ? Fault.KILL : Fault.PAUSE;
            long loadBeforeMs = 1000 + random.nextInt(2000);
            Trial t = trial(n, fault, box, loadBeforeMs);
            done.add(t);
            if (t.violations().stream().anyMatch(v -> !v.startsWith("kept:"))) {
                keepLogs(t.n());
            }
            System.out.println("replica trials: " + row(t));
            append(row(t) + "\n");
        }
        long totalMs = (System.nanoTime() - t0) / 1_000_000;
        String summary = summary(done, seed, setUpMs, totalMs);
        System.out.print(summary);
        append(summary);
        assertThat(done.stream().flatMap(t -> t.violations().stream().map(v -> "trial " + t.n() + " (" + t.fault() + " " + t.box() + "): " + v)))
                .as("violations (seed %d)", seed).isEmpty();
    }

    /** Adds to the file {@code ENSM_TRIALS_OUT} names, if any: each trial's row as it ends, then the summary. */
    private static void append(String text) {
        String out = setting("ensm.trials.out", "ENSM_TRIALS_OUT", "");
        if (!out.isEmpty()) {
            try {
                Files.writeString(Path.of(out), text, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Next to {@code ENSM_TRIALS_OUT}, the replicas' logs so far, for a trial that found more than kept connections. */
    private void keepLogs(int n) {
        String out = setting("ensm.trials.out", "ENSM_TRIALS_OUT", "");
        if (out.isEmpty()) {
            return;
        }
        for (String r : ReplicaBed.REPLICAS) {
            try {
                Files.writeString(Path.of(out + ".trial-" + n + "." + r + ".log"), bed.replica(r).allLogs());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private Trial trial(int n, Fault fault, String box, long loadBeforeMs) {
        List<String> violations = new ArrayList<>();
        load.start();
        NetconfBox.sleep(loadBeforeMs);
        String owner;
        try {
            owner = bed.holderOf(box, ReplicaBed.REPLICAS, Duration.ofSeconds(30));
        } catch (AssertionError e) {
            load.stop();
            violations.add("unserved: before the fault: " + e.getMessage());
            return new Trial(n, fault, box, "-", "-", -1, null, 0, load.counts(), violations);
        }
        List<String> others = ReplicaBed.REPLICAS.stream().filter(r -> !r.equals(owner)).toList();
        String taker = "-";
        long servedMs = -1;
        String blockedBy = null;
        long t0 = System.nanoTime();
        if (fault == Fault.KILL) {
            bed.replica(owner).kill();
            try {
                taker = bed.holderOf(box, others, SERVED_WITHIN);
                servedMs = (System.nanoTime() - t0) / 1_000_000;
            } catch (AssertionError e) {
                violations.add("unserved: " + e.getMessage());
            }
            bed.restart(owner);
        } else {
            String pid = Long.toString(bed.replica(owner).pid());
            bed.forgetAborts();
            Cmd.run("kill", "-STOP", pid);
            try {
                taker = bed.holderOf(box, others, PAUSED_FOR_AT_MOST);
                servedMs = (System.nanoTime() - t0) / 1_000_000;
                // past its lease in any case, so that it wakes to a lost lease
                long pastLease = ReplicaBed.LEASE_TTL.plusSeconds(1).toMillis() - (System.nanoTime() - t0) / 1_000_000;
                if (pastLease > 0) {
                    NetconfBox.sleep(pastLease);
                }
            } catch (AssertionError e) {
                // Not served while paused: a finding when the paused replica's NETCONF session holds the box's lock
                blockedBy = bed.lastAbort(box).orElse(null);
                if (blockedBy == null) {
                    violations.add("unserved: " + e.getMessage());
                }
            } finally {
                Cmd.run("kill", "-CONT", pid);
            }
            if (blockedBy != null) {
                try {
                    taker = bed.holderOf(box, others, SERVED_WITHIN);
                    servedMs = (System.nanoTime() - t0) / 1_000_000;
                } catch (AssertionError e) {
                    violations.add("unserved: even after SIGCONT: " + e.getMessage());
                }
            }
        }
        load.stop();
        Map<String, Integer> counts = load.counts();
        long s0 = System.nanoTime();
        // Settled once boxes, store and registry agree; what still disagrees after SETTLE is a violation.
        // (a connection whose Close was answered but not done stays until it expires: no use waiting for it)
        ReplicaBed.waitFor(SETTLE, () -> check().stream().allMatch(v -> v.startsWith("kept:")));
        List<String> found = check();
        violations.addAll(found);
        // a kept connection stays until it expires: count it at the trial that found it
        load.forgetClosed(found.stream().filter(v -> v.startsWith("kept:")).map(v -> v.split(" ")[2]).toList());
        violations.addAll(served());
        long settleMs = (System.nanoTime() - s0) / 1_000_000;
        return new Trial(n, fault, box, owner, taker, servedMs, blockedBy, settleMs, counts, violations);
    }

    /** One sub-interface marked by ensm on a box. */
    private record Mark(String box, String id, String iface, String vlan) {}

    /** Every mark on every box, read through OpenSSH; unlike {@link NetconfBox#marked}, keeps a mark seen twice. */
    private List<Mark> marks() {
        List<Mark> out = new ArrayList<>();
        for (String box : ReplicaBed.BOXES) {
            bed.box(box).interfaces().forEach((name, f) -> {
                if (f.description().startsWith(NetconfBox.MARK)) {
                    out.add(new Mark(box, f.description().substring(NetconfBox.MARK.length()), name, f.vlan()));
                }
            });
        }
        return out;
    }

    /** What the boxes and the store disagree on, and what the load was told that they contradict. */
    private List<String> check() {
        List<String> v = new ArrayList<>();
        List<Mark> all = marks();
        List<Mark> marks = all.stream().filter(m -> !m.id().equals(SEGMENT_MARK)).toList();
        Map<String, ReplicaBed.Stored> stored = bed.stored();
        Map<String, List<Mark>> byId = new TreeMap<>();
        Map<String, List<Mark>> byVlan = new TreeMap<>();
        for (Mark m : marks) {
            byId.computeIfAbsent(m.id(), k -> new ArrayList<>()).add(m);
            byVlan.computeIfAbsent(m.box() + " VLAN " + m.vlan(), k -> new ArrayList<>()).add(m);
        }
        byId.forEach((id, ms) -> {
            if (ms.size() > 1) {
                v.add("provisioned twice: connection " + id + " marked " + ms.size() + " times: " + ms);
            }
        });
        byVlan.forEach((where, ms) -> {
            if (ms.size() > 1) {
                v.add("provisioned twice: " + where + " used by " + ms.stream().map(Mark::id).toList());
            }
        });
        for (Mark m : marks) {
            ReplicaBed.Stored s = stored.get(m.id());
            if (s == null) {
                v.add("orphan: " + m + " has no record in the store");
            } else if (!s.endpoint().equals(m.box())) {
                v.add("orphan: " + m + " is on " + m.box() + " but its record says " + s.endpoint());
            } else if (!Integer.toString(s.vlan()).equals(m.vlan())) {
                v.add("mismatch: " + m + " but its record says VLAN " + s.vlan());
            }
        }
        for (ReplicaBed.Stored s : stored.values()) {
            if (!s.phase().equals("APPLIED")) {
                v.add("unsettled: record " + s + " (on the boxes: " + byId.getOrDefault(s.id(), List.of()) + ")");
            } else if (!isMember(s) && byId.getOrDefault(s.id(), List.of()).stream().noneMatch(m -> m.box().equals(s.endpoint()))) {
                v.add("lost: record " + s + " is APPLIED but its box has no such sub-interface");
            }
        }
        v.addAll(checkSegment(all, stored));
        for (ReplicaLoad.Held h : load.held().values()) {
            if (h.expires().isBefore(java.time.Instant.now())) {
                continue; // not refreshed in time (an endpoint unserved for long): ensm rightly let it expire
            }
            ReplicaBed.Stored s = stored.get(h.id());
            boolean onBox = ReplicaBed.SEGMENT_ENDPOINTS.contains(h.box())
                    ? all.stream().anyMatch(m -> m.id().equals(SEGMENT_MARK) && m.box().equals(ReplicaBed.boxOf(h.box())))
                    : !byId.getOrDefault(h.id(), List.of()).isEmpty();
            if (s == null || !onBox) {
                v.add("lost: connection " + h.id() + " on " + h.box() + ", made and not closed, has " + (s == null ? "no record" : "record " + s)
                        + (ReplicaBed.SEGMENT_ENDPOINTS.contains(h.box()) ? (onBox ? " and its box has the segment" : " and its box no segment")
                        : " and marks " + byId.getOrDefault(h.id(), List.of())));
            }
        }
        for (String id : load.closed()) {
            if (stored.containsKey(id) || byId.containsKey(id)) {
                v.add("kept: connection " + id + " was closed but is still there: record " + stored.get(id) + ", marks " + byId.get(id));
            }
        }
        // The registry is checked by served(), which gives it time: a hand-back at the end of the
        // settling leaves the NSE unregistered while the taker adopts the box (seen: 2.5 s on a
        // loaded host with registrations of 3 s), and an instant's look would call that a violation.
        return v;
    }

    private static boolean isMember(ReplicaBed.Stored s) {
        return ReplicaBed.SEGMENT_ENDPOINTS.contains(s.endpoint());
    }

    /**
     * The segment: on each box one sub-interface while it has members and none without; one VLAN id
     * on every box, the one its members' records and the segment's single claim name; one address
     * per member.
     */
    private List<String> checkSegment(List<Mark> all, Map<String, ReplicaBed.Stored> stored) {
        List<String> v = new ArrayList<>();
        List<ReplicaBed.Stored> members = stored.values().stream().filter(ReplicaTrialsTest::isMember).toList();
        for (String endpoint : ReplicaBed.SEGMENT_ENDPOINTS) {
            String box = ReplicaBed.boxOf(endpoint);
            List<Mark> on = all.stream().filter(m -> m.id().equals(SEGMENT_MARK) && m.box().equals(box)).toList();
            List<ReplicaBed.Stored> here = members.stream().filter(s -> s.endpoint().equals(endpoint)).toList();
            if (on.size() > 1) {
                v.add("provisioned twice: segment on " + box + " marked " + on.size() + " times: " + on);
            }
            if (here.isEmpty() && !on.isEmpty()) {
                v.add("orphan: segment sub-interface " + on + " on " + box + " without members");
            } else if (!here.isEmpty() && on.isEmpty()) {
                v.add("lost: " + endpoint + " has members " + here.stream().map(ReplicaBed.Stored::id).toList()
                        + " but " + box + " no segment sub-interface");
            }
            for (Mark m : on) {
                for (ReplicaBed.Stored s : here) {
                    if (!Integer.toString(s.vlan()).equals(m.vlan())) {
                        v.add("mismatch: segment " + m + " but member " + s + " says VLAN " + s.vlan());
                    }
                }
            }
        }
        java.util.Set<Integer> vlans = new java.util.TreeSet<>();
        members.forEach(s -> vlans.add(s.vlan()));
        if (vlans.size() > 1) {
            v.add("provisioned twice: the segment's members are on VLANs " + vlans);
        }
        Map<String, List<String>> byAddress = new TreeMap<>();
        members.forEach(s -> s.clientAddrs().forEach(a -> byAddress.computeIfAbsent(a, k -> new ArrayList<>()).add(s.id())));
        byAddress.forEach((a, ids) -> {
            if (ids.size() > 1) {
                v.add("provisioned twice: segment address " + a + " given to " + ids);
            }
        });
        List<String> claimed = bed.keys("claims/vlan/uplink:" + ReplicaBed.SEGMENT_UPLINK + "/");
        List<String> expected = vlans.stream().map(id -> "claims/vlan/uplink:" + ReplicaBed.SEGMENT_UPLINK + "/" + id).toList();
        if (!claimed.equals(expected)) {
            v.add((claimed.size() > expected.size() ? "orphan: " : "lost: ") + "the segment's VLAN claims are " + claimed
                    + " for members on VLANs " + vlans);
        }
        return v;
    }

    /** Every endpoint is served by one replica, and the registry names that replica's URL for it. */
    private List<String> served() {
        List<String> v = new ArrayList<>();
        for (String box : ENDPOINTS) {
            String holder;
            try {
                holder = bed.holderOf(box, ReplicaBed.REPLICAS, Duration.ofSeconds(30));
            } catch (AssertionError e) {
                v.add("unserved: " + e.getMessage());
                continue;
            }
            String url = "tcp://" + bed.replica(holder).target();
            if (!ReplicaBed.waitFor(Duration.ofSeconds(15), () -> bed.registeredUrls(box).equals(List.of(url)))) {
                v.add("registry: " + box + " is served by " + holder + " (" + url + ") but registered as " + bed.registeredUrls(box));
            }
        }
        return v;
    }

    private static String row(Trial t) {
        return String.format("%3d  %-5s  %-5s  %-6s -> %-6s  %8s%s  %7d  %s  %s", t.n(), t.fault(), t.box(), t.owner(), t.taker(),
                t.faultToServedMs() < 0 ? "-" : Long.toString(t.faultToServedMs()), t.blockedBy() == null ? "" : " (blocked while paused: "
                        + t.blockedBy() + ")", t.settleMs(), t.load(),
                t.violations().isEmpty() ? "ok" : t.violations());
    }

    private static void percentiles(StringBuilder b, String what, java.util.stream.Stream<Trial> trials) {
        List<Long> ms = trials.filter(t -> t.faultToServedMs() >= 0).map(Trial::faultToServedMs).sorted().toList();
        b.append(ms.isEmpty() ? String.format("%s: no trials%n", what)
                : String.format("%s: %d trials, p50 %d ms, max %d ms, min %d ms%n", what, ms.size(), ms.get((ms.size() - 1) / 2),
                ms.getLast(), ms.getFirst()));
    }

    private static String summary(List<Trial> trials, long seed, long setUpMs, long totalMs) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%nreplica trials: seed %d, %d trials, lease TTL %d s, set-up %.1f s, total %.1f s%n", seed, trials.size(),
                ReplicaBed.LEASE_TTL.toSeconds(), setUpMs / 1000.0, totalMs / 1000.0));
        b.append("  n  fault  box    owner  -> taker   served ms  settle ms  load  violations\n");
        trials.forEach(t -> b.append(row(t)).append('\n'));
        percentiles(b, "failover (owner killed -> new owner serving)", trials.stream().filter(t -> t.fault() == Fault.KILL));
        percentiles(b, "takeover (owner paused -> new owner serving, the owner still paused)",
                trials.stream().filter(t -> t.fault() == Fault.PAUSE && t.blockedBy() == null));
        percentiles(b, "paused owner held the box's NETCONF lock (fault -> served after SIGCONT)",
                trials.stream().filter(t -> t.fault() == Fault.PAUSE && t.blockedBy() != null));
        Map<String, Integer> kinds = new TreeMap<>();
        Map<String, Integer> calls = new TreeMap<>();
        for (Trial t : trials) {
            t.violations().forEach(v -> kinds.merge(v.substring(0, v.indexOf(':')), 1, Integer::sum));
            t.load().forEach((k, c) -> calls.merge(k, c, Integer::sum));
        }
        for (String kind : List.of("provisioned twice", "lost", "orphan", "kept", "mismatch", "unsettled", "unserved", "registry")) {
            kinds.putIfAbsent(kind, 0);
        }
        b.append("violations: ").append(kinds).append('\n');
        b.append("load calls: ").append(calls).append('\n');
        List<Long> settle = trials.stream().map(Trial::settleMs).sorted().toList();
        if (!settle.isEmpty()) {
            b.append(String.format("settle and check per trial: p50 %d ms, max %d ms%n", settle.get((settle.size() - 1) / 2), settle.getLast()));
        }
        return b.toString();
    }
}
