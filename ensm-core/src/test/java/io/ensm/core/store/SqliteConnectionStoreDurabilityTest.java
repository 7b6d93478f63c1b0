package io.ensm.core.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A writer killed with SIGKILL mid-stream loses none of the rows it reported as committed. */
class SqliteConnectionStoreDurabilityTest {

    private static final int COMMITTED_BEFORE_KILL = 300;

    @TempDir
    Path dir;

    @Test
    void rowsReportedCommittedSurviveKillDashNine() throws Exception {
        Path data = dir.resolve("data");
        Path stderr = dir.resolve("writer.err");
        Process writer = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                StoreWriterMain.class.getName(), data.toString())
                .redirectError(stderr.toFile())
                .start();
        List<String> committed = new ArrayList<>();
        try (InputStream out = writer.getInputStream()) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            boolean killed = false;
            int b;
            while ((b = out.read()) >= 0) {
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                committed.add(line.toString(StandardCharsets.UTF_8));
                line.reset();
                if (!killed && committed.size() >= COMMITTED_BEFORE_KILL) {
                    // SIGKILL while it keeps writing; through the handle so that our end of the pipe
                    // stays open and the ids already printed can still be read
                    writer.toHandle().destroyForcibly();
                    killed = true;
                }
            }
            // a partial last line (no newline) was cut by the kill: not reported, not counted
        } finally {
            writer.destroyForcibly();
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(committed).as("writer stderr: %s", readQuietly(stderr)).hasSizeGreaterThanOrEqualTo(COMMITTED_BEFORE_KILL);
        assertThat(writer.exitValue()).isNotZero();

        try (SqliteConnectionStore store = new SqliteConnectionStore(data)) {
            List<StoredConnection> all = store.loadAll();
            assertThat(all.size()).isGreaterThanOrEqualTo(committed.size());
            for (int n = 0; n < committed.size(); n++) {
                assertThat(committed.get(n)).isEqualTo(SampleConnections.id(n));
                StoredConnection expected = SampleConnections.sample(n);
                assertThat(store.get(expected.id())).as(expected.id()).isPresent().get()
                        .usingRecursiveComparison().isEqualTo(expected);
            }
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
