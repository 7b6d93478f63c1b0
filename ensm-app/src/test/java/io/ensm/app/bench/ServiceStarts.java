package io.ensm.app.bench;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.services.HealthStatusManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What the service-start benchmarks share: options, waiting for gRPC health SERVING, ports, medians, clean-up. */
final class ServiceStarts {
    static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private ServiceStarts() {}

    /** {@code key=value} arguments over the defaults; an unknown key is refused naming the known ones. */
    static Map<String, String> options(String[] args, Map<String, String> defaults) {
        Map<String, String> options = new LinkedHashMap<>(defaults);
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0 || !options.containsKey(a.substring(0, eq))) {
                throw new IllegalArgumentException("unknown option " + a + "; known: " + options.keySet());
            }
            options.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return options;
    }

    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * Polls the port every 5 ms and asks gRPC health once it accepts connections: a fresh channel
     * per attempt, since a channel that failed to connect would back off for a second.
     */
    static long awaitServing(Process p, int port, long t0) throws InterruptedException {
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

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static HealthCheckResponse.ServingStatus health(int port) {
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
    static void warmClient() throws IOException, InterruptedException {
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

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
