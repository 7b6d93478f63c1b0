package io.ensm.app.lab;

import io.ensm.core.testing.Prerequisites;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code scripts/lab up} and {@code down} as a new user runs them, on the packaged service: the pod
 * gets a VXLAN connection, the box holds the VLAN and address (read back by the script with OpenSSH),
 * the pod pings the box through ensm's leg; {@code up} twice is harmless; {@code down} leaves no
 * namespace, process or directory, and {@code down} twice is harmless. With {@code --device-vxlan}
 * the reply names the box's VTEP, the box holds the Junos VXLAN statements, the pod's pings cross
 * the box's VXLAN device and ensm's namespace holds no link of ensm's. Runs after {@code package}
 * (failsafe), with its own directory and namespace prefix so a lab of the developer's stays untouched.
 */
@Tag("kernel")
@Tag("netconf-testbed")
class LabScriptIT {
    private static final Pattern VLAN = Pattern.compile("(?m)^VLAN +(\\d+) ");
    private static final Pattern BOX_ADDRESS = Pattern.compile("(?m)^box data plane: .*: ([0-9.]+)/(\\d+) on ");
    private static final String VTEP = "10.99.1.1";
    private static final String NODE = "10.99.0.1";
    private static final Pattern DEVICE_VXLAN_MECHANISM =
            Pattern.compile("(?m)^mechanism +VXLAN \\(REMOTE\\), VNI (\\d+), box-1's VTEP " + Pattern.quote(VTEP) + ":4789 \\(the reply's dst_ip\\)");
    private static final Pattern DEVICE_VXLAN_BOX = Pattern.compile("(?m)^box data plane: .*, bridged to irb with ([0-9.]+)/(\\d+), MTU ");

    static Path script;
    static Path dir;
    static String prefix;

    record Run(int exit, String out) {}

    @BeforeAll
    static void paths() throws IOException {
        script = findScript();
        // The NETCONF subsystem runs as the test bed's user and must reach the test bed under this directory.
        dir = Files.createTempDirectory("ensm-lab-it-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        prefix = "ensm-labit-" + (ProcessHandle.current().pid() % 100000) + "-";
    }

    @AfterAll
    static void removeEverything() throws IOException {
        if (script != null) {
            lab("down");
        }
        if (dir != null && Files.exists(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.findAny().isEmpty()) {
                    Files.delete(dir);
                }
            }
        }
    }

    @Test
    void upShowsTheBoxVlanAndAPingThroughEnsmAndDownLeavesNothing() throws IOException {
        Run up = lab("up", "--boxes", "1");
        Prerequisites.here().require(up.exit() != 3, () -> "this machine cannot run the lab: " + up.out());
        assertThat(up.exit()).as("scripts/lab up output:\n%s", up.out()).isZero();

        Matcher vlan = VLAN.matcher(up.out());
        assertThat(vlan.find()).as("a VLAN line in:\n%s", up.out()).isTrue();
        assertThat(up.out())
                .contains("uplink mode: ")
                .containsPattern("mechanism +VXLAN \\(REMOTE\\), VNI \\d+")
                .contains("<vlan-id>" + vlan.group(1) + "</vlan-id>")
                .containsPattern("<description>ensm@[A-Za-z0-9._-]+:[0-9a-f-]{36}</description>")
                .containsPattern("through ensm's VXLAN leg: 3 packets transmitted, [1-3] received");
        Matcher box = BOX_ADDRESS.matcher(up.out());
        assertThat(box.find()).as("the box's address in:\n%s", up.out()).isTrue();
        assertThat(up.out()).contains("<ip>" + box.group(1) + "</ip>").contains("<prefix-length>" + box.group(2) + "</prefix-length>");

        Map<String, String> state = state();
        long ensmPid = Long.parseLong(state.get("ENSM_PID"));
        List<Long> boxPids = testbedPids();
        assertThat(boxPids).as("netconfd and sshd of the box").hasSize(2);
        assertThat(namespaces()).as("node, pod, ensm, box1").hasSize(4);

        Run again = lab("up", "--boxes", "1");
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("already up");
        assertThat(lab("status").exit()).isZero();

        downLeavesNothing(state, ensmPid, boxPids);

        Run twice = lab("down");
        assertThat(twice.exit()).isZero();
        assertThat(twice.out()).contains("nothing to remove");
        assertThat(lab("status").exit()).as("status of a lab that is down").isEqualTo(1);
    }

