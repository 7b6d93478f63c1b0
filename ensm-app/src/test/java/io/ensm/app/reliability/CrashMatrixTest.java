package io.ensm.app.reliability;

import io.ensm.api.connection.Connection;
import io.ensm.core.spi.StepProbe.Step;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash matrix: the real service is stopped at each named step of a Request and of a Close,
 * killed with SIGKILL there and started again on the same store, {@value #DEFAULT_TRIALS} times
 * per step (system property {@code ensm.crash.trials}). After every restart the store file, the
 * box (read with OpenSSH) and ensm's namespace (iproute2) must agree: each stored connection is
 * APPLIED and present on box and kernel, nothing is marked that the store does not hold, no
 * PENDING or RELEASING is left, the long-lived connection of the other endpoint is untouched,
 * and a Close by ensm's id (what a caller that lost the reply can send) then removes the trial's
 * connection everywhere. The figures go to {@code target/reliability/crash-matrix.md}.
 */
@Tag("kernel")
@Tag("netconf-testbed")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashMatrixTest {
    static final int DEFAULT_TRIALS = 20;
    static final int TRIALS = Integer.getInteger("ensm.crash.trials", DEFAULT_TRIALS);
    static final Duration CALL = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    Lab lab;
    Path pauseFile;
    String steadyId;
    final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();
    final List<String> rows = new ArrayList<>();
    final List<Long> restarts = new ArrayList<>();
    long matrixStart;

    @BeforeAll
    void up() throws IOException {
        lab = new Lab("crash", dir, 18760, Map.of(), false);
        pauseFile = dir.resolve("pause-at");
        Files.writeString(pauseFile, "");
        lab.ensm.environment(PauseProbe.PAUSE_FILE, pauseFile.toString()).start();
        Connection steady = lab.ns(CALL).request(Lab.request(Lab.STEADY, Duration.ofHours(2)));
        steadyId = Lab.ownId(steady);
        lab.wire(steady, "vx-steady", "eth1");
        String boxSide = steady.getContext().getIpContext().getDstIpAddrs(0).replace("/32", "");
        assertThat(lab.ping(lab.node, boxSide)).as("ping from the node to the box's port through ensm's VXLAN leg").isTrue();
        matrixStart = System.nanoTime();
    }

    @AfterAll
    void down() throws IOException {
        calls.shutdownNow();
        if (!rows.isEmpty()) {
            writeTable();
        }
        if (lab != null) {
            List<String> problems = lab.closeAndCheck();
            assertThat(problems).as("leak check: namespaces, links, processes, test bed").isEmpty();
        }
    }

    /** What a restart after a crash at a step must show for the trial's connection. */
    record Expected(boolean kept, String recovery) {}

    static Expected expected(Step step) {
        return switch (step) {
            case REQUEST_INTENT_STORED -> new Expected(false, "rolled_back=1");
            case REQUEST_BACKEND_PROVISIONED, REQUEST_CROSS_CONNECTED -> new Expected(true, "rolled_forward=1");
            case REQUEST_APPLIED_STORED -> new Expected(true, "verified=2");
            case CLOSE_RELEASING_STORED, CLOSE_DISCONNECTED, CLOSE_BEFORE_SEGMENT_LEAVE, CLOSE_BACKEND_RELEASED ->
                    new Expected(false, "released=1");
            case CLOSE_RECORD_REMOVED -> new Expected(false, "loaded=1 verified=1");
        };
    }

    @Order(1)
    @ParameterizedTest(name = "kill -9 at {0}")
    // Before a segment's leave a point-to-point connection is where close.backend-released leaves it;
    // the step has its own row with a segment (SegmentCrashMatrixTest).
    @EnumSource(value = Step.class, mode = EnumSource.Mode.EXCLUDE, names = "CLOSE_BEFORE_SEGMENT_LEAVE")
    void killAtStepThenRestartLeavesStoreBoxAndKernelInAgreement(Step step) throws Exception {
        List<Long> millis = new ArrayList<>();
        restarts.clear();
        String leftBehind = "";
        long start = System.nanoTime();
        for (int i = 0; i < TRIALS; i++) {
            long t0 = System.nanoTime();
            String left = step.name().startsWith("REQUEST") ? requestTrial(step, i == 0) : closeTrial(step, i == 0);
            if (i == 0) {
                leftBehind = left;
            }
            millis.add((System.nanoTime() - t0) / 1_000_000);
        }
        assertThat(lab.box.marked().keySet()).as("box after the last trial at %s", step.stableName()).containsExactly(steadyId);
        long wall = (System.nanoTime() - start) / 1_000_000;
        millis.sort(null);
        restarts.sort(null);
        Expected e = expected(step);
        rows.add(String.format("| `%s` | %d | %s | %s | `%s` | %.1f s | %.1f s | %.1f s | %.0f s |", step.stableName(), TRIALS,
                leftBehind, e.kept() ? "kept, APPLIED on all three" : "gone from all three", e.recovery(),
                restarts.get(restarts.size() / 2) / 1000.0, millis.get(millis.size() / 2) / 1000.0, millis.getLast() / 1000.0,
                wall / 1000.0));
    }

    @Order(2)
    @Test
    void theLongLivedConnectionStillCarriesPacketsAfterEveryRestart() {
        String boxSide = lab.box.marked().get(steadyId).ipv4();
        assertThat(lab.ping(lab.node, boxSide)).as("ping through the steady connection after %d restarts", TRIALS * (Step.values().length - 1))
                .isTrue();
    }

    /** Request paused at {@code step}, kill, restart, read back, then Close by ensm's id. Returns what the crash left. */
    private String requestTrial(Step step, boolean describe) throws Exception {
        pauseAt(step);
        Future<Connection> call = calls.submit(() -> lab.ns(CALL).request(Lab.request(Lab.TRIAL, Duration.ofMinutes(10))));
        String id = awaitPause(step);
        String left = crashAndRestart(step, call, id, describe);
        assertAgreement(step, id, expected(step).kept(), true);
        if (describe && expected(step).kept()) {
            // Once per step: the connection recovery kept carries packets, though its reply was never sent.
            try {
                String boxSide = lab.wireFromStore(id, "vx-trial", "eth2");
                assertThat(lab.ping(lab.node, boxSide)).as("ping through the trial connection after a crash at %s", step.stableName())
                        .isTrue();
                left += "; ping crosses after restart";
            } finally {
                lab.unwire("vx-trial", "eth2");
            }
        }
        lab.ns(CALL).close(Lab.byOwnId(id));
        // The box is read at the next restart (or at the end of the step), which must find it clean too.
        assertAgreement(step, id, false, false);
        return left;
    }

    /** Request, then Close paused at {@code step}, kill, restart, read back, then the caller's Close again. */
    private String closeTrial(Step step, boolean describe) throws Exception {
        pauseAt(null);
        Connection reply = lab.ns(CALL).request(Lab.request(Lab.TRIAL, Duration.ofMinutes(10)));
        String id = Lab.ownId(reply);
        pauseAt(step);
        Future<?> call = calls.submit(() -> lab.ns(CALL).close(reply));
        awaitPause(step);
        String left = crashAndRestart(step, call, id, describe);
        assertAgreement(step, id, false, true);
        lab.ns(CALL).close(reply);
        assertThat(lab.store()).as("after the caller's repeated Close").containsOnlyKeys(steadyId);
        return left;
    }

    private String crashAndRestart(Step step, Future<?> call, String id, boolean describe) throws Exception {
        lab.ensm.kill();
        pauseAt(null);
        try {
            call.get();
            throw new AssertionError("the paused call returned: the pause did not hold");
        } catch (java.util.concurrent.ExecutionException expected) {
            // The call died with the process.
        }
        String left = "";
        if (describe) {
            left = "store " + lab.store().getOrDefault(id, "none") + ", box " + (lab.box.marked().containsKey(id) ? "yes" : "no")
                    + ", kernel " + (lab.kernelIds().contains(id) ? "yes" : "no");
        }
        long t0 = System.nanoTime();
        lab.ensm.start();
        restarts.add((System.nanoTime() - t0) / 1_000_000);
        assertThat(lastLine(lab.ensm.log(), "event=recovery-done")).as("recovery after a crash at %s", step.stableName())
                .contains(expected(step).recovery()).contains("failed=0");
        return left;
    }

    private void assertAgreement(Step step, String id, boolean trialKept, boolean readBox) {
        String recovery = lastLine(lab.ensm.log(), "event=recovery-done");
        Set<String> expected = new TreeSet<>(trialKept ? Set.of(steadyId, id) : Set.of(steadyId));
        Map<String, String> store = lab.store();
        Map<String, NetconfBox.Sub> box = readBox ? lab.box.marked() : null;
        Map<String, String> kernel = lab.kernel();
        String context = "after a crash at " + step.stableName() + " of " + id + " (" + recovery + ")\nstore " + store + "\nbox "
                + box + "\nkernel " + kernel;
        assertThat(store).as("store " + context).containsOnlyKeys(expected);
        assertThat(store.values()).as("phases " + context).containsOnly("APPLIED");
        if (readBox) {
            assertThat(box.keySet()).as("box " + context).isEqualTo(expected);
            assertThat(box.get(steadyId).vlan()).as("steady VLAN " + context).isEqualTo("3500");
            if (trialKept) {
                assertThat(box.get(id).vlan()).as("trial VLAN " + context).isEqualTo("3501");
            }
        }
        assertThat(new TreeSet<>(kernel.values())).as("kernel " + context).isEqualTo(expected);
        for (String c : expected) {
            assertThat(kernel.values().stream().filter(c::equals).count()).as("links of " + c + " (bridge and VXLAN) " + context)
                    .isEqualTo(2);
        }
        assertThat(lab.uplinkOwner(Lab.STEADY_UPLINK)).as("steady uplink's bridge " + context).isEqualTo(steadyId);
        assertThat(lab.uplinkOwner(Lab.TRIAL_UPLINK)).as("trial uplink's bridge " + context).isEqualTo(trialKept ? id : "");
    }

    private void pauseAt(Step step) throws IOException {
        Files.writeString(pauseFile, step == null ? "" : step.stableName());
    }

    /** Waits for the service's pause line at {@code step}; returns the connection id it names. */
    private String awaitPause(Step step) {
        String marker = "event=test-pause step=" + step.stableName() + " connection=";
        long deadline = System.nanoTime() + CALL.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lastLine(lab.ensm.log(), marker);
            if (!line.isEmpty()) {
                return line.substring(line.indexOf(marker) + marker.length()).strip().split("\\s")[0];
            }
            NetconfBox.sleep(10);
        }
        throw new AssertionError("the service did not pause at " + step.stableName() + ":\n" + lab.ensm.log());
    }

    private static String lastLine(String log, String containing) {
        String found = "";
        for (String line : log.split("\n")) {
            if (line.contains(containing)) {
                found = line;
            }
        }
        return found;
    }

    private void writeTable() throws IOException {
        Path out = Path.of("target", "reliability", "crash-matrix.md");
        Files.createDirectories(out.getParent());
        List<String> lines = new ArrayList<>(List.of(
                "| step | trials | first trial: left by the crash (and traffic after restart) | after restart, every trial | recovery log | median restart | median trial | slowest trial | wall |",
                "|---|---|---|---|---|---|---|---|---|"));
        lines.addAll(rows);
        lines.add("");
        lines.add(String.format("matrix wall time: %.0f s; load average at the end: %s", (System.nanoTime() - matrixStart) / 1e9,
                Files.readString(Path.of("/proc/loadavg")).strip()));
        Files.write(out, lines);
        lines.forEach(System.out::println);
    }
}
