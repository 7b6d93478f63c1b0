package io.ensm.app.reliability;

import io.ensm.core.testing.Cmd;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One real netconfd box of {@code scripts/netconf-testbed}, in a directory and from a base port
 * of its own, so the fault tests can stop, freeze and restart it without disturbing test beds
 * that other tests share. Reads go through OpenSSH (the script), never through ensm's code.
 */
final class NetconfBox implements AutoCloseable {
    private static final String PREFIX = "ensm-reliability-";
    static final String MARK = "ensm:";

    private final Path script;
    private final Path dir;
    private final Map<String, String> env;
    private boolean stopped;

    private NetconfBox(Path script, Path dir, Map<String, String> env) {
        this.script = script;
        this.dir = dir;
        this.env = env;
    }

    /** Starts one device; skips the test (with the script's reason) where the machine cannot run it. */
    static NetconfBox start(String role, int basePort) {
        Path script = findScript();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        stopOrphans(script, tmp);
        Path dir = tmp.resolve(PREFIX + ProcessHandle.current().pid() + "-" + role);
        Cmd.Result r = Cmd.exec(script.toString(), "start", "1", "--dir", dir.toString(), "--base-port", Integer.toString(basePort));
        assumeTrue(r.exit() != 3, () -> "scripts/netconf-testbed cannot run here: " + r.output().strip());
        if (!r.ok()) {
            throw new IllegalStateException("scripts/netconf-testbed start failed (exit " + r.exit() + "): " + r.output());
        }
        NetconfBox box = new NetconfBox(script, dir, readEnv(dir.resolve("device-1").resolve("device.env")));
        Runtime.getRuntime().addShutdownHook(new Thread(box::close, "reliability-box-stop"));
        return box;
    }

    /** Test beds of JVMs that were killed before their shutdown hook ran: the directory names the pid. */
    private static void stopOrphans(Path script, Path tmp) {
        try (var dirs = Files.list(tmp)) {
            for (Path d : dirs.toList()) {
                String name = d.getFileName().toString();
                if (!name.startsWith(PREFIX) || !Files.exists(d.resolve("testbed.env"))) {
                    continue;
                }
                String pid = name.substring(PREFIX.length()).split("-", 2)[0];
                if (pid.matches("\\d+") && ProcessHandle.of(Long.parseLong(pid)).isEmpty()) {
                    Cmd.exec(script.toString(), "stop", "--dir", d.toString());
                }
            }
        } catch (IOException e) {
            // Nothing to clean up then.
        }
    }

