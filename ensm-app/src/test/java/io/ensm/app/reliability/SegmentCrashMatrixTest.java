package io.ensm.app.reliability;

import io.ensm.api.connection.Connection;
import io.ensm.core.spi.StepProbe.Step;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash matrix's segment row: the trial endpoint's service is a shared segment, two
 * connections join it, the first leaves, and the last one's Close is killed with SIGKILL after
 * its release and before the segment's leave ({@code close.before-segment-leave}): the box still
 * holds the segment's sub-interface, the store the last member as RELEASING. After the restart the
 * start's recovery finishes the release and, finding no other member in the store, the leave: the
 * box, the store and ensm's namespace hold the steady connection alone. {@value #DEFAULT_TRIALS}
 * trials (system property {@code ensm.crash.segment-trials}).
 */
@Tag("kernel")
@Tag("netconf-testbed")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SegmentCrashMatrixTest {
    static final int DEFAULT_TRIALS = 2;
    static final int TRIALS = Integer.getInteger("ensm.crash.segment-trials", DEFAULT_TRIALS);
    static final Duration CALL = Duration.ofSeconds(30);
    static final Step STEP = Step.CLOSE_BEFORE_SEGMENT_LEAVE;
    static final String SEGMENT_MARK = "segment." + Lab.TRIAL + "-net";

    @TempDir
    static Path dir;
    Lab lab;
    Path pauseFile;
    String steadyId;
    final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    @BeforeAll
    void up() throws IOException {
        // The trial service (services[1], 10.82.0.0/24 on the access port in VLAN 3501) becomes a segment.
        // Orphans are kept: the sweep would also remove a segment whose service has no connection
        // left, and the row is about the release's leave, which must not depend on it.
        lab = new Lab("segcrash", dir, 18790, Map.of("ensm.services[1].segment.gateways[0]", "10.82.0.1",
                "ensm.services[1].segment.vlan", "3501", "ensm.recovery.orphans", "keep"), false);
        pauseFile = dir.resolve("pause-at");
        Files.writeString(pauseFile, "");
        lab.ensm.environment(PauseProbe.PAUSE_FILE, pauseFile.toString()).start();
        steadyId = Lab.ownId(lab.ns(CALL).request(Lab.request(Lab.STEADY, Duration.ofHours(2))));
    }

    @AfterAll
    void down() {
        calls.shutdownNow();
        if (lab != null) {
            List<String> problems = lab.closeAndCheck();
            assertThat(problems).as("leak check: namespaces, links, processes, test bed").isEmpty();
        }
    }

    @Test
    void killBetweenTheLastReleaseAndTheSegmentsLeaveThenRestartRemovesTheSegmentsSubInterface() throws Exception {
        List<String> left = new ArrayList<>();
        for (int i = 0; i < TRIALS; i++) {
            left.add(trial());
        }
        System.out.printf("| `%s` | %d | %s | gone from all three | `released=1` |%n", STEP.stableName(), TRIALS, left.getFirst());
    }

    private String trial() throws Exception {
        Files.writeString(pauseFile, "");
        Connection first = lab.ns(CALL).request(Lab.request(Lab.TRIAL, Duration.ofMinutes(10)));
        Connection last = lab.ns(CALL).request(Lab.request(Lab.TRIAL, Duration.ofMinutes(10)));
        assertThat(lab.box.marked()).as("box with two members").containsOnlyKeys(steadyId, SEGMENT_MARK);
        assertThat(lab.box.marked().get(SEGMENT_MARK).vlan()).isEqualTo("3501");
        lab.ns(CALL).close(first);
        assertThat(lab.box.marked()).as("box after the first leave").containsKey(SEGMENT_MARK);

        String lastId = Lab.ownId(last);
        Files.writeString(pauseFile, STEP.stableName());
        Future<?> call = calls.submit(() -> lab.ns(CALL).close(last));
        awaitPause(lastId);
        lab.ensm.kill();
        Files.writeString(pauseFile, "");
        try {
            call.get();
            throw new AssertionError("the paused Close returned: the pause did not hold");
        } catch (ExecutionException expected) {
            // The call died with the process.
        }
        String leftBehind = "store " + lab.store().getOrDefault(lastId, "none") + ", box "
                + (lab.box.marked().containsKey(SEGMENT_MARK) ? "segment's sub-interface" : "nothing") + ", kernel "
                + (lab.kernelIds().contains(SEGMENT_MARK) ? "segment's bridge" : "no segment links");
        assertThat(lab.store()).as("the store after the kill").containsEntry(lastId, "RELEASING");
        assertThat(lab.box.marked()).as("the box after the kill").containsKey(SEGMENT_MARK);

        lab.ensm.start();
        assertThat(lastLine(lab.ensm.log(), "event=recovery-done")).contains("released=1").contains("failed=0");
        assertThat(lab.store()).as("store after restart").containsOnlyKeys(steadyId);
        assertThat(lab.box.marked()).as("box after restart: the segment's sub-interface went with its last member")
                .containsOnlyKeys(steadyId);
        assertThat(lab.kernelIds()).as("ensm's namespace after restart").containsExactly(steadyId);
        assertThat(lab.uplinkOwner(Lab.TRIAL_UPLINK)).as("trial uplink's bridge").isEmpty();
        lab.ns(CALL).close(last); // the caller's repeated Close finds nothing left to do
        assertThat(lab.store()).containsOnlyKeys(steadyId);
        return leftBehind;
    }

    private void awaitPause(String id) {
        String marker = "event=test-pause step=" + STEP.stableName() + " connection=" + id;
        long deadline = System.nanoTime() + CALL.toNanos();
        while (System.nanoTime() < deadline) {
            if (lab.ensm.log().contains(marker)) {
                return;
            }
            NetconfBox.sleep(10);
        }
        throw new AssertionError("the service did not pause at " + STEP.stableName() + " for " + id + ":\n" + lab.ensm.log());
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
}
