package io.ensm.app.e2e;

import io.ensm.api.connection.Connection;
import io.ensm.api.connection.ConnectionEvent;
import io.ensm.api.connection.ConnectionEventType;
import io.ensm.api.connection.State;
import io.ensm.core.testing.Prerequisites;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service image as an operator runs it with podman: built by {@code scripts/image} (which
 * keeps an image whose inputs did not change), configured through a file mounted on
 * {@code /etc/ensm}, its store on a named volume on {@code /var/lib/ensm}, on the host's network.
 * The first container starts from the image's ahead-of-time cache, runs as the image's user, serves
 * the NSM API and the Actuator, hands out a connection and stops on SIGTERM. A second container on
 * the same volume, started with the cache switched off (the start's figure without it), finds that
 * connection in its store, refreshes it unchanged and stops on SIGTERM too.
 * Containers and the volume go in the end, also after a failure; the image stays for the next run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImageIT {
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(30);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final String CACHE = "/opt/ensm/ensm.aot";
    private static final String SERVICE = "firewall";
    private static final String ENDPOINT = "fw-1";

    static Path repo;
    static Path work;
    static Podman podman;
    static String image;
    static String prefix;
    static String volume;
    static final List<String> containers = new ArrayList<>();
    static int grpcPort;
    static int httpPort;
    static Path config;
    static Connection made;
    static final StringBuilder figures = new StringBuilder();

    @BeforeAll
    static void buildImage() throws Exception {
        Prerequisites.here().requireRoot("to build the image (debootstrap, buildah) and run it with podman");
        repo = AotFiles.repositoryRoot();
        work = Files.createTempDirectory("ensm-image-it-");
        podman = new Podman(repo);
        prefix = "ensm-it-" + ProcessHandle.current().pid();
        Path log = work.resolve("image.log");
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("scripts/image").toString())
                .redirectError(log.toFile()).redirectOutput(work.resolve("image.out").toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        long started = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            EnsmProcess.killTree(p);
            throw new AssertionError("scripts/image did not end within " + BUILD_TIMEOUT + ":\n" + Files.readString(log));
        }
        assertThat(p.exitValue()).as("scripts/image:\n%s", Files.readString(log)).isZero();
        List<String> out = Files.readAllLines(work.resolve("image.out"));
        image = out.getLast().strip();
        figures.append(String.format(Locale.ROOT, "scripts/image: %s in %.1f s (%s)%n", image, seconds(System.nanoTime() - started),
                Files.readString(log).contains("is up to date") ? "kept" : "built"));

        volume = podman.run("volume", "create", prefix + "-data");
        grpcPort = EnsmProcess.freePort();
        httpPort = EnsmProcess.freePort();
        config = writeConfig(Files.createDirectories(work.resolve("etc-ensm")));
    }

    @AfterAll
    static void removeContainersAndVolume() throws IOException {
        if (podman != null) {
            for (String c : containers) {
                podman.exec("rm", "--force", "--time", "0", c);
            }
            if (volume != null) {
                podman.exec("volume", "rm", "--force", volume);
            }
            assertThat(podman.run("ps", "--all", "--filter", "name=" + prefix, "--format", "{{.Names}}"))
                    .as("containers of this test left behind").isEmpty();
        }
        if (work != null) {
            AotFiles.deleteTree(work);
        }
        System.out.print(figures);
    }

    @Test
    @Order(1)
    void startsFromItsCacheAsItsOwnUserServesAndStopsOnSigterm() throws Exception {
        String c = prefix + "-1";
        Duration[] ready = start(c, List.of());

        int pid = Integer.parseInt(podman.inspect(c, "{{.State.Pid}}"));
        assertThat(maps(pid)).as("the JVM maps the image's AOT cache (it unmaps one it turns down):\n%s", podman.logs(c))
                .anyMatch(l -> l.endsWith(" " + CACHE));
        figure("with the AOT cache", ready);

        assertThat(podman.run("exec", c, "id", "-un")).isEqualTo("ensm");
        String uid = podman.run("exec", c, "id", "-u");
        assertThat(uid).isNotEqualTo("0");
        assertThat(Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status")))
                .as("the service's process, seen from the host").contains("Uid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid);

        try (Nsc nsc = new Nsc("127.0.0.1:" + grpcPort)) {
            made = nsc.ns().request(Nsc.request(SERVICE, Instant.now().plus(Duration.ofMinutes(30))));
        }
        assertThat(made.getState()).isEqualTo(State.UP);
        assertThat(made.getNetworkServiceEndpointName()).isEqualTo(ENDPOINT);
        assertThat(made.getMechanism().getParametersOrThrow("vlan-id")).isNotEmpty();

        stopsOnSigterm(c);
        Path store = Path.of(podman.run("volume", "inspect", "--format", "{{.Mountpoint}}", volume));
        assertThat(ScriptedStart.list(store)).as("the volume holds the store").contains("ensm.db");
    }

    @Test
    @Order(2)
    void aNewContainerOnTheVolumeKeepsTheConnection() throws Exception {
        assertThat(made).as("the first container's connection").isNotNull();
        String c = prefix + "-2";
        // Switched off, so that this start gives the figure without the cache.
        Duration[] ready = start(c, List.of("--env", "JDK_JAVA_OPTIONS=-XX:AOTMode=off"));
        int pid = Integer.parseInt(podman.inspect(c, "{{.State.Pid}}"));
        assertThat(maps(pid)).as("no AOT cache mapped with -XX:AOTMode=off").noneMatch(l -> l.endsWith(" " + CACHE));
        figure("without it (-XX:AOTMode=off)", ready);

        assertThat(podman.logs(c)).contains("event=recovery-done loaded=1 ");
        try (Nsc nsc = new Nsc("127.0.0.1:" + grpcPort)) {
            try (Nsc.Monitor monitor = nsc.monitor()) {
                ConnectionEvent initial = monitor.next(Duration.ofSeconds(10));
                assertThat(initial.getType()).isEqualTo(ConnectionEventType.INITIAL_STATE_TRANSFER);
                assertThat(initial.getConnectionsCount()).as("connections after the restart: %s", initial).isEqualTo(1);
                assertThat(initial.getConnectionsMap().values().iterator().next().getPath().getPathSegmentsList())
                        .extracting(s -> s.getId()).contains(made.getId(), Nsc.ensmId(made));
            }
            Connection refreshed = nsc.ns().request(Nsc.refresh(made, Instant.now().plus(Duration.ofMinutes(30))));
            assertThat(Nsc.ensmId(refreshed)).isEqualTo(Nsc.ensmId(made));
            assertThat(refreshed.getMechanism().getParametersOrThrow("vlan-id")).isEqualTo(made.getMechanism().getParametersOrThrow("vlan-id"));
            assertThat(refreshed.getContext().getIpContext().getSrcIpAddrsList()).isEqualTo(made.getContext().getIpContext().getSrcIpAddrsList());
        }
        stopsOnSigterm(c);
    }

    /** Runs the image as container {@code name}; returns the time from the launch to gRPC health SERVING and to Actuator health 200. */
    private static Duration[] start(String name, List<String> options) throws Exception {
        List<String> run = new ArrayList<>(List.of("run", "--detach", "--name", name, "--network", "host",
                "--volume", volume + ":/var/lib/ensm", "--volume", config + ":/etc/ensm:ro"));
        run.addAll(options);
        run.add(image);
        containers.add(name);
        long launched = System.nanoTime();
        podman.run(run.toArray(String[]::new));
        long deadline = launched + READY_TIMEOUT.toNanos();
        while (!serving()) {
            assertThat(podman.inspect(name, "{{.State.Running}}")).as("the container runs:\n%s", podman.logs(name)).isEqualTo("true");
            assertThat(System.nanoTime()).as("serving within %s:\n%s", READY_TIMEOUT, podman.logs(name)).isLessThan(deadline);
            Thread.sleep(20);
        }
        Duration grpc = Duration.ofNanos(System.nanoTime() - launched);
        try (HttpClient http = HttpClient.newHttpClient()) {
            // ensm is OUT_OF_SERVICE (503) until its first registration lands just after the start.
            while (actuatorHealth(http) != 200) {
                assertThat(System.nanoTime()).as("Actuator health 200 within %s:\n%s", READY_TIMEOUT, podman.logs(name)).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
        return new Duration[] {grpc, Duration.ofNanos(System.nanoTime() - launched)};
    }

    /** Whether the NSM API port takes connections and its gRPC health says SERVING. */
    private static boolean serving() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", grpcPort), 200);
        } catch (IOException e) {
            return false;
        }
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        try {
            return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()).getStatus() == HealthCheckResponse.ServingStatus.SERVING;
        } catch (RuntimeException e) {
            return false;
        } finally {
            channel.shutdownNow();
        }
    }

    private static int actuatorHealth(HttpClient http) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** podman stop sends SIGTERM and waits; a service that did not end by then would be killed (137). */
    private static void stopsOnSigterm(String c) {
        podman.run("stop", "--time", "60", c);
        String log = podman.logs(c);
        assertThat(Integer.parseInt(podman.inspect(c, "{{.State.ExitCode}}"))).as("exit code after SIGTERM:\n%s", log).isIn(0, 143);
        assertThat(log).as("an orderly shutdown").containsSubsequence("event=ensm-stopping", "event=ensm-drained", "event=ensm-stopped");
        assertThat(log).doesNotContain("Exception");
    }

    private static List<String> maps(int pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Integer.toString(pid), "maps"));
    }

    private static void figure(String mode, Duration[] ready) {
        figures.append(String.format(Locale.ROOT, "container start %s: gRPC health SERVING after %d ms, Actuator health 200 after %d ms%n",
                mode, ready[0].toMillis(), ready[1].toMillis()));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** The operator's configuration file, readable by the image's user. */
    private static Path writeConfig(Path dir) throws IOException {
        Files.writeString(dir.resolve("application.yaml"), """
                ensm:
                  name: ensm-image-it
                  listen: 127.0.0.1:%d
                  services:
                    - name: %s
                      payload: IP
                      cidrs: [10.61.0.0/24]
                  endpoints:
                    - name: %s
                      service: %s
                      preprovisioned: { uplink: eth1, vlans: 300-399, plans: fabric-vlan }
                server:
                  port: %d
                """.formatted(grpcPort, SERVICE, ENDPOINT, SERVICE, httpPort));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve("application.yaml"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }
}
