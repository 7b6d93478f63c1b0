package io.ensm.app.e2e;

import io.grpc.health.v1.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code docker/Dockerfile} does, without a container engine: its build stage's
 * {@code scripts/aot-cache} command and its ENTRYPOINT, both read from the file, with
 * {@code /opt/ensm} and {@code /etc/ensm} moved into a temporary directory. The ENTRYPOINT's JVM
 * options must be the training's (a cache holds only for the options it was trained with), and
 * its JVM must map the cache the build stage wrote.
 */
class ImageAotRecipeIT {
    private static final Pattern AOT_RUN = Pattern.compile("RUN \\S*scripts/aot-cache --dir (\\S+) --cache (\\S+) \\S+ -- (.*?)(?: &&|$)");
    private static final Pattern ENTRYPOINT = Pattern.compile("ENTRYPOINT \\[(.*)]");
    private static final Pattern JSON_STRING = Pattern.compile("\"([^\"]*)\"");

    Path root;

    @BeforeEach
    void dir() throws IOException {
        root = Files.createTempDirectory("ensm-image-aot-it-");
    }

    @AfterEach
    void clean() throws IOException {
        for (long pid : ScriptedStart.processesMentioning(root)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        AotFiles.deleteTree(root);
    }

    @Test
    void theBuildStageTrainsTheCacheTheEntrypointStartsFrom() throws Exception {
        Path repo = AotFiles.repositoryRoot();
        List<String> dockerfile = joinedLines(repo.resolve("docker/Dockerfile"));
        Matcher run = find(AOT_RUN, dockerfile);
        String imageDir = run.group(1);
        String cacheName = run.group(2);
        List<String> trainingOptions = List.of(run.group(3).trim().split("\\s+"));
        List<String> entrypoint = JSON_STRING.matcher(find(ENTRYPOINT, dockerfile).group(1)).results()
                .map(r -> r.group(1)).toList();

        int jarAt = entrypoint.indexOf("-jar");
        assertThat(entrypoint.getFirst()).isEqualTo("java");
        assertThat(entrypoint).contains("-XX:AOTCache=" + imageDir + "/" + cacheName);
        assertThat(entrypoint.get(jarAt + 1)).isEqualTo(imageDir + "/app/ensm.jar");
        List<String> serviceOptions = entrypoint.subList(1, jarAt).stream().filter(o -> !o.startsWith("-XX:AOTCache=")).toList();
        assertThat(trainingOptions).as("the training's JVM options").containsAll(serviceOptions);
        assertThat(trainingOptions.stream().filter(o -> !serviceOptions.contains(o)))
                .as("training-only options: the heap's sizing, never what the cache depends on")
                .allMatch(o -> o.startsWith("-XX:MaxRAM="));

        Path opt = root.resolve("opt-ensm");
        Path etc = Files.createDirectories(root.resolve("etc-ensm"));
        Path tmp = Files.createDirectories(root.resolve("build-tmp"));
        List<String> build = new ArrayList<>(List.of(repo.resolve("scripts/aot-cache").toString(), "--dir", opt.toString(),
                "--cache", cacheName, AotFiles.packagedJar(repo).toString(), "--"));
        build.addAll(trainingOptions);
        ProcessBuilder pb = new ProcessBuilder(build).redirectErrorStream(true).redirectOutput(root.resolve("build.log").toFile());
        pb.environment().put("TMPDIR", tmp.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        String buildLog = Files.readString(root.resolve("build.log"));
        assertThat(p.exitValue()).as(buildLog).isZero();
        Path cache = opt.resolve(cacheName);
        assertThat(buildLog).contains(cache.toString());
        assertThat(ScriptedStart.list(tmp)).as("the build stage's temporary directory").isEmpty();

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : entrypoint.subList(1, entrypoint.size())) {
            command.add(a.replace(imageDir + "/", opt + "/").replace("file:/etc/ensm/", "file:" + etc + "/"));
        }
        try (ScriptedStart s = ScriptedStart.start(Files.createDirectories(root.resolve("container")), command, Map.of())) {
            assertThat(s.maps(cache)).as("the entrypoint's JVM maps the image's cache:\n%s", s.report()).isTrue();
            assertThat(s.health()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            s.stop();
        }
        assertThat(ScriptedStart.processesMentioning(root)).isEmpty();
    }

    /** The Dockerfile's lines with continuation lines joined. */
    private static List<String> joinedLines(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.stripLeading().startsWith("#")) {
                continue;
            }
            String l = line.strip();
            if (l.endsWith("\\")) {
                current.append(l, 0, l.length() - 1).append(' ');
            } else {
                out.add(current.append(l).toString().replaceAll("\\s+", " "));
                current.setLength(0);
            }
        }
        return out;
    }

    private static Matcher find(Pattern p, List<String> lines) {
        for (String line : lines) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                return m;
            }
        }
        throw new AssertionError("no line of docker/Dockerfile matches " + p);
    }
}
