package io.ensm.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command of the test bed (ip, ping, bridge) and returns its output; a failure says what ran and what it printed. */
public final class Cmd {
    private Cmd() {}

    public record Result(int exit, String output) {
        public boolean ok() {
            return exit == 0;
        }
    }

    /** Runs and requires exit status 0. */
    public static String run(String... command) {
        Result r = exec(command);
        if (!r.ok()) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' exited with " + r.exit() + ": " + r.output().strip());
        }
        return r.output();
    }

    /** Runs in a named namespace (ip netns exec). */
    public static Result inNetns(String netns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        full.addAll(List.of(command));
        return exec(full.toArray(String[]::new));
    }

    public static Result exec(String... command) {
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

    /** Whether a program is on the PATH. */
    public static boolean available(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (new java.io.File(dir, program).canExecute()) {
                return true;
            }
        }
        return new java.io.File("/usr/sbin", program).canExecute() || new java.io.File("/sbin", program).canExecute();
    }
}
