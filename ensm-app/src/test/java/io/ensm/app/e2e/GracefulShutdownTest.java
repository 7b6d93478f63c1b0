package io.ensm.app.e2e;

import io.ensm.api.connection.Connection;
import io.ensm.app.reliability.PauseProbe;
import io.ensm.core.spi.StepProbe.Step;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * SIGTERM while a Request is in flight (paused after the device committed): the service waits for
 * it, refuses new calls meanwhile, and stops only once it is APPLIED in the store and on the device;
 * bounded by {@code ensm.shutdown-timeout}, after which the next start finishes the work.
 */
class GracefulShutdownTest {
    static final Step AT = Step.REQUEST_BACKEND_PROVISIONED;
    /** Longer than the 5 s the gRPC server used to be given before everything was closed under the call. */
    static final Duration PAUSED_AFTER_SIGTERM = Duration.ofSeconds(8);

    @TempDir
    Path dir;
    EnsmProcess ensm;
    Nsc nsc;
    Path pauseFile;
    final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void cleanUp() throws Exception {
        calls.shutdownNow();
        if (nsc != null) {
            nsc.close();
        }
        if (ensm != null) {
            ensm.kill();
        }
    }

    private void start(Map<String, String> extra) throws Exception {
        pauseFile = dir.resolve("pause-at");
        Files.writeString(pauseFile, "");
        Map<String, String> config = EndToEndTest.config(dir);
        config.putAll(extra);
        ensm = new EnsmProcess(dir, config).environment(PauseProbe.PAUSE_FILE, pauseFile.toString()).start();
        nsc = new Nsc(ensm.target());
    }

    /** Sends a Request that pauses at {@link #AT}; returns the call and ensm's id for it. */
    private Map.Entry<Future<Connection>, String> pausedRequest() throws Exception {
        Files.writeString(pauseFile, AT.stableName());
        Future<Connection> call = calls.submit(() -> nsc.ns().withDeadlineAfter(60, TimeUnit.SECONDS)
                .request(Nsc.request(EndToEndTest.SERVICE, EndToEndTest.inTenMinutes())));
        String marker = "event=test-pause step=" + AT.stableName() + " connection=";
        String line = awaitLog(marker);
        return Map.entry(call, line.substring(line.indexOf(marker) + marker.length()).strip().split("\\s")[0]);
    }

    private String awaitLog(String fragment) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : ensm.log().split("\n")) {
                if (line.contains(fragment)) {
                    return line;
                }
            }
            EnsmProcess.sleep(20);
        }
        throw new AssertionError("no '" + fragment + "' in the service's log:\n" + ensm.log());
    }

    private Map<String, String> storedPhases() throws SQLException {
        Map<String, String> out = new TreeMap<>();
        Path file = ensm.dataDir().resolve("ensm.db");
        try (var c = DriverManager.getConnection("jdbc:sqlite:file:" + file + "?mode=ro"); var s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, phase FROM connection")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    @Test
    void aRequestInFlightAtSigtermCompletesBeforeTheServiceStopsAndNewCallsAreRefused() throws Exception {
        start(Map.of());
        var paused = pausedRequest();
        String id = paused.getValue();

        ensm.terminate();
        // refused once the drain closed; before it, the service was still unregistering and took calls
        awaitLog("event=ensm-draining");
        Throwable refused = catchThrowable(() -> nsc.ns().request(Nsc.request(EndToEndTest.SERVICE, EndToEndTest.inTenMinutes())));
        Thread.sleep(PAUSED_AFTER_SIGTERM.toMillis());
        boolean aliveWhilePaused = ensm.isAlive();
        Files.writeString(pauseFile, "");
        Throwable replyFailure = catchThrowable(() -> paused.getKey().get(30, TimeUnit.SECONDS));
        ensm.awaitExit(Duration.ofSeconds(30));

        // Completed, not half-applied: APPLIED in the store and present on the device.
        assertThat(storedPhases()).as("store after the shutdown").isEqualTo(Map.of(id, "APPLIED"));
        assertThat(Journal.in(dir).entries()).as("device after the shutdown").containsOnlyKeys(id);
        assertThat(replyFailure).as("the caller's reply").isNull();
        assertThat(Nsc.ensmId(paused.getKey().get())).isEqualTo(id);
        assertThat(aliveWhilePaused).as("the service waited for the call in flight").isTrue();
        assertThat(refused).as("a new call while the service drains").isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains("ensm is shutting down");
        });
        assertThat(ensm.log()).contains("event=ensm-draining in_flight=1").contains("event=ensm-drained").contains("event=ensm-stopped");
    }

    @Test
    void anExpiryCloseInFlightAtSigtermCompletesBeforeTheServiceStops() throws Exception {
        start(Map.of());
        Connection reply = nsc.ns().request(Nsc.request(EndToEndTest.SERVICE, java.time.Instant.now().plusSeconds(3)));
        String id = Nsc.ensmId(reply);
        Files.writeString(pauseFile, Step.CLOSE_BACKEND_RELEASED.stableName());
        awaitLog("event=test-pause step=" + Step.CLOSE_BACKEND_RELEASED.stableName() + " connection=" + id);

        ensm.terminate();
        awaitLog("event=ensm-stopping");
        Thread.sleep(PAUSED_AFTER_SIGTERM.toMillis());
        boolean aliveWhilePaused = ensm.isAlive();
        Files.writeString(pauseFile, "");
        ensm.awaitExit(Duration.ofSeconds(30));

        assertThat(storedPhases()).as("store after the shutdown").isEmpty();
        assertThat(Journal.in(dir).entries()).as("device after the shutdown").isEmpty();
        assertThat(aliveWhilePaused).as("the service waited for the expiry in flight").isTrue();
    }

    @Test
    void theWaitIsBoundedByTheShutdownTimeoutAndTheNextStartFinishesTheWork() throws Exception {
        start(Map.of("ensm.shutdown-timeout", "2s"));
        String id = pausedRequest().getValue();

        long t0 = System.nanoTime();
        ensm.terminate();
        ensm.awaitExit(Duration.ofSeconds(30));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("time to exit").isLessThan(Duration.ofSeconds(15));
        assertThat(ensm.log()).contains("event=ensm-drain-timeout in_flight=1");

        Files.writeString(pauseFile, "");
        ensm.start();
        assertThat(ensm.log()).contains("event=recovery-done loaded=1").contains("rolled_forward=1");
        ensm.stop();
        assertThat(storedPhases()).as("store after the restart").isEqualTo(Map.of(id, "APPLIED"));
        assertThat(Journal.in(dir).entries()).as("device after the restart").containsOnlyKeys(id);
    }
}
