package io.ensm.app.reliability;

import io.ensm.core.spi.StepProbe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Stops the service at one named step so that a test can kill it there. Inert unless the
 * environment names the step: {@code ENSM_TEST_PAUSE_AT=<step>} for the whole run, or
 * {@code ENSM_TEST_PAUSE_FILE=<file>} whose content (read at every step) names it, so one run
 * can be paused at a step chosen after start. When it fires it logs {@code event=test-pause}
 * and blocks the calling thread: for good with {@code ENSM_TEST_PAUSE_AT}; with the file, until
 * the file no longer names the step (then it logs {@code event=test-resume} and the call goes on).
 */
public final class PauseProbe implements StepProbe {
    public static final String PAUSE_AT = "ENSM_TEST_PAUSE_AT";
    public static final String PAUSE_FILE = "ENSM_TEST_PAUSE_FILE";
    private static final Logger log = LoggerFactory.getLogger(PauseProbe.class);

    private final Step fixed;
    private final Path file;

    public PauseProbe() {
        String at = System.getenv(PAUSE_AT);
        String f = System.getenv(PAUSE_FILE);
        this.fixed = at == null || at.isBlank() ? null : Step.named(at.strip());
        this.file = f == null || f.isBlank() ? null : Path.of(f);
    }

    @Override
    public void reached(Step step, String connectionId) {
        if (step != fixed && step != fromFile()) {
            return;
        }
        log.info("event=test-pause step={} connection={}", step.stableName(), connectionId);
        while (step == fixed || step == fromFile()) {
            try {
                Thread.sleep(step == fixed ? Long.MAX_VALUE : 20);
            } catch (InterruptedException e) {
                // Stay paused: an interrupt is not the test's signal (a kill or the file is).
            }
        }
        log.info("event=test-resume step={} connection={}", step.stableName(), connectionId);
    }

    private Step fromFile() {
        if (file == null) {
            return null;
        }
        try {
            String name = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
            return name.isEmpty() ? null : Step.named(name);
        } catch (IOException | IllegalArgumentException e) {
            log.warn("event=test-pause-file-unreadable file={} reason=\"{}\"", file, e.getMessage());
            return null;
        }
    }
}
