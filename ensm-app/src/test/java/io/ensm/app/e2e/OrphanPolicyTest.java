package io.ensm.app.e2e;

import io.ensm.api.connection.Connection;
import io.ensm.core.runtime.EnsmRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ensm.recovery.orphans}: a start on a store that has never held a connection (a new one,
 * or one whose data was lost) leaves what the device holds; a store that has held one, or the
 * setting {@code sweep}, removes marked objects nobody holds.
 */
class OrphanPolicyTest {
    /** What a previous ensm with a lost store left on the device. */
    static final String LOST = "0b6a3c1e-1111-4c1e-9d2f-5a0e7f000001";

    @TempDir
    Path dir;

    private Journal journal() {
        return Journal.in(dir);
    }

    private Map<String, String> settings(String policy) {
        Map<String, String> s = InProcessEnsm.settings(dir.resolve("data"));
        s.putAll(EndToEndTest.config(dir));
        if (policy != null) {
            s.put("ensm.recovery.orphans", policy);
        }
        return s;
    }

    private void deviceHolds(String id) throws IOException {
        List<String> lines = new java.util.ArrayList<>(Files.exists(journal().file()) ? Files.readAllLines(journal().file()) : List.of());
        lines.add(JournalBackend.line(id, 150, List.of("10.60.0.200/32"), List.of("10.60.0.201/32")));
        Files.write(journal().file(), lines);
    }

    @Test
    void aStartOnANewStoreLeavesWhatTheDeviceHolds() throws Exception {
        deviceHolds(LOST);

        try (ConfigurableApplicationContext context = InProcessEnsm.run(settings(null))) {
            assertThat(journal().entries()).as("device after the start on a new store").containsKey(LOST);
            assertThat(context.getBean(EnsmRuntime.class).status().orphansKept()).as("reported").isEqualTo(1);
        }
    }

    @Test
    void theSettingSweepRemovesItOnTheFirstStartAlready() throws Exception {
        deviceHolds(LOST);

        try (ConfigurableApplicationContext ignored = InProcessEnsm.run(settings("sweep"))) {
            assertThat(journal().entries()).as("device after the start with sweep").doesNotContainKey(LOST);
        }
    }

    @Test
    void aStoreThatHasHeldAConnectionSweepsByDefaultAndKeepStillKeeps() throws Exception {
        String kept;
        Map<String, String> first = settings(null);
        try (ConfigurableApplicationContext ignored = InProcessEnsm.run(first); Nsc nsc = new Nsc(first.get("ensm.listen"))) {
            Connection c = nsc.ns().request(Nsc.request(EndToEndTest.SERVICE, EndToEndTest.inTenMinutes()));
            kept = Nsc.ensmId(c);
        }
        deviceHolds(LOST);

        try (ConfigurableApplicationContext ignored = InProcessEnsm.run(settings("keep"))) {
            assertThat(journal().entries()).as("device after a start with keep").containsKeys(LOST, kept);
        }
        try (ConfigurableApplicationContext ignored = InProcessEnsm.run(settings(null))) {
            assertThat(journal().entries()).as("device after a start on a used store").containsOnlyKeys(kept);
        }
    }
}
