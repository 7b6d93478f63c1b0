package io.ensm.app.bench;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.services.HealthStatusManager;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Service start time through {@code scripts/run}, from launching the script to the service's
 * {@code event=ensm-started} line and to gRPC health SERVING on its NSM API, with the
 * ahead-of-time cache and without it ({@code ENSM_NO_AOT=1}), starts of the two modes alternating.
 *
 * <p>Not a unit test: run it with {@code scripts/bench-start}. It needs the packaged jar. The cache
 * goes to a temporary {@code ENSM_AOT_DIR}; the first start trains it and is reported apart. Each
 * start is stopped with SIGTERM before the next one.
 *
 * <p>Options as {@code key=value}: {@code starts} (5 per mode), {@code java-opts} (given to the
 * service as {@code ENSM_JAVA_OPTS}, default none).
 */
public final class StartBenchmark {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    record Start(double startedMs, double servingMs) {}

    private final Path script;
    private final Path work;
    private final String javaOpts;

    private StartBenchmark(Path script, Path work, String javaOpts) {
        this.script = script;
        this.work = work;
        this.javaOpts = javaOpts;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of("starts", "5", "java-opts", ""));
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0 || !options.containsKey(a.substring(0, eq))) {
                throw new IllegalArgumentException("unknown option " + a + "; known: " + options.keySet());
            }
            options.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int starts = Integer.parseInt(options.get("starts"));
        Path script = Path.of("scripts", "run").toAbsolutePath();
        Path work = Files.createTempDirectory("ensm-bench-start-");
        try {
            new StartBenchmark(script, work, options.get("java-opts")).run(starts);
        } finally {
            deleteTree(work);
        }
    }

    private void run(int starts) throws Exception {
        System.out.printf(Locale.ROOT, "start benchmark: %d starts per mode, JDK %s, %d CPUs, ENSM_JAVA_OPTS='%s', load average %s%n",
                starts, Runtime.version(), Runtime.getRuntime().availableProcessors(), javaOpts, loadAverage());
        warmClient();
        Start training = start(true, "training");
        System.out.printf(Locale.ROOT, "first start (extracts the jar, trains the cache): started %.0f ms, SERVING %.0f ms%n",
                training.startedMs(), training.servingMs());
        List<Start> cached = new ArrayList<>();
        List<Start> plain = new ArrayList<>();
        for (int i = 0; i < starts; i++) {
            cached.add(start(true, "cached"));
            plain.add(start(false, "plain"));
            System.out.printf(Locale.ROOT, "round %d: cache %.0f / %.0f ms, no cache %.0f / %.0f ms (started / SERVING)%n", i + 1,
                    cached.getLast().startedMs(), cached.getLast().servingMs(), plain.getLast().startedMs(), plain.getLast().servingMs());
        }
        System.out.println();
        System.out.println("load average (1, 5, 15 min) at the end: " + loadAverage());
        System.out.println("| start | to event=ensm-started: median (min–max) | to gRPC health SERVING: median (min–max) |");
        System.out.println("|---|---:|---:|");
        row("with the AOT cache", cached);
        row("without (`ENSM_NO_AOT=1`)", plain);
    }

    private static void row(String name, List<Start> starts) {
        List<Double> started = starts.stream().map(Start::startedMs).sorted().toList();
        List<Double> serving = starts.stream().map(Start::servingMs).sorted().toList();
        System.out.printf(Locale.ROOT, "| %s | %.0f ms (%.0f–%.0f) | %.0f ms (%.0f–%.0f) |%n", name,
                median(started), started.getFirst(), started.getLast(), median(serving), serving.getFirst(), serving.getLast());
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** One start of scripts/run, timed from the launch; stopped with SIGTERM afterwards. */
    private Start start(boolean cache, String name) throws Exception {
        int port = freePort();
        Path home = Files.createDirectories(work.resolve(name + "-" + System.nanoTime()));
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "--ensm.listen=127.0.0.1:" + port,
                "--server.port=" + freePort(), "--ensm.data-dir=" + work.resolve(cache ? "data-cached" : "data-plain"))
                .directory(home.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("ENSM_NO_BUILD", "1");
        env.put("ENSM_AOT_DIR", work.resolve("aot").toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("ENSM_JAVA_OPTS", javaOpts);
        env.remove("ENSM_NO_AOT");
        if (!cache) {
            env.put("ENSM_NO_AOT", "1");
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<Long> started = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> readOutput(p, "event=ensm-started", started));
        try {
            long serving = awaitServing(p, port, t0);
            long startedAt = started.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new Start((startedAt - t0) / 1e6, (serving - t0) / 1e6);
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** Reads the service's output to its end; completes {@code seen} with the nanoTime of the line holding {@code marker}. */
    private static void readOutput(Process p, String marker, CompletableFuture<Long> seen) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!seen.isDone() && line.contains(marker)) {
                    seen.complete(System.nanoTime());
                }
            }
            seen.completeExceptionally(new IllegalStateException("the service's output never had " + marker));
        } catch (IOException e) {
            seen.completeExceptionally(e);
        }
    }

    /**
     * Polls the port every 5 ms and asks gRPC health once it accepts connections: a fresh channel
     * per attempt, since a channel that failed to connect would back off for a second.
     */
    private static long awaitServing(Process p, int port, long t0) throws InterruptedException {
        while (System.nanoTime() - t0 < START_TIMEOUT.toNanos()) {
            if (!p.isAlive()) {
                throw new IllegalStateException("the service exited with " + p.exitValue() + " before it was SERVING");
            }
            if (accepts(port) && health(port) == HealthCheckResponse.ServingStatus.SERVING) {
                return System.nanoTime();
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("not SERVING within " + START_TIMEOUT);
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static HealthCheckResponse.ServingStatus health(int port) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus();
        } catch (RuntimeException e) {
            return HealthCheckResponse.ServingStatus.UNKNOWN;
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * Health calls against a closed port and against a server of this JVM: the client's classes
     * load and its code warms before any start is timed.
     */
    private static void warmClient() throws IOException, InterruptedException {
        health(freePort());
        Server server = ServerBuilder.forPort(0).addService(new HealthStatusManager().getHealthService()).build().start();
        try {
            for (int i = 0; i < 50; i++) {
                if (!accepts(server.getPort()) || health(server.getPort()) != HealthCheckResponse.ServingStatus.SERVING) {
                    throw new IllegalStateException("the warm-up server does not answer");
                }
            }
        } finally {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
