package io.ensm.app.soak;

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
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads ensm's resources from outside the process: heap used right after a full collection
 * (jcmd GC.run, then the Prometheus heap gauges), threads and open descriptors from /proc, ensm's
 * links in its namespace, and the connections it holds; and pings the lab's own connection.
 */
final class Sampler {
    /** The forwarder's own link names: bridge, VXLAN, veth, VLAN + 11 hex digits of the connection id. */
    private static final Pattern ENSM_LINK = Pattern.compile("ens[bxvq][0-9a-f]{11}");

    private final SoakOptions options;
    private final Tally tally;
    private final AtomicInteger open;
    private final Instant start;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Sampler(SoakOptions options, Tally tally, AtomicInteger open, Instant start) {
        this.options = options;
        this.tally = tally;
        this.open = open;
        this.start = start;
    }

    Sample sample(String phase) {
        Instant now = Instant.now();
        run("jcmd", Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(options.pid()), "GC.run");
        String metrics = prometheus();
        return new Sample(now, Duration.between(start, now).toSeconds(), phase,
                sum(metrics, "jvm_memory_used_bytes", "area=\"heap\"") / (1024.0 * 1024.0),
                procThreads(), (long) sum(metrics, "jvm_threads_live_threads", ""), fds(), ensmLinks(),
                (long) sum(metrics, "ensm_connections_active", ""), open.get(), tally.count("request"),
                tally.count("refresh"), tally.count("close"), tally.count("expired"), tally.errorCount(), labPing());
    }

    private String prometheus() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + options.actuatorPort()
                + "/actuator/prometheus")).timeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("Actuator answered " + r.statusCode() + " for /actuator/prometheus");
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException("reading ensm's metrics on port " + options.actuatorPort() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Sum of the samples of metric {@code name} (any labels) whose line contains {@code having}; -1 if none. */
    static double sum(String metrics, String name, String having) {
        double total = 0;
        boolean found = false;
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(name) || line.length() == name.length() || !line.contains(having)) {
                continue;
            }
            char next = line.charAt(name.length());
            if (next == '{' || next == ' ') {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        return found ? total : -1;
    }

    private long procThreads() {
        try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(options.pid()), "status"))) {
            return lines.filter(l -> l.startsWith("Threads:")).mapToLong(l -> Long.parseLong(l.substring(8).strip()))
                    .findFirst().orElse(-1);
        } catch (IOException e) {
            throw new UncheckedIOException("ensm (pid " + options.pid() + ") is gone", e);
        }
    }

    private long fds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(options.pid()), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException("ensm (pid " + options.pid() + ") is gone", e);
        }
    }

    private long ensmLinks() {
        String out = run("ip link", "ip", "-n", options.ensmNetns(), "-o", "link", "show");
        return out.lines().map(l -> l.split(": ", 3)).filter(p -> p.length > 1)
                .map(p -> p[1].split("@", 2)[0]).filter(n -> ENSM_LINK.matcher(n).matches()).count();
    }

    private boolean labPing() {
        try {
            run("ping", "ip", "netns", "exec", options.podNetns(), "ping", "-c", "1", "-W", "2", "-q", options.pingIp());
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Runs a command, returns its output; throws when it fails or hangs. */
    static String run(String what, String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish in 30 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " exited with " + p.exitValue() + ": " + text.strip());
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
