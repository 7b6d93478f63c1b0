package io.ensm.app.e2e;

import io.grpc.health.v1.HealthCheckResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code scripts/run} on the packaged jar, as an appliance restarts the service: the first start
 * extracts the jar and trains an ahead-of-time cache (one start of its own on ephemeral ports and a
 * throw-away data directory, stopped before the service starts), later starts use the cache, a
 * damaged or foreign cache never keeps the service from starting, a training that fails is one
 * line and the service starts without the cache, and {@code ENSM_NO_AOT=1} starts from the jar.
 * The JVM uses a cache when it keeps it mapped ({@code /proc/<pid>/maps}); it unmaps one it turns
 * down. The cases run in order on one cache directory, as successive starts of one installation.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunScriptAotIT {
    private static final Pattern TRAINING_LISTEN = Pattern.compile("event=ensm-started .*listen=\\[/127\\.0\\.0\\.1:(\\d+)]");
    private static final Pattern TRAINING_HTTP = Pattern.compile("Tomcat started on port (\\d+)");

    static Path root;
    static Path aotDir;
    static Path script;
    static Path jar;
    static int runs;

    @BeforeAll
    static void paths() throws IOException {
        Path repo = AotFiles.repositoryRoot();
        script = repo.resolve("scripts/run");
        jar = AotFiles.packagedJar(repo);
        root = Files.createTempDirectory("ensm-run-aot-it-");
        aotDir = root.resolve("aot");
    }

    @AfterAll
    static void removeEverything() throws IOException {
        if (root != null) {
            for (long pid : ScriptedStart.processesMentioning(root)) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            AotFiles.deleteTree(root);
        }
    }

    @Test
    @Order(1)
    void firstStartTrainsOnEphemeralPortsAndStartsFromTheCache() throws Exception {
        try (ScriptedStart s = run(Map.of())) {
            assertThat(s.stderr()).as(s.report()).contains("run: training an AOT cache");
            Path cache = cache();
            assertThat(s.commandLine()).contains("-XX:AOTCache=" + cache, aotDir.resolve("app/ensm.jar").toString());
            assertThat(s.maps(cache)).as("the JVM maps the cache it uses:\n%s", s.report()).isTrue();
            assertThat(s.health()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            assertThat(s.actuatorHealth()).isEqualTo(200);
            // The training's own start was gone before the service started.
            assertThat(ScriptedStart.processesMentioning(root)).containsExactly(s.pid());

            String training = Files.readString(Path.of(cache + ".log"));
            int trainingGrpc = group(TRAINING_LISTEN.matcher(training), training);
            int trainingHttp = group(TRAINING_HTTP.matcher(training), training);
            assertThat(trainingGrpc).isNotIn(5003, s.grpcPort);
            assertThat(trainingHttp).isNotIn(8090, s.httpPort);
            // Its first calls, so their classes are in the cache too: the NSM API's registry and the Actuator.
            assertThat(training).contains("training call: ensmctl nse list", "NAME  SERVICES", "HTTP/1.1 200",
                    "AOTCache creation is complete");

            s.stop();
            assertStartLeftNothingBehind(s);
        }
    }

    @Test
    @Order(2)
    void laterStartsUseTheCacheWithoutTrainingAndKeepTheJavaOptions() throws Exception {
        // A -D setting does not change the cache: the service gets it, the training would not.
        try (ScriptedStart s = run(Map.of("ENSM_JAVA_OPTS", "-Densm.test.marker=run-script"))) {
            assertThat(s.stderr()).as(s.report()).doesNotContain("training", "extracting", "no AOT cache");
            assertThat(s.commandLine()).contains("-Densm.test.marker=run-script");
            assertThat(s.maps(cache())).as(s.report()).isTrue();
            s.stop();
            assertStartLeftNothingBehind(s);
        }
    }

    @Test
    @Order(3)
    void aDamagedCacheStillLetsTheServiceStart() throws Exception {
        Path cache = cache();
        FileTime written = Files.getLastModifiedTime(cache);
        try (RandomAccessFile f = new RandomAccessFile(cache.toFile(), "rw")) {
            f.write(new byte[4096]);   // the header and more: as a disk fault would, size unchanged
        }
        Files.setLastModifiedTime(cache, written);
        try (ScriptedStart s = run(Map.of())) {
            assertThat(s.stderr()).as("the damage is not visible from outside the file:\n%s", s.report())
                    .doesNotContain("training");
            assertThat(s.commandLine()).contains("-XX:AOTCache=" + cache);
            assertThat(s.maps(cache)).as("the JVM turned the damaged cache down:\n%s", s.report()).isFalse();
            assertThat(s.health()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            s.stop();
            assertStartLeftNothingBehind(s);
        }
    }

    @Test
    @Order(4)
    void aCacheOfAnotherJarIsTrainedAgainAndTheServiceStartsFromTheNewOne() throws Exception {
        Path cache = cache();
        Path foreign = root.resolve("foreign.aot");
        trainForeignCache(foreign);
        Files.copy(foreign, cache, StandardCopyOption.REPLACE_EXISTING);
        try (ScriptedStart s = run(Map.of())) {
            assertThat(s.stderr()).as(s.report()).contains("run: training an AOT cache");
            assertThat(s.maps(cache)).as(s.report()).isTrue();
            s.stop();
            assertStartLeftNothingBehind(s);
        }
    }

    @Test
    @Order(5)
    void aFailedTrainingIsOneLineAndTheServiceStartsWithoutTheCache() throws Exception {
        // Class sharing turned off: the JVM refuses -XX:AOTCacheOutput, as it refuses -XX:AOTCache.
        Map<String, String> sharingOff = Map.of("ENSM_JAVA_OPTS", "-Xshare:off");
        try (ScriptedStart s = run(sharingOff)) {
            List<String> said = s.stderr().lines().filter(l -> l.contains("no AOT cache")).toList();
            assertThat(said).as(s.report()).hasSize(1);
            assertThat(said.getFirst()).startsWith("run: no AOT cache (the training start exited with status 1")
                    .contains("AOTCacheOutput cannot be used").endsWith("; starting without it");
            assertThat(s.commandLine()).contains("-Xshare:off", jar.toString()).noneMatch(a -> a.startsWith("-XX:AOTCache"));
            assertThat(s.health()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            s.stop();
            assertStartLeftNothingBehind(s);
        }
        try (ScriptedStart again = run(sharingOff)) {
            assertThat(again.stderr()).as("a failed training is not tried on every start:\n%s", again.report())
                    .doesNotContain("run: training").contains("its training failed before");
            again.stop();
        }
        assertThat(cache()).as("the cache of the other options stays").exists();
    }

    @Test
    @Order(6)
    void noAotStartsFromTheJar() throws Exception {
        Path untouched = root.resolve("no-aot");
        try (ScriptedStart s = run(Map.of("ENSM_NO_AOT", "1", "ENSM_AOT_DIR", untouched.toString()))) {
            assertThat(s.commandLine()).contains(jar.toString()).noneMatch(a -> a.startsWith("-XX:AOT"));
            assertThat(s.stderr()).isEmpty();
            s.stop();
            assertStartLeftNothingBehind(s);
        }
        assertThat(untouched).doesNotExist();
    }

    private static ScriptedStart run(Map<String, String> env) throws IOException {
        Map<String, String> all = new java.util.HashMap<>(Map.of("ENSM_AOT_DIR", aotDir.toString()));
        all.putAll(env);
        return ScriptedStart.start(Files.createDirectories(root.resolve("run-" + (++runs))), List.of(script.toString()), all);
    }

    /** The one cache trained for the JVM options of a plain start. */
    private static Path cache() throws IOException {
        try (Stream<Path> s = Files.list(aotDir)) {
            List<Path> caches = s.filter(p -> p.getFileName().toString().matches("ensm-[0-9a-f]{12}\\.aot")).toList();
            assertThat(caches).as("caches in %s", aotDir).hasSize(1);
            return caches.getFirst();
        }
    }

    /**
     * After a start stopped: the script's working directory has no ./data (nor anything else), its
     * temporary directory is empty (the training's data directory is gone), the service's data
     * directory holds only the store, and no process of the start is left.
     */
    private static void assertStartLeftNothingBehind(ScriptedStart s) {
        assertThat(ScriptedStart.list(s.workDir)).as("the working directory").isEmpty();
        assertThat(ScriptedStart.list(s.tmpDir)).as("TMPDIR").isEmpty();
        assertThat(ScriptedStart.list(s.dataDir)).as("the data directory").allMatch(n -> n.startsWith("ensm.db"));
        assertThat(ScriptedStart.processesMentioning(s.home)).as("processes of this start").isEmpty();
    }

    /** A real cache, for the class path of the executable jar itself (the jar's tool mode). */
    private static void trainForeignCache(Path cache) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:AOTCacheOutput=" + cache, "-Djarmode=tools", "-jar", jar.toString(), "help")
                .redirectErrorStream(true).redirectOutput(root.resolve("foreign.log").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(cache).as(Files.readString(root.resolve("foreign.log"))).isNotEmptyFile();
    }

    private static int group(Matcher m, String text) {
        assertThat(m.find()).as("in the training's output:\n%s", text).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
