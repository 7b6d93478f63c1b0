package io.ensm.store.etcd.testbed;

import io.ensm.core.spi.Secret;
import io.ensm.store.etcd.client.EtcdAuth;
import io.ensm.store.etcd.client.EtcdSettings;
import io.ensm.store.etcd.client.EtcdTls;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd cluster for tests: {@code scripts/etcd-testbed} started once per JVM (three members
 * on loopback, data under the module's target/) and shared by every test of the JVM; stopped when
 * the JVM ends, by a shutdown hook, or, if the JVM is killed, by the test bed's own watchdog.
 * Tests that kill or pause members call {@link #heal} afterwards. Where the machine cannot run
 * the test bed, starting throws {@link Unavailable} with the script's reason and
 * {@link EtcdClusterExtension} skips (in CI: fails).
 *
 * <p>{@link #secured()} is a second cluster of the JVM, on its own ports: TLS with client
 * certificates required, etcd's auth on (user {@code ensm} may read and write keys starting with
 * {@code /ensm}), and simple tokens that expire after {@link #TOKEN_TTL} unused.
 */
public final class EtcdCluster {
    public static final int MEMBERS = 3;

    /** How long the secured cluster's tokens live unused (etcd's --auth-token-ttl). */
    public static final Duration TOKEN_TTL = Duration.ofSeconds(3);

    /** Keys the secured cluster's user may read and write start with this. */
    public static final String AUTH_PREFIX = "/ensm";

    private static EtcdCluster shared;
    private static EtcdCluster secured;

    /** The machine cannot run the test bed; the message is the script's reason. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }

    private final Path script;
    private final Path dir;
    private final List<URI> endpoints;
    private final Map<String, String> env;
    private volatile boolean stopped;

    private EtcdCluster(Path script, Path dir, List<URI> endpoints, Map<String, String> env) {
        this.script = script;
        this.dir = dir;
        this.endpoints = List.copyOf(endpoints);
        this.env = Map.copyOf(env);
    }

    /** The JVM's cluster, started on first use. */
    public static synchronized EtcdCluster shared() {
        if (shared == null) {
            shared = start("etcd-testbed-", List.of());
        }
        return shared;
    }

    /** The JVM's cluster with TLS (client certificates required) and auth, started on first use. */
    public static synchronized EtcdCluster secured() {
        if (secured == null) {
            secured = start("etcd-testbed-secured-", List.of("--tls", "--auth", "--auth-token-ttl", Long.toString(TOKEN_TTL.toSeconds())));
        }
        return secured;
    }

    private static EtcdCluster start(String dirName, List<String> options) {
        Path script = findScript();
        Path dir = Path.of("target").toAbsolutePath().resolve(dirName + ProcessHandle.current().pid());
        List<String> args = new ArrayList<>(List.of("start", Integer.toString(MEMBERS), "--dir", dir.toString(),
                "--owner-pid", Long.toString(ProcessHandle.current().pid())));
        args.addAll(options);
        Run run = Run.of(script, args, 300);
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
        Map<String, String> env = new HashMap<>();
        try {
            for (String line : Files.readAllLines(dir.resolve("testbed.env"))) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the test bed's testbed.env in " + dir, e);
        }
        EtcdCluster cluster = new EtcdCluster(script, dir, endpoints, env);
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

    /** Whether members serve clients over TLS only, with client certificates required. */
    public boolean tls() {
        return "1".equals(env.get("TLS"));
    }

    /** Whether etcd's auth is on. */
    public boolean auth() {
        return "1".equals(env.get("AUTH"));
    }

    /** The CA that signed the members' certificates (TLS only). */
    public Path caFile() {
        return file("CA_FILE");
    }

    /** A CA that signed none of them (TLS only). */
    public Path otherCaFile() {
        return file("OTHER_CA_FILE");
    }

    /** A client certificate the members accept, CN ensm-client, which is no etcd user (TLS only). */
    public Path clientCert() {
        return file("CLIENT_CERT");
    }

    public Path clientKey() {
        return file("CLIENT_KEY");
    }

    /** A client certificate (and key) of {@link #otherCaFile()}, which the members refuse (TLS only). */
    public Path otherClientCert() {
        return file("OTHER_CLIENT_CERT");
    }

    public Path otherClientKey() {
        return file("OTHER_CLIENT_KEY");
    }

    /** The etcd user that may read and write keys starting with {@link #AUTH_PREFIX} (auth only). */
    public String user() {
        return required("AUTH_USER");
    }

    /** The file whose first line is that user's password (auth only). */
    public Path passwordFile() {
        return file("AUTH_PASSWORD_FILE");
    }

    /** That user's password (auth only). */
    public Secret password() {
        try {
            return Secret.fromFile(passwordFile());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + passwordFile(), e);
        }
    }

    /** Client settings for this cluster: its endpoints, and its CA, client certificate and user where it has them. */
    public EtcdSettings settings(List<URI> order) {
        EtcdSettings s = EtcdSettings.of(order);
        if (tls()) {
            s = s.withTls(new EtcdTls(caFile(), clientCert(), clientKey()));
        }
        if (auth()) {
            s = s.withAuth(new EtcdAuth(user(), password()));
        }
        return s;
    }

    public EtcdSettings settings() {
        return settings(endpoints);
    }

    /** Every auth token the members gave out stops being valid (auth disable, auth enable). */
    public void revokeTokens() {
        expectOk(call("revoke-tokens"), "revoke tokens");
    }

    private Path file(String name) {
        return Path.of(required(name));
    }

    private String required(String name) {
        String v = env.get(name);
        if (v == null) {
            throw new IllegalStateException("the test bed in " + dir + " has no " + name + " (started without --tls or --auth?)");
        }
        return v;
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
