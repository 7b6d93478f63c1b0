package io.ensm.store.etcd.testbed;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd cluster for tests: {@code scripts/etcd-testbed} started once per JVM (three members
 * on loopback, data under the module's target/) and shared by every test of the JVM; stopped when
 * the JVM ends, by a shutdown hook, or, if the JVM is killed, by the test bed's own watchdog.
 * Tests that kill or pause members call {@link #heal} afterwards. Where the machine cannot run
 * the test bed, starting throws {@link Unavailable} with the script's reason and
 * {@link EtcdClusterExtension} skips (in CI: fails).
 */
public final class EtcdCluster {
    public static final int MEMBERS = 3;

    private static EtcdCluster shared;

    /** The machine cannot run the test bed; the message is the script's reason. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }

    private final Path script;
    private final Path dir;
    private final List<URI> endpoints;
    private volatile boolean stopped;

    private EtcdCluster(Path script, Path dir, List<URI> endpoints) {
        this.script = script;
        this.dir = dir;
        this.endpoints = List.copyOf(endpoints);
    }

    /** The JVM's cluster, started on first use. */
    public static synchronized EtcdCluster shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    private static EtcdCluster start() {
        Path script = findScript();
        Path dir = Path.of("target").toAbsolutePath().resolve("etcd-testbed-" + ProcessHandle.current().pid());
        Run run = Run.of(script, List.of("start", Integer.toString(MEMBERS), "--dir", dir.toString(),
                "--owner-pid", Long.toString(ProcessHandle.current().pid())), 300);
        if (run.exit() == 3) {
            throw new Unavailable(run.stderr().strip());
        }
        if (run.exit() != 0) {
            throw new IllegalStateException("scripts/etcd-testbed start failed (exit " + run.exit() + "):\n" + run.stderr());
        }
        List<URI> endpoints = Arrays.stream(run.stdout().strip().split(",")).map(URI::create).toList();
        if (endpoints.size() != MEMBERS) {
            throw new IllegalStateException("scripts/etcd-testbed printed " + run.stdout());
        }
        EtcdCluster cluster = new EtcdCluster(script, dir, endpoints);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::stop, "etcd-testbed-stop"));
        return cluster;
    }

    /** scripts/etcd-testbed of the source tree the tests run in. */
    static Path findScript() {
        Path d = Path.of("").toAbsolutePath();
        while (d != null) {
            Path candidate = d.resolve("scripts").resolve("etcd-testbed");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
            d = d.getParent();
        }
        throw new IllegalStateException("scripts/etcd-testbed not found above " + Path.of("").toAbsolutePath());
    }

    /** The client URLs of members 1..N, in order. */
    public List<URI> endpoints() {
        return endpoints;
    }

    /** The client URL of member {@code i} (1-based). */
    public URI endpoint(int i) {
        return endpoints.get(i - 1);
    }

    /** The client URLs as one comma-separated text. */
    public String endpointList() {
        return String.join(",", endpoints.stream().map(URI::toString).toList());
    }

    /** The endpoints with member {@code first} first and the others after it, in order. */
    public List<URI> endpointsStartingWith(int first) {
        List<URI> out = new ArrayList<>();
        for (int k = 0; k < MEMBERS; k++) {
            out.add(endpoint((first - 1 + k) % MEMBERS + 1));
        }
        return out;
    }

    /** The member that leads now, as the members say (etcdctl endpoint status); waits up to 10 s for one. */
    public int leader() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Run run = call("leader");
            if (run.exit() == 0) {
                int leader = Integer.parseInt(run.stdout().strip());
                if (leader < 1 || leader > MEMBERS) {
                    throw new IllegalStateException("etcd test bed: 'leader' printed " + run.stdout() + "; stderr: " + run.stderr());
                }
                return leader;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no etcd leader within 10 s:\n" + run.stderr() + "\n" + status());
            }
            sleepMillis(100);
        }
    }

    /** A member that does not lead now. */
    public int follower() {
        return leader() % MEMBERS + 1;
    }

    /** Index (1-based) of the member with this client URL. */
    public int memberOf(String endpoint) {
        for (int i = 1; i <= MEMBERS; i++) {
            if (endpoint(i).toString().equals(endpoint)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a member of the test bed: " + endpoint);
    }

    /** kill -9 of member {@code i}; its data stays for {@link #restart}. */
    public void kill(int i) {
        expectOk(call("kill", Integer.toString(i)), "kill member " + i);
    }

    /** SIGSTOP of member {@code i}: its connections stay open and nothing answers. */
    public void pause(int i) {
        expectOk(call("pause", Integer.toString(i)), "pause member " + i);
    }

    /** SIGCONT of member {@code i}. */
    public void resume(int i) {
        expectOk(call("resume", Integer.toString(i)), "resume member " + i);
    }

    /** Starts member {@code i} again on its data and ports (killing it first if it runs) and waits until it is healthy. */
    public void restart(int i) {
        expectOk(call("restart", Integer.toString(i)), "restart member " + i);
    }

    /** The test bed's status lines. */
    public String status() {
        return call("status").stdout();
    }

    /** Resumes paused members, restarts dead ones and waits for a leader: the state the next test expects. */
    public void heal() {
        String status = status();
        for (String line : status.split("\n")) {
            String[] f = line.split(" ");
            if (f.length < 5 || !f[0].startsWith("member-")) {
                continue;
            }
            int i = Integer.parseInt(f[0].substring("member-".length()));
            if (line.contains("state=paused")) {
                resume(i);
            } else if (line.contains("state=down")) {
                restart(i);
            }
        }
        leader();
    }

    public Path dir() {
        return dir;
    }

    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        call("stop");
    }

    private Run call(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--dir");
        all.add(dir.toString());
        return Run.of(script, all, 120);
    }

    private static void expectOk(Run run, String what) {
        if (run.exit() != 0) {
            throw new IllegalStateException("etcd test bed: " + what + " failed (exit " + run.exit() + "):\n" + run.stderr());
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A finished run of the script. */
    record Run(int exit, String stdout, String stderr) {
        static Run of(Path script, List<String> args, int timeoutSeconds) {
            List<String> cmd = new ArrayList<>();
            cmd.add(script.toString());
            cmd.addAll(args);
            try {
                Path out = Files.createTempFile("ensm-etcd-testbed", ".out");
                Path err = Files.createTempFile("ensm-etcd-testbed", ".err");
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
