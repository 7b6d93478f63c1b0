package io.ensm.app.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * How the tests start the service's JVM: the JVM options, with an ahead-of-time cache (JDK 25)
 * trained once per test JVM when it can be, the class path, and the settings that keep each
 * start apart from the others. Tests that restart the service
 * hundreds of times (the crash matrix) spend most of their time starting it; the cache halves
 * that. It needs a class path of jar files only, so the build's class directories are packed
 * into jars first. If anything about the cache fails, the service starts without it.
 */
final class ServiceLaunch {
    static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    private static final Duration TRAINING_TIMEOUT = Duration.ofSeconds(90);

    private static ServiceLaunch instance;

    private final String classpath;
    private final Path cache;

    private ServiceLaunch(String classpath, Path cache) {
        this.classpath = classpath;
        this.cache = cache;
    }

    static synchronized ServiceLaunch get() {
        if (instance == null) {
            instance = prepare(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        }
        return instance;
    }

    String classpath() {
        return classpath;
    }

    /** The JVM options of a service start, the cache included when there is one. */
    List<String> options() {
        List<String> options = new ArrayList<>(JVM_OPTIONS);
        if (cache != null) {
            options.add("-XX:AOTCache=" + cache);
            // A cache the JVM turns down (another JDK build) only costs the speed-up: keep it quiet.
            options.add("-Xlog:aot=off");
            options.add("-Xlog:cds=off");
        }
        return options;
    }

    /**
     * The settings that keep one start of the service apart from every other on the machine: its
     * own gRPC port on loopback, an HTTP port the system picks, its own data directory. A test
     * changes or adds to them in the returned map.
     */
    static Map<String, String> isolated(int grpcPort, Path dataDir) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("ensm.listen", "127.0.0.1:" + grpcPort);
        settings.put("server.port", "0");
        settings.put("ensm.data-dir", dataDir.toString());
        return settings;
    }

    /** Settings as the service's command-line arguments ({@code --key=value}). */
    static List<String> arguments(Map<String, String> settings) {
        return settings.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toList();
    }

    private static ServiceLaunch prepare(String original) {
        if (Boolean.getBoolean("ensm.test.no-aot")) {
            return new ServiceLaunch(original, null);
        }
        Path dir;
        String jarsOnly;
        try {
            dir = Files.createTempDirectory("ensm-launch-");
            jarsOnly = jarsOnly(original, dir);
        } catch (IOException | UncheckedIOException e) {
            System.err.println("ServiceLaunch: no AOT cache, class path kept as it is: " + e.getMessage());
            return new ServiceLaunch(original, null);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "ensm-launch-cleanup"));
        Path cache = dir.resolve("ensm.aot");
        try {
            train(jarsOnly, cache, dir);
            return new ServiceLaunch(jarsOnly, cache);
        } catch (IOException | RuntimeException e) {
            System.err.println("ServiceLaunch: no AOT cache (" + e.getMessage() + "); starting the service without one");
            return new ServiceLaunch(jarsOnly, null);
        }
    }

    /** The class path with every directory replaced by a jar of its contents. */
    private static String jarsOnly(String classpath, Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        int n = 0;
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                Path jar = dir.resolve((n++) + "-" + p.getFileName() + ".jar");
                pack(p, jar);
                out.add(jar.toString());
            } else if (Files.exists(p)) {
                out.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    private static void pack(Path root, Path jar) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file);
             Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted().toList()) {
                if (p.equals(root)) {
                    continue;
                }
                String name = root.relativize(p).toString().replace('\\', '/') + (Files.isDirectory(p) ? "/" : "");
                zip.putNextEntry(new ZipEntry(name));
                if (Files.isRegularFile(p)) {
                    Files.copy(p, zip);
                }
                zip.closeEntry();
            }
        }
    }

    /** One start of the service with default settings, stopped gracefully: the JVM writes the cache as it exits. */
    private static void train(String classpath, Path cache, Path dir) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-XX:AOTCacheOutput=" + cache);
        command.add("-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("training-tmp")));
        command.addAll(List.of("-cp", classpath, "io.ensm.app.EnsmApplication"));
        command.addAll(arguments(isolated(EnsmProcess.freePort(), dir.resolve("training-data"))));
        Path log = dir.resolve("training.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TRAINING_TIMEOUT.toNanos();
            while (!Files.readString(log).contains("event=ensm-started")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the training start did not come up: " + tail(log));
                }
                Thread.sleep(100);
            }
            p.destroy();
            if (!p.waitFor(TRAINING_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the training start did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while training", e);
        } finally {
            p.destroyForcibly();
        }
        if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
            throw new IllegalStateException("no cache written: " + tail(log));
        }
    }

    private static String tail(Path log) throws IOException {
        String s = Files.readString(log);
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless.
        }
    }
}
