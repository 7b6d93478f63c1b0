package io.ensm.app.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program of the test bed (ip, kill, mount, the test-bed script); a failure says what ran and what it printed. */
final class Sh {
    private Sh() {}

    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    /** Runs and requires exit status 0; returns standard output and error together. */
    static String run(String... command) {
        Result r = exec(command);
        if (!r.ok()) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' exited with " + r.exit() + ": " + r.output().strip());
        }
        return r.output();
    }

    static Result inNetns(String netns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(List.of(command));
        return exec(full.toArray(String[]::new));
    }

    static Result exec(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish in 120 s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' could not be started: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running '" + String.join(" ", command) + "'", e);
        }
    }
}
