package io.ensm.app.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Start time of the service image in a podman container, from the launch of {@code podman run}
 * to the service's {@code event=ensm-started} line and to gRPC health SERVING on its NSM API,
 * with the image's ahead-of-time cache and without it ({@code JDK_JAVA_OPTIONS=-XX:AOTMode=off}),
 * starts of the two modes alternating. Each container runs on the host's network with a fresh
 * named volume on {@code /var/lib/ensm}, is stopped with SIGTERM ({@code podman stop}) and removed
 * with its volume before the next. The anchor, in the same rounds: {@code scripts/run} on the host
 * with its own cache (as {@code StartBenchmark} times it), so that the host's load weighs on both.
 *
 * <p>Not a unit test: run it with {@code scripts/bench-image}, which builds the image first.
 * Options as {@code key=value}: {@code image} (localhost/ensm:dev), {@code starts} (5 per mode).
 */
public final class ImageStartBenchmark {
    record Start(double startedMs, double servingMs) {}

    enum Mode { CONTAINER_CACHED, CONTAINER_PLAIN, HOST_CACHED }

    private final String image;
    private final String containersConf;
    private final Path work;
    private int count;

    private ImageStartBenchmark(String image, String containersConf, Path work) {
        this.image = image;
        this.containersConf = containersConf;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = ServiceStarts.options(args, Map.of("starts", "5", "image", "localhost/ensm:dev"));
        int starts = Integer.parseInt(options.get("starts"));
        String conf = System.getenv().getOrDefault("CONTAINERS_CONF", Path.of("docker/containers.conf").toAbsolutePath().toString());
        Path work = Files.createTempDirectory("ensm-bench-image-");
        try {
            new ImageStartBenchmark(options.get("image"), conf, work).run(starts);
        } finally {
            ServiceStarts.deleteTree(work);
        }
    }

    private void run(int starts) throws Exception {
        System.out.printf(Locale.ROOT, "image start benchmark: %s, %d starts per mode, %d CPUs, load average %s%n",
                image, starts, Runtime.getRuntime().availableProcessors(), ServiceStarts.loadAverage());
        ServiceStarts.warmClient();
        Start first = start(Mode.CONTAINER_CACHED);
        System.out.printf(Locale.ROOT, "first container start (not counted): started %.0f ms, SERVING %.0f ms%n", first.startedMs(), first.servingMs());
        Start training = start(Mode.HOST_CACHED);
        System.out.printf(Locale.ROOT, "first host start (trains the host's cache, not counted): started %.0f ms, SERVING %.0f ms%n",
                training.startedMs(), training.servingMs());
        List<Start> cached = new ArrayList<>();
        List<Start> plain = new ArrayList<>();
        List<Start> host = new ArrayList<>();
        for (int i = 0; i < starts; i++) {
            cached.add(start(Mode.CONTAINER_CACHED));
            plain.add(start(Mode.CONTAINER_PLAIN));
            host.add(start(Mode.HOST_CACHED));
            System.out.printf(Locale.ROOT, "round %d: container with cache %.0f / %.0f ms, without %.0f / %.0f ms, host with cache %.0f / %.0f ms"
                            + " (started / SERVING)%n", i + 1, cached.getLast().startedMs(), cached.getLast().servingMs(),
                    plain.getLast().startedMs(), plain.getLast().servingMs(), host.getLast().startedMs(), host.getLast().servingMs());
        }
        System.out.println();
        System.out.println("load average (1, 5, 15 min) at the end: " + ServiceStarts.loadAverage());
        System.out.println("| start | to event=ensm-started: median (min–max) | to gRPC health SERVING: median (min–max) |");
        System.out.println("|---|---:|---:|");
        row("container, with the image's AOT cache", cached);
        row("container, without (`-XX:AOTMode=off`)", plain);
        row("anchor: host, `scripts/run` with its cache", host);
    }

    private static void row(String name, List<Start> starts) {
        List<Double> started = starts.stream().map(Start::startedMs).sorted().toList();
        List<Double> serving = starts.stream().map(Start::servingMs).sorted().toList();
        System.out.printf(Locale.ROOT, "| %s | %.0f ms (%.0f–%.0f) | %.0f ms (%.0f–%.0f) |%n", name,
                ServiceStarts.median(started), started.getFirst(), started.getLast(), ServiceStarts.median(serving), serving.getFirst(), serving.getLast());
    }

    /**
     * One start, timed from the launch of podman run (attached: its output is the service's) or of
     * scripts/run; then stopped with SIGTERM and, for a container, removed with its volume.
     */
    private Start start(Mode mode) throws Exception {
        String name = "ensm-bench-" + ProcessHandle.current().pid() + "-" + (++count);
        int port = ServiceStarts.freePort();
        List<String> command = new ArrayList<>();
        if (mode == Mode.HOST_CACHED) {
            command.addAll(List.of(Path.of("scripts", "run").toAbsolutePath().toString(), "--ensm.data-dir=" + work.resolve(name)));
        } else {
            command.addAll(List.of("podman", "run", "--rm", "--name", name, "--network", "host", "--volume", name + ":/var/lib/ensm"));
            if (mode == Mode.CONTAINER_PLAIN) {
                command.addAll(List.of("--env", "JDK_JAVA_OPTIONS=-XX:AOTMode=off"));
            }
            command.add(image);
        }
        command.addAll(List.of("--ensm.listen=127.0.0.1:" + port, "--server.port=" + ServiceStarts.freePort()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(work.toFile());
        pb.environment().put("CONTAINERS_CONF", containersConf);
        pb.environment().put("ENSM_NO_BUILD", "1");
        pb.environment().put("ENSM_AOT_DIR", work.resolve("aot").toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("ENSM_NO_AOT");
        pb.environment().remove("ENSM_JAVA_OPTS");
        long t0 = System.nanoTime();
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<Long> started = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> readOutput(p, started));
        try {
            long serving = ServiceStarts.awaitServing(p, port, t0);
            long startedAt = started.get(ServiceStarts.START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new Start((startedAt - t0) / 1e6, (serving - t0) / 1e6);
        } finally {
            if (mode == Mode.HOST_CACHED) {
                p.destroy();
            } else {
                podman("stop", "--time", "60", name);
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            if (mode != Mode.HOST_CACHED) {
                podman("rm", "--force", "--time", "0", name);
                podman("volume", "rm", "--force", name);
            }
        }
    }

    private void podman(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("CONTAINERS_CONF", containersConf);
        pb.start().waitFor(90, TimeUnit.SECONDS);
    }

    /** Reads the service's output to its end; completes {@code seen} with the nanoTime of the event=ensm-started line. */
    private static void readOutput(Process p, CompletableFuture<Long> seen) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!seen.isDone() && line.contains("event=ensm-started")) {
                    seen.complete(System.nanoTime());
                }
            }
            seen.completeExceptionally(new IllegalStateException("the service's output never had event=ensm-started"));
        } catch (IOException e) {
            seen.completeExceptionally(e);
        }
    }
}
