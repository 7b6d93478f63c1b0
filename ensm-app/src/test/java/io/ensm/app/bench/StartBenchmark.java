package io.ensm.app.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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
    private static final Duration START_TIMEOUT = ServiceStarts.START_TIMEOUT;

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
        Map<String, String> options = ServiceStarts.options(args, Map.of("starts", "5", "java-opts", ""));
        int starts = Integer.parseInt(options.get("starts"));
        Path script = Path.of("scripts", "run").toAbsolutePath();
        Path work = Files.createTempDirectory("ensm-bench-start-");
        try {
            new StartBenchmark(script, work, options.get("java-opts")).run(starts);
        } finally {
            ServiceStarts.deleteTree(work);
        }
    }

    private void run(int starts) throws Exception {
        System.out.printf(Locale.ROOT, "start benchmark: %d starts per mode, JDK %s, %d CPUs, ENSM_JAVA_OPTS='%s', load average %s%n",
                starts, Runtime.version(), Runtime.getRuntime().availableProcessors(), javaOpts, ServiceStarts.loadAverage());
        ServiceStarts.warmClient();
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
        System.out.println("load average (1, 5, 15 min) at the end: " + ServiceStarts.loadAverage());
        System.out.println("| start | to event=ensm-started: median (min–max) | to gRPC health SERVING: median (min–max) |");
        System.out.println("|---|---:|---:|");
        row("with the AOT cache", cached);
        row("without (`ENSM_NO_AOT=1`)", plain);
    }

    private static void row(String name, List<Start> starts) {
        List<Double> started = starts.stream().map(Start::startedMs).sorted().toList();
        List<Double> serving = starts.stream().map(Start::servingMs).sorted().toList();
        System.out.printf(Locale.ROOT, "| %s | %.0f ms (%.0f–%.0f) | %.0f ms (%.0f–%.0f) |%n", name,
                ServiceStarts.median(started), started.getFirst(), started.getLast(), ServiceStarts.median(serving), serving.getFirst(), serving.getLast());
    }

    /** One start of scripts/run, timed from the launch; stopped with SIGTERM afterwards. */
    private Start start(boolean cache, String name) throws Exception {
        int port = ServiceStarts.freePort();
        Path home = Files.createDirectories(work.resolve(name + "-" + System.nanoTime()));
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "--ensm.listen=127.0.0.1:" + port,
                "--server.port=" + ServiceStarts.freePort(), "--ensm.data-dir=" + work.resolve(cache ? "data-cached" : "data-plain"))
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
            long serving = ServiceStarts.awaitServing(p, port, t0);
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
}
