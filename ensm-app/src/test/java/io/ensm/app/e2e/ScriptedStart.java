package io.ensm.app.e2e;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One start of the service through a script of {@code scripts/} as an operator runs it: in a
 * working directory of its own (its {@code ./data} must stay untouched), with its own
 * {@code TMPDIR}, its output and error output in files. {@code scripts/run} execs the JVM, so the
 * script's process is the service's once it started.
 */
final class ScriptedStart implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);

    final Path home;
    final Path workDir;
    final Path tmpDir;
    final Path dataDir;
    final int grpcPort = EnsmProcess.freePort();
    final int httpPort = EnsmProcess.freePort();
    private final Path out;
    private final Path err;
    private final Process process;

    private ScriptedStart(Path home, List<String> command, Map<String, String> env) throws IOException {
        this.home = home;
        this.workDir = Files.createDirectories(home.resolve("cwd"));
        this.tmpDir = Files.createDirectories(home.resolve("tmp"));
        this.dataDir = home.resolve("data");
        this.out = home.resolve("out.log");
        this.err = home.resolve("err.log");
        List<String> full = new ArrayList<>(command);
        full.addAll(List.of("--ensm.listen=127.0.0.1:" + grpcPort, "--server.port=" + httpPort,
                "--ensm.data-dir=" + dataDir));
        ProcessBuilder pb = new ProcessBuilder(full).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> e = pb.environment();
        e.remove("ENSM_JAVA_OPTS");
        e.remove("ENSM_NO_AOT");
        e.remove("ENSM_AOT_DIR");
        e.put("TMPDIR", tmpDir.toString());
        e.put("JAVA_HOME", System.getProperty("java.home"));
        // The jar was packaged before this phase: the script must not start a Maven build of its own.
        e.put("ENSM_NO_BUILD", "1");
        e.putAll(env);
        this.process = pb.start();
        process.getOutputStream().close();
    }

    /** Starts {@code command} plus the listen, port and data-dir arguments and waits for event=ensm-started. */
    static ScriptedStart start(Path home, List<String> command, Map<String, String> env) {
        ScriptedStart s;
        try {
            s = new ScriptedStart(home, command, env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!s.stdout().contains("event=ensm-started")) {
            if (!s.process.isAlive()) {
                throw new AssertionError("the service exited with " + s.process.exitValue() + " before it started:\n" + s.report());
            }
            if (System.nanoTime() > deadline) {
                s.close();
                throw new AssertionError("the service did not start within " + START_TIMEOUT + ":\n" + s.report());
            }
            EnsmProcess.sleep(50);
        }
        return s;
    }

    long pid() {
        return process.pid();
    }

    String stdout() {
        return read(out);
    }

    String stderr() {
        return read(err);
    }

    String report() {
        return "----- stderr\n" + stderr() + "----- stdout\n" + stdout();
    }

    /** The service JVM's command line. */
    List<String> commandLine() {
        return List.of(read(Path.of("/proc", Long.toString(pid()), "cmdline")).split("\0"));
    }

    /** Whether the service JVM has {@code file} mapped: the JVM maps an AOT cache it uses, and unmaps one it turns down. */
    boolean maps(Path file) {
        return read(Path.of("/proc", Long.toString(pid()), "maps")).lines()
                .anyMatch(l -> l.endsWith(" " + file.toAbsolutePath()));
    }

    /** The gRPC health of the NSM API on the port given to the script. */
    HealthCheckResponse.ServingStatus health() {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus();
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * The HTTP status of the Actuator's health on the port given to the script: 200 as soon as it
     * answers so within 10 s, else the last status (or the connection's failure). The NSM API
     * serves before the web server has started, and ensm is OUT_OF_SERVICE (503) until its first
     * registration lands just after the start.
     */
    int actuatorHealth() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try (HttpClient http = HttpClient.newHttpClient()) {
            while (true) {
                int status;
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/health"))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (java.net.ConnectException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                    status = -1;
                }
                if (status == 200 || (status > 0 && System.nanoTime() > deadline)) {
                    return status;
                }
                Thread.sleep(100);
            }
        }
    }

    /** SIGTERM, as an operator's stop; waits for the exit. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            close();
            throw new AssertionError("the service did not stop within 60 s of SIGTERM:\n" + report());
        }
    }

    /** Names of what {@code dir} holds (empty when it does not exist). */
    static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Processes of this user whose command line or environment mention {@code path}. */
    static List<Long> processesMentioning(Path path) {
        String needle = path.toAbsolutePath().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> {
                    Path proc = Path.of("/proc", Long.toString(p.pid()));
                    return read(proc.resolve("cmdline")).contains(needle) || read(proc.resolve("environ")).contains(needle);
                })
                .map(ProcessHandle::pid).toList();
    }

    @Override
    public void close() {
        EnsmProcess.killTree(process);
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";   // a process that ended meanwhile
        }
    }
}