    @Test
    void deviceVxlanTunnelsFromTheNodeStraightToTheBoxWithNoLinkOfEnsmAndDownLeavesNothing() throws IOException {
        Run up = lab("up", "--boxes", "1", "--device-vxlan");
        Prerequisites.here().require(up.exit() != 3, () -> "this machine cannot run the lab: " + up.out());
        assertThat(up.exit()).as("scripts/lab up --device-vxlan output:\n%s", up.out()).isZero();

        Matcher mechanism = DEVICE_VXLAN_MECHANISM.matcher(up.out());
        assertThat(mechanism.find()).as("the reply's dst_ip is box-1's VTEP in:\n%s", up.out()).isTrue();
        String vni = mechanism.group(1);
        assertThat(up.out())
                .contains("<vni>" + vni + "</vni>", "<static-remote-vtep-list>" + NODE + "</static-remote-vtep-list>",
                        "<l3-interface>irb.", "switch-options remote-vtep-list: " + NODE)
                .containsPattern("<description>ensm@[A-Za-z0-9._-]+:[0-9a-f-]{36}</description>")
                .containsPattern("through the tunnel straight to box-1: 3 packets transmitted, [1-3] received");
        Matcher box = DEVICE_VXLAN_BOX.matcher(up.out());
        assertThat(box.find()).as("the box's address in:\n%s", up.out()).isTrue();
        assertThat(up.out()).contains("<name>" + box.group(1) + "/" + box.group(2) + "</name>");

        // Checked here, not through the script: the box's end, ensm's namespace, and the pod's packets.
        assertThat(run(List.of("ip", "-n", prefix + "box1", "-d", "link", "show", "dev", "vx0")).out())
                .contains("vxlan id " + vni + " remote " + NODE + " local " + VTEP);
        assertThat(run(List.of("ip", "-n", prefix + "ensm", "-o", "link", "show")).out()).as("links in ensm's namespace")
                .doesNotContain("alias ensm@");
        long before = boxReceived();
        Run ping = run(List.of("ip", "netns", "exec", prefix + "pod", "ping", "-c", "5", "-i", "0.2", "-W", "2", box.group(1)));
        assertThat(ping.exit()).as("ping from the pod:\n%s", ping.out()).isZero();
        assertThat(boxReceived() - before).as("packets the box's VXLAN device took in during 5 pings").isGreaterThanOrEqualTo(5);

        Run status = lab("status");
        assertThat(status.exit()).as("scripts/lab status output:\n%s", status.out()).isZero();
        assertThat(status.out()).contains("ensm links  none for the connection")
                .containsPattern("\\(vxlan id " + vni + " remote " + VTEP + " local " + NODE + "\\) -> " + prefix + "box1 ");
        Run otherKind = lab("up", "--boxes", "1");
        assertThat(otherKind.exit()).as("up without --device-vxlan on this lab:\n%s", otherKind.out()).isEqualTo(1);
        assertThat(otherKind.out()).contains("with --device-vxlan is up");

        Map<String, String> state = state();
        long ensmPid = Long.parseLong(state.get("ENSM_PID"));
        List<Long> boxPids = testbedPids();
        downLeavesNothing(state, ensmPid, boxPids);
    }

