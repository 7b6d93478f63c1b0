package io.ensm.app.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real ensm service in a separate JVM, configured with command-line properties, its output
 * captured to a file. Waits until the log says the service started. Can be stopped gracefully
 * (SIGTERM) or killed (SIGKILL), and restarted with the same settings, port and data directory.
 */
public final class EnsmProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String STARTED = "event=ensm-started";

    private final Path workDir;
    private final int port;
    private final Map<String, String> properties;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<Path> outputs = new ArrayList<>();
    private Process process;
    private Path output;

    /**
     * @param workDir    holds the data directory and the output files
     * @param properties settings without the leading "--"; listen, data-dir and server.port are added
     */
    public EnsmProcess(Path workDir, Map<String, String> properties) {
        this.workDir = workDir;
        this.port = freePort();
        this.properties = new LinkedHashMap<>(properties);
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    /** Sets one more setting (without the leading "--") for the starts that follow, e.g. one naming {@link #port}. */
    public EnsmProcess property(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /** Sets an environment variable for the starts that follow (null removes it). */
    public EnsmProcess environment(String name, String value) {
        if (value == null) {
            environment.remove(name);
        } else {
            environment.put(name, value);
        }
        return this;
    }

    /** The process id of the running service. */
    public long pid() {
        return process.pid();
    }

    public String target() {
        return "127.0.0.1:" + port;
    }

    public Path dataDir() {
        return workDir.resolve("data");
    }

    private Path tmpDir() {
        try {
            return Files.createDirectories(workDir.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts the JVM and returns once the service is started; otherwise fails with the output and
     * leaves no process behind, so a failed set-up needs no clean-up of its own.
     */
    public EnsmProcess start() {
        launch();
        try {
            awaitStarted();
            return this;
        } catch (RuntimeException | Error e) {
            kill();
            throw e;
        }
    }

    private void awaitStarted() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (log().contains(STARTED)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("ensm exited with " + process.exitValue() + " before starting:\n" + log());
            }
            sleep(100);
        }
        throw new AssertionError("ensm did not start within " + START_TIMEOUT + ":\n" + log());
    }

    /**
     * Starts the JVM for a configuration that must stop start-up: returns the exit code once it has
     * exited; fails (and kills it) if the service started instead.
     */
    public int startExpectingExit() {
        launch();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return process.exitValue();
            }
            if (log().contains(STARTED)) {
                kill();
                throw new AssertionError("ensm started although its configuration is bad:\n" + log());
            }
            sleep(100);
        }
        kill();
        throw new AssertionError("ensm neither started nor exited within " + START_TIMEOUT + ":\n" + log());
    }

    private void launch() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("already running");
        }
        output = workDir.resolve("ensm-" + (outputs.size() + 1) + ".log");
        outputs.add(output);
        ServiceLaunch launch = ServiceLaunch.get();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(launch.options());
        // Tomcat's work directories and sqlite-jdbc's native library go to the temporary directory,
        // and a killed JVM never removes them: keep them in the test's own directory.
        command.add("-Djava.io.tmpdir=" + tmpDir());
        command.addAll(List.of("-cp", launch.classpath(), "io.ensm.app.EnsmApplication"));
        Map<String, String> settings = ServiceLaunch.isolated(port, dataDir());
        settings.putAll(properties);
        command.addAll(ServiceLaunch.arguments(settings));
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            process = builder
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM, then waits for the process to exit (killing it if it does not). Returns the exit code. */
    public int stop() {
        if (process == null) {
            return -1;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            return -1;
        }
    }

    /** SIGTERM, without waiting: the service shuts down while the test watches. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the process to exit; returns its exit code, or fails (and kills it) after {@code timeout}. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new AssertionError("ensm did not exit within " + timeout + ":\n" + log());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** SIGKILL the process and its descendants, and wait until it is gone. */
    public void kill() {
        if (process != null) {
            killTree(process);
        }
    }

    /** SIGKILL {@code process} and its descendants, and wait (bounded) until it is gone. */
    static void killTree(Process process) {
        ProcessHandle handle = process.toHandle();
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The output of the current (or last) run. */
    public String log() {
        return read(output);
    }

    /** The output of every run so far, for failure messages. */
    public String allLogs() {
        StringBuilder b = new StringBuilder();
        for (Path p : outputs) {
            b.append("----- ").append(p.getFileName()).append('\n').append(read(p));
        }
        return b.toString();
    }

    private static String read(Path p) {
        try {
            return p == null || !Files.exists(p) ? "" : Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + p + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        kill();
    }

    /** Sleeps; an interrupt ends the wait with an exception, keeping the flag set. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
