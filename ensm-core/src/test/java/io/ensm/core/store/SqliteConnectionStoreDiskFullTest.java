package io.ensm.core.store;

import io.ensm.core.testing.Prerequisites;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.ensm.core.store.SampleConnections.sample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A real full disk (a small tmpfs) under the store: writes fail naming the store, and work again once space is back. */
@Tag("kernel")
class SqliteConnectionStoreDiskFullTest {
    @TempDir
    Path dir;

    @Test
    void writesFailWhileTheDiskIsFullAndWorkAgainOnceSpaceIsFreed() throws Exception {
        Prerequisites.here().requireRoot("to mount a tmpfs for the full disk");
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        run("mount", "-t", "tmpfs", "-o", "size=1m", "ensm-store-full", data.toString());
        try {
            try (SqliteConnectionStore store = new SqliteConnectionStore(data)) {
                store.put(sample(1));
                Path filler = data.resolve("filler");
                exec("dd", "if=/dev/zero", "of=" + filler, "bs=64k");
                for (int i = 0; i < 2; i++) {
                    int n = 2 + i;
                    assertThatThrownBy(() -> store.put(sample(n))).isInstanceOf(StoreException.class)
                            .hasMessageContaining(data.resolve(SqliteConnectionStore.FILE_NAME).toString())
                            .hasMessageContaining("full");
                }
                Files.delete(filler);
                store.put(sample(4));
                store.refresh(sample(4).id(), java.time.Instant.ofEpochSecond(1_900_000_000L), SampleConnections.reply("refreshed"));
                store.delete(sample(1).id());
                assertThat(store.loadAll()).extracting(StoredConnection::id).containsExactly(sample(4).id());
            }
        } finally {
            exec("umount", data.toString());
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private static void exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