    /** {@code lab down} closes the lab's connection and leaves no namespace, process or directory. */
    private static void downLeavesNothing(Map<String, String> state, long ensmPid, List<Long> boxPids) {
        Run down = lab("down");
        assertThat(down.exit()).as("scripts/lab down output:\n%s", down.out()).isZero();
        assertThat(down.out()).contains("closed connection " + state.get("CONNECTION"));
        assertThat(namespaces()).as("namespaces named %s*", prefix).isEmpty();
        assertThat(ProcessHandle.of(ensmPid).filter(ProcessHandle::isAlive)).as("ensm process").isEmpty();
        for (long pid : boxPids) {
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as("test bed process %d", pid).isEmpty();
        }
        assertThat(dir).doesNotExist();
    }

    /** Packets box-1's VXLAN device has received (the second field under "RX:" of ip -s link). */
    private static long boxReceived() {
        String out = run(List.of("ip", "-n", prefix + "box1", "-s", "link", "show", "dev", "vx0")).out();
        List<String> lines = out.lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).strip().startsWith("RX:")) {
                return Long.parseLong(lines.get(i + 1).strip().split("\\s+")[1]);
            }
        }
        throw new AssertionError("no RX counters in:\n" + out);
    }

    @Test
    void aFailingUpNamesTheStepAndLeavesNothingBehind() {
        // A heap too small for any JVM: ensm exits at once, after the boxes and namespaces were made.
        Run up = lab(Map.of("ENSM_LAB_JAVA_OPTS", "-Xmx1k"), "up", "--boxes", "1");
        Prerequisites.here().require(up.exit() != 3, () -> "this machine cannot run the lab: " + up.out());
        assertThat(up.exit()).as("scripts/lab up output:\n%s", up.out()).isEqualTo(1);
        assertThat(up.out())
                .contains("lab: starting ensm failed: ensm exited before it was ready")
                .contains("up did not complete (starting ensm, exit 1); removing what was built");
        assertThat(namespaces()).as("namespaces named %s*", prefix).isEmpty();
        assertThat(dir).doesNotExist();
        assertThat(lab("status").exit()).isEqualTo(1);
    }

    private static Map<String, String> state() throws IOException {
        Map<String, String> m = new java.util.HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("lab.env"))) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    private static List<Long> testbedPids() throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> files = Files.find(dir.resolve("testbed"), 2, (p, a) -> p.getFileName().toString().endsWith(".pid"))) {
            for (Path p : files.toList()) {
                pids.add(Long.parseLong(Files.readString(p).strip()));
            }
        }
        return pids;
    }

    private static List<String> namespaces() {
        Run r = run(List.of("ip", "netns", "list"));
        return r.out().lines().map(l -> l.split(" ", 2)[0]).filter(n -> n.startsWith(prefix)).toList();
    }

    private static Run lab(String... args) {
        return lab(Map.of(), args);
    }

    private static Run lab(Map<String, String> extraEnv, String... args) {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        return run(command, extraEnv);
    }

    private static Run run(List<String> command) {
        return run(command, Map.of());
    }

    private static Run run(List<String> command, Map<String, String> extraEnv) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.putAll(extraEnv);
        env.put("ENSM_LAB_DIR", dir.toString());
        env.put("ENSM_LAB_PREFIX", prefix);
        env.put("ENSM_LAB_BASE_PORT", "18700");
        // The jar was packaged before this phase: the lab must not start a Maven build of its own.
        env.put("ENSM_NO_BUILD", "1");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        try {
            // Output to a file: a daemon the script starts must not be able to hold a pipe of ours open.
            Path out = Files.createTempFile("ensm-lab-it-", ".out");
            try {
                Process p = pb.redirectOutput(out.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(180, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(command + " did not finish in 180 s:\n" + Files.readString(out));
                }
                return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static Path findScript() {
        Path d = Path.of("").toAbsolutePath();
        while (d != null) {
            Path candidate = d.resolve("scripts").resolve("lab");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
            d = d.getParent();
        }
        throw new IllegalStateException("scripts/lab not found above " + Path.of("").toAbsolutePath());
    }
}
