package io.ensm.openstack.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real Keystone and Neutron of {@code scripts/openstack-testbed}, started once per test JVM
 * (see {@link RealOpenStack}) and stopped at the end of the run or when the JVM exits, unless it
 * was already running before (then it is left as it was found).
 */
public final class TestBed implements AutoCloseable {
    /** The admin of the test bed's admin project. */
    public static final String ADMIN = "admin";

    private final Path root;
    private final Path dir;
    private final Map<String, String> env;
    private final boolean startedHere;
    private boolean stopped;

    private TestBed(Path root, Path dir, Map<String, String> env, boolean startedHere) {
        this.root = root;
        this.dir = dir;
        this.env = env;
        this.startedHere = startedHere;
    }

    /** Starts the test bed (or finds it running); throws {@link Unavailable} when the machine cannot run it. */
    public static TestBed start() {
        Path root = findRoot();
        Path dir = root.resolve("target/openstack-testbed");
        Unavailable.checkCanInstall();
        boolean running = run(root, dir, 30, "status").exitCode() == 0;
        Result r = run(root, dir, 600, "start");
        if (r.exitCode() == 3) {
            // the ports kept with the state are taken by something else: start over on new ones
            r = run(root, dir, 600, "start", "--reset");
        }
        if (r.exitCode() != 0) {
            throw new IllegalStateException("scripts/openstack-testbed start failed (exit " + r.exitCode() + "):\n" + r.output());
        }
        TestBed bed = new TestBed(root, dir, readEnv(dir.resolve("run/testbed.env")), !running);
        if (bed.startedHere) {
            Runtime.getRuntime().addShutdownHook(new Thread(bed::close, "openstack-testbed-stop"));
        }
        return bed;
    }

    public String keystoneUrl() {
        return env.get("KEYSTONE_URL");
    }

    public String neutronUrl() {
        return env.get("NEUTRON_URL");
    }

    public String adminPassword() {
        return env.get("OS_PASSWORD");
    }

    public Path neutronLog() {
        return Path.of(env.get("NEUTRON_LOG"));
    }

    public Path keystoneLog() {
        return Path.of(env.get("KEYSTONE_LOG"));
    }

    /** The file with OS_* variables for the openstack CLI. */
    public Path adminrc() {
        return Path.of(env.get("ADMINRC"));
    }

    public Path projectRoot() {
        return root;
    }

    /** Settings of an {@code openstack} endpoint authenticating as the test bed's admin. */
    public Map<String, String> adminSettings(Path passwordFile) {
        writePassword(passwordFile, adminPassword());
        Map<String, String> s = new LinkedHashMap<>();
        s.put("auth-url", keystoneUrl());
        s.put("username", ADMIN);
        s.put("password-file", passwordFile.toString());
        s.put("project", ADMIN);
        s.put("region", "RegionOne");
        return s;
    }

    public static void writePassword(Path file, String password) {
        try {
            Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (stopped || !startedHere) {
            return;
        }
        stopped = true;
        Result r = run(root, dir, 120, "stop");
        if (r.exitCode() != 0) {
            System.err.println("scripts/openstack-testbed stop failed (exit " + r.exitCode() + "):\n" + r.output());
        }
    }

    record Result(int exitCode, String output) {}

    static Result run(Path root, Path dir, int timeoutSeconds, String... args) {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("scripts/openstack-testbed").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("ENSM_OPENSTACK_DIR", dir.toString());
        pb.environment().put("FAKE_OVS_AGENT_HOSTS", "compute-1");
        try {
            Path out = Files.createTempFile("openstack-testbed", ".log");
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, Files.readString(out) + "\n(timed out after " + timeoutSeconds + " s)");
            }
            String output = Files.readString(out);
            Files.deleteIfExists(out);
            return new Result(p.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Map<String, String> readEnv(Path file) {
        try {
            Map<String, String> env = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
            return env;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Path findRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isExecutable(p.resolve("scripts/openstack-testbed"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("scripts/openstack-testbed not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