    private static Map<String, String> readEnv(Path file) {
        Map<String, String> v = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    v.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("the test bed wrote no " + file, e);
        }
        return v;
    }

    static Path findScript() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("scripts").resolve("netconf-testbed");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("scripts/netconf-testbed not found above " + Path.of("").toAbsolutePath());
    }

    Path dir() {
        return dir;
    }

    int port() {
        return Integer.parseInt(env.get("PORT"));
    }

    /** The settings of a {@code netconf} endpoint on this box (connection part). */
    Map<String, String> connectionSettings() {
        return Map.of("host", env.get("HOST"), "port", env.get("PORT"), "username", env.get("USERNAME"),
                "password-file", env.get("PASSWORD_FILE"), "known-hosts", env.get("KNOWN_HOSTS"));
    }

    /** One interface of the box's running configuration. */
    record Found(String description, String vlan, String ipv4) {}

    private static final String IF = "urn:ietf:params:xml:ns:yang:ietf-interfaces";

    /** Every interface of running, read with OpenSSH: name -> what is there. */
    Map<String, Found> interfaces() {
        Cmd.Result r = Cmd.exec(script.toString(), "get-config", "1", "--dir", dir.toString());
        if (!r.ok()) {
            throw new IllegalStateException("independent get-config of the box failed: " + r.output());
        }
        String xml = r.output().substring(Math.max(0, r.output().indexOf("<rpc-reply")));
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            NodeList list = f.newDocumentBuilder().parse(new InputSource(new StringReader(xml))).getElementsByTagNameNS(IF, "interface");
            Map<String, Found> out = new TreeMap<>();
            for (int i = 0; i < list.getLength(); i++) {
                Element e = (Element) list.item(i);
                out.put(text(e, "name"), new Found(text(e, "description"), text(e, "vlan-id"), text(e, "ip")));
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("unparsable read-back of the box: " + e.getMessage() + "\n" + xml, e);
        }
    }

    /** The text of the first descendant with this local name (any namespace), or "". */
    private static String text(Element scope, String local) {
        NodeList l = scope.getElementsByTagNameNS("*", local);
        return l.getLength() == 0 ? "" : l.item(0).getTextContent().strip();
    }

    /** ensm's sub-interfaces on the box: connection id -> what is there. */
    Map<String, Sub> marked() {
        Map<String, Sub> out = new TreeMap<>();
        interfaces().forEach((name, f) -> {
            if (f.description().startsWith(MARK)) {
                Sub previous = out.put(f.description().substring(MARK.length()), new Sub(name, f.vlan(), f.ipv4()));
                if (previous != null) {
                    throw new AssertionError("two sub-interfaces carry the mark of one connection: " + previous + " and " + name);
                }
            }
        });
        return out;
    }

    record Sub(String name, String vlan, String ipv4) {}

    long sshdPid() {
        return pidOf("sshd.pid");
    }

    long netconfdPid() {
        return pidOf("netconfd.pid");
    }

    private long pidOf(String file) {
        try {
            return Long.parseLong(Files.readString(dir.resolve("device-1").resolve(file)).strip());
        } catch (IOException e) {
            throw new IllegalStateException("no " + file + " in the test bed", e);
        }
    }

    /** The listening sshd and its children (one per SSH connection). */
    List<Long> sshdAndSessions() {
        long sshd = sshdPid();
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(sshd),
                ProcessHandle.of(sshd).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid)).toList();
    }

    /** Cuts every SSH connection on the server side. */
    void dropSessions() {
        Cmd.run(script.toString(), "drop-sessions", "1", "--dir", dir.toString());
    }

    /** Stops the box's sshd (connections and listener): the box is unreachable, netconfd keeps its state. */
    void stopSsh() {
        long sshd = sshdPid();
        dropSessions();
        Cmd.run("kill", Long.toString(sshd));
        waitGone(sshd);
    }

    /** Starts the sshd again with its own configuration. */
    void startSsh() {
        Path d = dir.resolve("device-1");
        try {
            Files.deleteIfExists(d.resolve("sshd.pid"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Cmd.run("/usr/sbin/sshd", "-f", d.resolve("sshd_config").toString(), "-E", d.resolve("sshd.log").toString());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Files.exists(d.resolve("sshd.pid")) && Cmd.exec("bash", "-c", "ss -Hltn 'sport = :" + port() + "' | grep -q .").ok()) {
                return;
            }
            sleep(50);
        }
        throw new IllegalStateException("the box's sshd did not listen again on port " + port());
    }

    private static void waitGone(long pid) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("process " + pid + " did not exit");
            }
            sleep(20);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** What the box left behind after {@link #close}: its directory, its processes. */
    List<String> leftovers() {
        List<String> found = new java.util.ArrayList<>();
        if (Files.exists(dir)) {
            found.add("test-bed directory " + dir + " still exists");
        }
        for (long pid : pids) {
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                found.add("test-bed process " + pid + " still runs");
            }
        }
        return found;
    }

    private final List<Long> pids = new java.util.ArrayList<>();

    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        for (String f : List.of("sshd.pid", "netconfd.pid")) {
            try {
                long pid = pidOf(f);
                pids.add(pid);
                // A frozen process would ignore the stop until it runs again.
                Cmd.exec("kill", "-CONT", Long.toString(pid));
            } catch (RuntimeException e) {
                // Not running: nothing to record.
            }
        }
        Cmd.exec(script.toString(), "stop", "--dir", dir.toString());
        for (long pid : pids) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                sleep(20);
            }
        }
    }
}
