package io.ensm.app.reliability;

import io.ensm.core.testing.Cmd;

import io.ensm.api.connection.Connection;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault matrix: the real service, box and kernel leg of {@link Lab}, with one fault at a time:
 * an operator's session holding the box's lock, the box refusing the edit, a link deleted behind
 * ensm's back, a full disk under the store, a frozen box (SIGSTOP past the deadlines) and a box
 * that is down. Each case checks the status the caller gets, then reads the store, the box and
 * the kernel back to prove nothing half-done remains, and that the service is still up and
 * serves the next Request. The long-lived connection of another endpoint must survive them all.
 * The figures go to {@code target/reliability/fault-matrix.md}.
 */
@Tag("kernel")
@Tag("netconf-testbed")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultMatrixTest {
    static final Duration RPC_TIMEOUT = Duration.ofSeconds(2);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration RECONCILE = Duration.ofSeconds(2);
    /** The netconf backend gives a write four RPC timeouts; a second more for the rest of the chain. */
    static final Duration WRITE_BOUND = RPC_TIMEOUT.multipliedBy(4).plusSeconds(3);
    static final Duration CALL = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    Lab lab;
    int actuatorPort;
    String steadyId;
    final List<String> rows = new ArrayList<>();

    @BeforeAll
    void up() {
        Map<String, String> extra = new LinkedHashMap<>();
        for (int i = 0; i < Lab.ENDPOINTS_WITH_REJECT; i++) {
            extra.put("ensm.endpoints[" + i + "].backend.settings.connect-timeout", CONNECT_TIMEOUT.toSeconds() + "s");
            extra.put("ensm.endpoints[" + i + "].backend.settings.rpc-timeout", RPC_TIMEOUT.toSeconds() + "s");
        }
        extra.put("ensm.reconcile-interval", RECONCILE.toSeconds() + "s");
        actuatorPort = io.ensm.app.e2e.EnsmProcess.freePort();
        extra.put("server.port", Integer.toString(actuatorPort));
        lab = new Lab("fault", dir, 18780, extra, true);
        lab.storeOnTmpfs("2m");
        lab.ensm.start();
        Connection steady = lab.ns(CALL).request(Lab.request(Lab.STEADY, Duration.ofHours(2)));
        steadyId = Lab.ownId(steady);
        lab.wire(steady, "vx-steady", "eth1");
        assertThat(lab.ping(lab.node, boxSide(steady))).as("ping through the steady connection").isTrue();
    }

    @AfterEach
    void serviceStaysUpAndTheSteadyConnectionStays() {
        assertThat(lab.ensm.isAlive()).as("the service is still running").isTrue();
        assertThat(lab.store()).containsEntry(steadyId, "APPLIED");
    }

    @AfterAll
    void down() throws IOException {
        if (!rows.isEmpty()) {
            writeTable();
        }
        if (lab != null) {
            assertThat(lab.closeAndCheck()).as("leak check: namespaces, links, processes, test bed, tmpfs").isEmpty();
        }
    }

    @Order(1)
    @Test
    void lockHeldByAnOperatorSessionIsAbortedNamingTheHolder() throws Exception {
        Observed o;
        long holder;
        try (LockHolder operator = new LockHolder(lab.box)) {
            holder = operator.sessionId();
            o = observe(() -> lab.ns(CALL).request(Lab.request(Lab.TRIAL, Duration.ofMinutes(10))));
            assertThat(o.code()).as(o.toString()).isEqualTo(Status.Code.ABORTED);
            assertThat(o.message()).contains("device trial").contains("locked by NETCONF session " + holder);
            assertThat(o.elapsed()).isLessThan(WRITE_BOUND);
            assertNothingHalfDone("while the lock is held");
        }
        Duration back = healthy();
        row("lock held elsewhere", "an OpenSSH NETCONF session holds `<lock>` on candidate (session " + holder + ")", "ABORTED naming the holder",
                o, "store, box, kernel: steady only; after the session ended a Request succeeded in " + secs(back));
    }

    @Order(2)
    @Test
    void aBoxRefusingTheEditGivesItsRpcErrorAndLeavesNothing() {
        Observed o = observe(() -> lab.ns(CALL).request(Lab.request(Lab.REJECT, Duration.ofMinutes(10))));
        assertThat(o.code()).as(o.toString()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(o.message()).contains("device reject").contains("required value instance not found");
        assertNothingHalfDone("after the refused edit");
        assertThat(lab.box.interfaces()).as("nothing on the port the box does not have").doesNotContainKey("eth7.3502");
        row("box rejects the edit", "endpoint on port eth7, which the box's configuration lacks (parent-interface leafref)",
                "FAILED_PRECONDITION with the rpc-error text", o, "store, box, kernel: steady only; no eth7.3502 on the box");
    }

    @Order(3)
    @Test
    void aLinkDeletedBehindEnsmsBackIsRepairedByReconciliation() {
        Connection reply = lab.ns(CALL).request(Lab.request(Lab.TRIAL, Duration.ofMinutes(10)));
        String id = Lab.ownId(reply);
        lab.wire(reply, "vx-trial", "eth2");
        try {
            assertThat(lab.ping(lab.node, boxSide(reply))).as("ping before the fault").isTrue();
            String vxlan = lab.kernel().entrySet().stream().filter(e -> e.getValue().equals(id) && e.getKey().startsWith("ensx"))
                    .map(Map.Entry::getKey).findFirst().orElseThrow();
            long t0 = System.nanoTime();
            Cmd.run("ip", "-n", lab.ensmNs, "link", "del", vxlan);
            assertThat(lab.kernel()).doesNotContainKey(vxlan);
            long deadline = t0 + RECONCILE.multipliedBy(5).toNanos();
            while (!(lab.kernel().containsKey(vxlan) && lab.uplinkOwner(Lab.TRIAL_UPLINK).equals(id)) && System.nanoTime() < deadline) {
                NetconfBox.sleep(100);
            }
            Duration repaired = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(lab.kernel()).as("links after %s", repaired).containsKey(vxlan);
            assertThat(lab.uplinkOwner(Lab.TRIAL_UPLINK)).isEqualTo(id);
            assertThat(lab.ensm.log()).contains("event=connection-repaired endpoint=trial connection=" + id);
            assertThat(lab.ping(lab.node, boxSide(reply))).as("ping after the repair").isTrue();
            assertThat(lab.store()).containsEntry(id, "APPLIED");
            assertThat(lab.box.marked()).containsKey(id);
            lab.ns(CALL).close(reply);
            rows.add("| link removed behind ensm's back | `ip link del` of the connection's VXLAN in ensm's namespace | repaired by "
                    + "reconciliation (every " + secs(RECONCILE) + ") | repaired in " + secs(repaired) + ", `event=connection-repaired`, "
                    + "ping crosses again | before Close: store APPLIED, box sub-interface, both links, uplink in the bridge; after "
                    + "Close: steady only |");
        } finally {
            Cmd.exec("ip", "-n", lab.node, "link", "del", "vx-trial");
            Cmd.exec("ip", "-n", lab.boxNs, "addr", "flush", "dev", "eth2");
        }
        assertNothingHalfDone("after Close");
    }

    @Order(4)
    @Test
    void aFullDiskUnderTheStoreIsUnavailableNamingTheStoreAndTouchesNothing() throws Exception {
        Path filler = lab.ensm.dataDir().resolve("filler");
        Cmd.exec("dd", "if=/dev/zero", "of=" + filler, "bs=64k");
        Observed o;
        try {
            o = observe(() -> lab.ns(CALL).request(Lab.request(Lab.TRIAL, Duration.ofMinutes(10))));
            assertThat(o.code()).as(o.toString()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(o.message()).contains("store intent failed").contains("ensm.db").containsIgnoringCase("full");
            assertNothingHalfDone("with the disk full");
            assertThat(actuator("/actuator/health")).as("health with the disk full")
                    .containsPattern("\"ensm\":\\{\"details\":\\{\"storeError\":\"[^\"]*ensm\\.db[^{}]*\\},\"status\":\"DOWN\"");
            assertThat(actuator("/actuator/prometheus")).contains("ensm_store_writable 0.0");
        } finally {
            Files.deleteIfExists(filler);
        }
        Duration back = healthy();
        row("disk full for the store", "the data directory is a 2 MB tmpfs, filled with `dd`", "UNAVAILABLE naming the store", o,
                "store, box, kernel: steady only (nothing reached the box); after freeing space a Request succeeded in " + secs(back));
    }

    @Order(5)
    @Test
    void aFrozenBoxIsUnavailableWithinTheDeadlineAndCleanAfterwards() {
        List<Long> frozen = lab.box.sshdAndSessions();
        Observed o;
        try {
            frozen.forEach(pid -> Cmd.run("kill", "-STOP", Long.toString(pid)));
            o = observe(() -> lab.ns(CALL).request(Lab.request(Lab.TRIAL, Duration.ofMinutes(10))));
            assertThat(o.code()).as(o.toString()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(o.message()).contains("device trial");
            assertThat(o.elapsed()).as("bounded by the netconf timeouts").isLessThan(WRITE_BOUND);
            assertThat(lab.store()).containsOnlyKeys(steadyId);
            assertThat(lab.kernelIds()).containsExactly(steadyId);
        } finally {
            frozen.forEach(pid -> Cmd.exec("kill", "-CONT", Long.toString(pid)));
        }
        // What the frozen sshd had buffered now reaches netconfd; the session is gone, so it must come to nothing.
        NetconfBox.sleep(RECONCILE.toMillis());
        assertNothingHalfDone("after SIGCONT");
        Duration back = healthy();
        row("box slow", "the box's sshd and its sessions stopped with SIGSTOP (rpc-timeout " + secs(RPC_TIMEOUT) + ", connect-timeout "
                        + secs(CONNECT_TIMEOUT) + "), SIGCONT afterwards", "UNAVAILABLE within " + secs(WRITE_BOUND), o,
                "store, kernel: steady only while frozen; box after SIGCONT: steady only; then a Request succeeded in " + secs(back));
    }

    @Order(6)
    @Test
    void anUnreachableBoxIsUnavailableNamingTheDevice() {
        Observed o;
        lab.box.stopSsh();
        try {
            o = observe(() -> lab.ns(CALL).request(Lab.request(Lab.TRIAL, Duration.ofMinutes(10))));
            assertThat(o.code()).as(o.toString()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(o.message()).contains("device trial");
            assertThat(lab.store()).containsOnlyKeys(steadyId);
            assertThat(lab.kernelIds()).containsExactly(steadyId);
            assertThat(actuator("/actuator/health")).as("health with the box down")
                    .containsPattern("\"trial\":\\{\"details\":\\{\"reason\":\"UNREACHABLE: device trial[^{}]*\\},\"status\":\"DOWN\"");
            assertThat(actuator("/actuator/prometheus"))
                    .containsPattern("ensm_backend_errors_total\\{backend=\"netconf\",endpoint=\"trial\",kind=\"unreachable\",operation=\"provision\"\\} [1-9]");
        } finally {
            lab.box.startSsh();
        }
        assertNothingHalfDone("after the box came back");
        Duration back = healthy();
        row("box unreachable", "the box's sshd stopped (connection refused), started again afterwards", "UNAVAILABLE naming the device",
                o, "store, kernel: steady only while down; box after restart: steady only; then a Request succeeded in " + secs(back));
    }

    // --- helpers ---------------------------------------------------------------------------------

    private String actuator(String path) {
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            // health answers 503 while a component is DOWN; the body is what counts here
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + actuatorPort + path)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Observed(Status.Code code, String message, Duration elapsed) {
        @Override
        public String toString() {
            return code + " after " + secs(elapsed) + ": " + message;
        }
    }

    private static Observed observe(Supplier<Connection> call) {
        long t0 = System.nanoTime();
        try {
            Connection c = call.get();
            return new Observed(Status.Code.OK, "connection " + c.getId(), Duration.ofNanos(System.nanoTime() - t0));
        } catch (StatusRuntimeException e) {
            return new Observed(e.getStatus().getCode(), String.valueOf(e.getStatus().getDescription()),
                    Duration.ofNanos(System.nanoTime() - t0));
        }
    }

    /** Store, box and kernel hold the steady connection and nothing else; the other uplinks are in no bridge. */
    private void assertNothingHalfDone(String when) {
        Map<String, String> store = lab.store();
        Map<String, NetconfBox.Sub> box = lab.box.marked();
        Map<String, String> kernel = lab.kernel();
        String context = when + "\nstore " + store + "\nbox " + box + "\nkernel " + kernel;
        assertThat(store).as("store " + context).isEqualTo(Map.of(steadyId, "APPLIED"));
        assertThat(box.keySet()).as("box " + context).isEqualTo(Set.of(steadyId));
        assertThat(Set.copyOf(kernel.values())).as("kernel " + context).isEqualTo(Set.of(steadyId));
        assertThat(kernel).as("steady's bridge and VXLAN " + context).hasSize(2);
        assertThat(lab.uplinkOwner(Lab.STEADY_UPLINK)).isEqualTo(steadyId);
        assertThat(lab.uplinkOwner(Lab.TRIAL_UPLINK)).as("trial uplink " + context).isEmpty();
        assertThat(lab.uplinkOwner(Lab.REJECT_UPLINK)).as("reject uplink " + context).isEmpty();
    }

    /** Waits until a Request on the trial endpoint succeeds again (then closes it); returns how long that took. */
    private Duration healthy() {
        long t0 = System.nanoTime();
        long deadline = t0 + Duration.ofSeconds(60).toNanos();
        StatusRuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                Connection c = lab.ns(CALL).request(Lab.request(Lab.TRIAL, Duration.ofMinutes(10)));
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                lab.ns(CALL).close(c);
                assertNothingHalfDone("after the healthy Request's Close");
                return took;
            } catch (StatusRuntimeException e) {
                last = e;
                NetconfBox.sleep(500);
            }
        }
        throw new AssertionError("the trial endpoint did not serve a Request within 60 s after the fault ended", last);
    }

    private static String boxSide(Connection reply) {
        return reply.getContext().getIpContext().getDstIpAddrs(0).replace("/32", "");
    }

    private static String secs(Duration d) {
        return String.format("%.1f s", d.toMillis() / 1000.0);
    }

    private void row(String fault, String how, String expected, Observed o, String readBack) {
        String message = o.message().replaceAll("/\\S*/", "…/").replace("|", "\\|");
        rows.add("| " + fault + " | " + how + " | " + expected + " | " + o.code() + " after " + secs(o.elapsed()) + ": \"" + message
                + "\" | " + readBack + " |");
    }

    private void writeTable() throws IOException {
        Path out = Path.of("target", "reliability", "fault-matrix.md");
        Files.createDirectories(out.getParent());
        List<String> lines = new ArrayList<>(List.of(
                "| fault | how it was made | expected | observed | read back |",
                "|---|---|---|---|---|"));
        lines.addAll(rows);
        lines.add("");
        lines.add("load average at the end: " + Files.readString(Path.of("/proc/loadavg")).strip());
        Files.write(out, lines);
        lines.forEach(System.out::println);
    }
}
