package io.ensm.netconf.testbed;

import io.ensm.netconf.client.Timeouts;
import io.ensm.netconf.session.DeviceConfig;
import io.ensm.netconf.session.HostKeyPolicy;
import io.ensm.netconf.session.PasswordSource;
import io.ensm.netconf.session.PoolSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Real NETCONF devices for tests: {@code scripts/netconf-testbed} started once per JVM for each
 * (device count, target datastore) and shared, or for one test alone ({@link #startOwn}); stopped
 * when the JVM ends (also after failures, through a shutdown hook), and a killed JVM's beds by the
 * next start. If the machine cannot run it (no root, no Debian mirror), a start throws
 * {@link Unavailable} with the script's reason, and {@link NetconfTestbedExtension} skips loudly.
 */
public final class NetconfTestbed implements AutoCloseable {
    private static final Map<String, NetconfTestbed> SHARED = new ConcurrentHashMap<>();

    /**
     * One device as the test bed wrote it in device.env; {@code operatorUsername} is a second login
     * with the same password, for sessions of an operator (not ensm's user).
     */
    public record Device(int index, String name, String host, int port, String username, String operatorUsername,
                         Path passwordFile, Path knownHosts, String hostKeySha256, String target) {}

    /** The machine cannot run the test bed; the message is the script's reason. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }

    private final Path script;
    private final Path dir;
    private final List<Device> devices;
    private volatile boolean stopped;

    private NetconfTestbed(Path script, Path dir, List<Device> devices) {
        this.script = script;
        this.dir = dir;
        this.devices = List.copyOf(devices);
    }

    /** The JVM's test bed with this many devices and this target ("candidate" or "running"). */
    public static NetconfTestbed shared(int count, String target) {
        return SHARED.computeIfAbsent(count + "/" + target, k -> start(target + "-" + count, count, target, List.of(), START_TIMEOUT_SECONDS));
    }

    /**
     * A test bed of the caller's own, not shared with other tests of the JVM, for tests that stop,
     * freeze or restart its devices. {@code name} (not of the form "target-count", which the shared
     * beds use) goes into its directory's name; its ports are the first free ones from
     * {@code basePort}. Stopped by {@link #close}, or when the JVM ends.
     */
    public static NetconfTestbed startOwn(String name, int count, String target, int basePort) {
        return startOwn(name, count, target, basePort, Map.of());
    }

    /**
     * As {@link #startOwn(String, int, String, int)}, with devices that boot with entries already in
     * their datastore: {@code startups} maps a device number (1-based) to a file of ietf-interfaces
     * {@code <interface>} entries (the script's {@code --startup I=FILE}). netconfd checks every
     * entry at boot, minutes for thousands on a port, so the start then waits up to an hour.
     */
    public static NetconfTestbed startOwn(String name, int count, String target, int basePort, Map<Integer, Path> startups) {
        List<String> options = new ArrayList<>(List.of("--base-port", Integer.toString(basePort)));
        new TreeMap<>(startups).forEach((device, file) -> options.addAll(List.of("--startup", device + "=" + file.toAbsolutePath())));
        return start(name, count, target, options, startups.isEmpty() ? START_TIMEOUT_SECONDS : BOOT_TIMEOUT_SECONDS);
    }

    /**
     * A test bed that a script started in {@code dir} ({@code scripts/netconf-testbed start}), read
     * from the files it wrote. The script that started it stops it: no shutdown hook here, and
     * {@link #close} is not for such a bed.
     */
    public static NetconfTestbed attach(Path dir) {
        Path env = dir.resolve("testbed.env");
        int count;
        try {
            count = Files.readAllLines(env, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith("DEVICES="))
                    .map(l -> Integer.parseInt(l.substring("DEVICES=".length()).strip())).findFirst()
                    .orElseThrow(() -> new IllegalStateException(env + " names no DEVICES"));
        } catch (IOException e) {
            throw new IllegalStateException("no running test bed in " + dir + " (" + env + " unreadable)", e);
        }
        List<Device> devices = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            devices.add(readDevice(i, dir.resolve("device-" + i).resolve("device.env")));
        }
        return new NetconfTestbed(findScript(), dir, devices);
    }

    private static final int START_TIMEOUT_SECONDS = 180;
    /** The script's own bound on a boot with a startup file (ENSM_TB_BOOT_TIMEOUT, 3600 s), and time to start the rest. */
    private static final int BOOT_TIMEOUT_SECONDS = 3600 + START_TIMEOUT_SECONDS;

    private static final String PREFIX = "ensm-netconf-testbed-";

    private static NetconfTestbed start(String name, int count, String target, List<String> options, int timeoutSeconds) {
        Path script = findScript();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        stopOrphans(script, tmp);
        Path dir = tmp.resolve(PREFIX + ProcessHandle.current().pid() + "-" + name);
        List<String> args = new ArrayList<>(List.of("start", Integer.toString(count), "--dir", dir.toString(), "--target", target));
        args.addAll(options);
        Run run = Run.of(script, args, timeoutSeconds);
        if (run.exit() == 3) {
            throw new Unavailable(run.stderr().strip());
        }
        if (run.exit() != 0) {
            throw new IllegalStateException("scripts/netconf-testbed start failed (exit " + run.exit() + "):\n" + run.stderr());
        }
        List<Device> devices = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            devices.add(readDevice(i, dir.resolve("device-" + i).resolve("device.env")));
        }
        NetconfTestbed bed = new NetconfTestbed(script, dir, devices);
        Runtime.getRuntime().addShutdownHook(new Thread(bed::close, "netconf-testbed-stop"));
        return bed;
    }

    /** Stops test beds whose JVM died without its shutdown hook (killed): their directory names its pid. */
    private static void stopOrphans(Path script, Path tmp) {
        try (var dirs = Files.list(tmp)) {
            for (Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                if (!name.startsWith(PREFIX) || !Files.exists(d.resolve("testbed.env"))) {
                    continue;
                }
                String pid = name.substring(PREFIX.length()).split("-", 2)[0];
                boolean alive = pid.matches("\\d+") && ProcessHandle.of(Long.parseLong(pid)).isPresent();
                if (!alive) {
                    Run.of(script, List.of("stop", "--dir", d.toString()), 60);
                }
            }
        } catch (IOException e) {
            // Nothing to clean up then.
        }
    }

    private static Device readDevice(int index, Path env) {
        Map<String, String> v = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(env, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    v.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("test bed wrote no " + env, e);
        }
        return new Device(index, v.get("NAME"), v.get("HOST"), Integer.parseInt(v.get("PORT")), v.get("USERNAME"),
                v.get("OPERATOR_USERNAME"),
                Path.of(v.get("PASSWORD_FILE")), Path.of(v.get("KNOWN_HOSTS")), v.get("HOST_KEY_SHA256"), v.get("TARGET"));
    }

    /** scripts/netconf-testbed of the source tree the tests run in. */
    static Path findScript() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("scripts").resolve("netconf-testbed");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("scripts/netconf-testbed not found above " + Path.of("").toAbsolutePath());
    }

    public List<Device> devices() {
        return devices;
    }

    public Device device(int index) {
        return devices.get(index - 1);
    }

    public Path dir() {
        return dir;
    }

    /**
     * A device configuration for ensm's session layer: host key checked against the test bed's
     * known_hosts, password from its file, short timeouts and backoff suited to tests.
     */
    public DeviceConfig config(int index) {
        Device d = device(index);
        return new DeviceConfig(d.name(), d.host(), d.port(), d.username(), new PasswordSource.File(d.passwordFile()),
                new HostKeyPolicy.KnownHosts(d.knownHosts()), Timeouts.DEFAULTS,
                PoolSettings.DEFAULTS.withMinIdle(0));
    }

    /**
     * Reads running of device {@code index} with OpenSSH's client through the device's sshd, not
     * through ensm's code. Returns the rpc-reply text.
     */
    public String independentGetConfig(int index, String subtreeFilter) {
        // A read changes nothing, so a box too busy to answer one (netconfd checking a large commit,
        // a loaded machine) is asked again before the read counts as failed.
        StringBuilder failures = new StringBuilder();
        for (int attempt = 1; attempt <= 3; attempt++) {
            Run run = Run.of(script, List.of("get-config", Integer.toString(index), "--dir", dir.toString(), subtreeFilter), 60);
            if (run.exit() == 0) {
                return run.stdout();
            }
            failures.append("attempt ").append(attempt).append(":\n").append(run.stderr()).append('\n');
            pause(1000);
        }
        throw new IllegalStateException("independent get-config of device " + index + " failed:\n" + failures);
    }

    /** Reads the device's ietf-interfaces configuration independently. */
    public String independentInterfaces(int index) {
        return independentGetConfig(index, "<interfaces xmlns=\"urn:ietf:params:xml:ns:yang:ietf-interfaces\"/>");
    }

    /** Cuts every SSH connection of the device on the server side (its sshd's children). */
    public void dropSessions(int index) {
        Run run = Run.of(script, List.of("drop-sessions", Integer.toString(index), "--dir", dir.toString()), 30);
        if (run.exit() != 0) {
            throw new IllegalStateException("drop-sessions failed:\n" + run.stderr());
        }
    }

    /** The pid of a daemon ("sshd" or "netconfd") of device {@code index}, from the pid file the test bed wrote. */
    public long pid(int index, String daemon) {
        Path file = dir.resolve("device-" + index).resolve(daemon + ".pid");
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("no pid in " + file, e);
        }
    }

    /** Stops the sshd of device {@code index} and cuts its sessions: the device is unreachable, netconfd keeps its state. */
    public void stopSsh(int index) {
        long sshd = pid(index, "sshd");
        dropSessions(index);
        signal("TERM", sshd);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ProcessHandle.of(sshd).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("sshd " + sshd + " of device " + index + " did not exit");
            }
            pause(20);
        }
    }

    /** Starts the sshd of device {@code index} again with its own configuration and waits until it listens. */
    public void startSsh(int index) {
        Path d = dir.resolve("device-" + index);
        try {
            Files.deleteIfExists(d.resolve("sshd.pid"));
            Process p = new ProcessBuilder("/usr/sbin/sshd", "-f", d.resolve("sshd_config").toString(), "-E", d.resolve("sshd.log").toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("sshd of device " + index + " did not start; see " + d.resolve("sshd.log"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot start sshd of device " + index, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        int port = device(index).port();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (Files.exists(d.resolve("sshd.pid")) && listens(port)) {
                return;
            }
            pause(50);
        }
        throw new IllegalStateException("the sshd of device " + index + " did not listen again on port " + port);
    }

    private static boolean listens(int port) {
        try (var socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void signal(String signal, long pid) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException("cannot signal " + pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        resumeFrozenDaemons();
        Run.of(script, List.of("stop", "--dir", dir.toString()), 60);
    }

    /** A test may have frozen a daemon (SIGSTOP); a frozen one would ignore the stop until it runs again. */
    private void resumeFrozenDaemons() {
        for (Device d : devices) {
            for (String daemon : List.of("sshd", "netconfd")) {
                try {
                    new ProcessBuilder("kill", "-CONT", Long.toString(pid(d.index(), daemon))).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
                } catch (IllegalStateException | IOException e) {
                    // Not running: nothing to resume.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** A finished process run. */
    record Run(int exit, String stdout, String stderr) {
        static Run of(Path script, List<String> args, int timeoutSeconds) {
            List<String> cmd = new ArrayList<>();
            cmd.add(script.toString());
            cmd.addAll(args);
            try {
                Path out = Files.createTempFile("ensm-testbed", ".out");
                Path err = Files.createTempFile("ensm-testbed", ".err");
                try {
                    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + timeoutSeconds + " s");
                    }
                    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
                } finally {
                    Files.deleteIfExists(out);
                    Files.deleteIfExists(err);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + cmd, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted running " + cmd, e);
            }
        }
    }
}
