package io.ensm.tf.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * OpenSDN's own config API server, run by {@code scripts/opensdn-testbed} (see {@link RealOpenSdn}):
 * started once per test JVM, stopped when the run ends or the JVM exits, unless it was running
 * before (then it is left running). Its state is in memory, so tests create what they use under
 * names of their own ({@link TfWorld}) and never rely on what other tests left.
 */
public final class OpenSdn implements AutoCloseable {
    private static final String SCRIPT = "scripts/opensdn-testbed";

    private final Path root;
    private final Map<String, String> env;
    private final boolean startedHere;
    private boolean stopped;

    private OpenSdn(Path root, Map<String, String> env, boolean startedHere) {
        this.root = root;
        this.env = env;
        this.startedHere = startedHere;
    }

    /** The script could not run the server on this machine (exit status 3); the message says why. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }

    /** Starts the server (or finds it running). */
    public static OpenSdn start() {
        Path root = projectRoot();
        boolean running = run(root, 30, "status").exitCode() == 0;
        Result r = run(root, 900, "start");
        if (r.exitCode() == 3) {
            throw new Unavailable(r.output().strip());
        }
        if (r.exitCode() != 0) {
            throw new IllegalStateException(SCRIPT + " start failed (exit " + r.exitCode() + "):\n" + r.output());
        }
        String dir = System.getenv("ENSM_OPENSDN_DIR"); // the script's own variable, when set
        Path base = dir == null || dir.isBlank() ? root.resolve("target/opensdn-testbed") : root.resolve(dir);
        OpenSdn bed = new OpenSdn(root, readEnv(base.resolve("run/testbed.env")), !running);
        if (bed.startedHere) {
            Runtime.getRuntime().addShutdownHook(new Thread(bed::close, "opensdn-testbed-stop"));
        }
        return bed;
    }

    /** The API, e.g. http://127.0.0.1:41234 (no auth: the server runs with auth=noauth). */
    public String url() {
        return env.get("OPENSDN_URL");
    }

    /** The pinned sources it runs, e.g. tf-controller@fbb63bc...,tf-api-client@...,tf-common@... */
    public String commits() {
        return env.get("OPENSDN_COMMITS");
    }

    public Path log() {
        return Path.of(env.get("OPENSDN_LOG"));
    }

    @Override
    public synchronized void close() {
        if (stopped || !startedHere) {
            return;
        }
        stopped = true;
        Result r = run(root, 60, "stop");
        if (r.exitCode() != 0) {
            System.err.println(SCRIPT + " stop failed (exit " + r.exitCode() + "):\n" + r.output());
        }
    }

    record Result(int exitCode, String output) {}

    /** Runs the script with the given arguments (for tests of the test bed itself). */
    Result script(int timeoutSeconds, String... args) {
        return run(root, timeoutSeconds, args);
    }

    private static Result run(Path root, int timeoutSeconds, String... args) {
        List<String> command = new ArrayList<>();
        command.add(root.resolve(SCRIPT).toString());
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("opensdn-testbed", ".log");
            try {
                // from the project's root, so that a relative ENSM_OPENSDN_DIR means the same to the script and to us
                Process p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, Files.readString(out) + "\n(timed out after " + timeoutSeconds + " s)");
                }
                return new Result(p.exitValue(), Files.readString(out));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Map<String, String> readEnv(Path file) {
        try {
            Map<String, String> env = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return env;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isExecutable(p.resolve(SCRIPT))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException(SCRIPT + " not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
