package io.ensm.netconf.session;

import io.ensm.core.testing.OutputCapture;
import io.ensm.netconf.client.ConnectSpec;
import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.SshConnector;
import io.ensm.netconf.testbed.NetconfTestbed;
import io.ensm.netconf.testbed.UsesNetconfTestbed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Session pools against real netconfd devices. */
@UsesNetconfTestbed(devices = 2)
class SessionPoolTest {
    private final NetconfTestbed bed;
    private final SshConnector connector = new SshConnector();

    SessionPoolTest(NetconfTestbed bed) {
        this.bed = bed;
    }

    @AfterEach
    void close() {
        connector.close();
    }

    private SessionPool pool(DeviceConfig config) {
        return new SessionPool(config, connector::connect);
    }

    @Test
    void aSessionIsReusedAndReplacedAfterTheDeviceDropsIt() throws Exception {
        try (SessionPool pool = pool(bed.config(1))) {
            long first = pool.withSession(NetconfSession::sessionId);
            assertThat(pool.withSession(NetconfSession::sessionId)).isEqualTo(first);
            assertThat(pool.stats().connectAttempts()).isEqualTo(1);

            bed.dropSessions(1);
            waitUntil(() -> pool.stats().idle() == 0, Duration.ofSeconds(5));

            long second = pool.withSession(NetconfSession::sessionId);
            assertThat(second).isNotEqualTo(first);
            assertThat(pool.stats().connectAttempts()).isEqualTo(2);
        }
    }

    @Test
    void aWrongPasswordOpensTheCircuitInsteadOfALoginStorm(@TempDir Path tmp) throws Exception {
        Path wrong = Files.writeString(tmp.resolve("pw"), "certainly-wrong\n");
        DeviceConfig config = bed.config(1).withPassword(new PasswordSource.File(wrong));
        try (SessionPool pool = pool(config)) {
            for (int i = 0; i < 20; i++) {
                assertThatThrownBy(() -> pool.withSession(NetconfSession::sessionId))
                        .isInstanceOf(NetconfException.Denied.class)
                        .hasMessageContaining("password refused for user " + config.username())
                        .hasMessageNotContaining("certainly-wrong");
            }
            assertThat(pool.stats().connectAttempts()).isEqualTo(1);
            assertThat(pool.stats().circuitOpen()).isTrue();
            assertThatThrownBy(() -> pool.withSession(NetconfSession::sessionId))
                    .hasMessageContaining("next attempt in");
        }
    }

    @Test
    void anUnreachableDeviceIsRetriedOnlyAfterTheBackoff() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        DeviceConfig config = bed.config(1).withAddress("127.0.0.1", port)
                .withPool(PoolSettings.DEFAULTS.withMinIdle(0).withBackoff(Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofSeconds(60)));
        try (SessionPool pool = pool(config)) {
            for (int i = 0; i < 10; i++) {
                assertThatThrownBy(() -> pool.withSession(NetconfSession::sessionId))
                        .isInstanceOf(NetconfException.Unreachable.class)
                        .hasMessageContaining("device " + config.name() + ": connect: 127.0.0.1:" + port + ": connection refused");
            }
            assertThat(pool.stats().connectAttempts()).isEqualTo(1);
            Thread.sleep(350);
            assertThatThrownBy(() -> pool.withSession(NetconfSession::sessionId)).isInstanceOf(NetconfException.Unreachable.class);
            assertThat(pool.stats().connectAttempts()).isEqualTo(2);
            // The second failure doubles the wait: 300 ms later it is still open.
            Thread.sleep(350);
            assertThatThrownBy(() -> pool.withSession(NetconfSession::sessionId)).hasMessageContaining("next attempt in");
            assertThat(pool.stats().connectAttempts()).isEqualTo(2);
        }
    }

    @Test
    void aDeviceThatStaysDownIsOneWarningAndItsReturnOneInfo() throws Exception {
        int closed;
        try (ServerSocket free = new ServerSocket(0)) {
            closed = free.getLocalPort();
        }
        int downPort = closed;
        AtomicBoolean down = new AtomicBoolean(true);
        // Nothing listens on downPort while the device is down: a real refused connection each time.
        SessionOpener opener = spec -> connector.connect(down.get() ? new ConnectSpec(spec.device(), spec.host(), downPort,
                spec.username(), spec.password(), spec.hostKeyCheck(), spec.timeouts()) : spec);
        DeviceConfig config = bed.config(1)
                .withPool(PoolSettings.DEFAULTS.withMinIdle(0).withBackoff(Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(60)));
        try (OutputCapture out = OutputCapture.start(); SessionPool pool = new SessionPool(config, opener)) {
            for (int i = 0; i < 12; i++) {
                Thread.sleep(5);
                assertThatThrownBy(() -> pool.withSession(NetconfSession::sessionId)).isInstanceOf(NetconfException.Unreachable.class);
            }
            long failedAttempts = pool.stats().connectAttempts();
            assertThat(failedAttempts).as("connects tried while down").isGreaterThanOrEqualTo(10);

            down.set(false);
            // past the last failure's (1 ms) back-off, so the next call connects instead of being refused by the circuit
            Thread.sleep(50);
            pool.withSession(NetconfSession::sessionId);

            List<String> warnings = out.text().lines().filter(l -> l.contains("WARN") && l.contains("netconf_connect_failed")).toList();
            assertThat(warnings).as("warnings for %d failed connects", failedAttempts).hasSize(1);
            assertThat(warnings.getFirst()).contains("device=" + config.name(), "kind=UNREACHABLE", "failures=1");
            assertThat(out.text()).contains("event=netconf_device_reachable device=" + config.name() + " failed_attempts=" + failedAttempts);
        }
    }

    @Test
    void waitingForABusyPoolIsBoundedAndReportedAsBusy() throws Exception {
        DeviceConfig config = bed.config(2).withPool(PoolSettings.DEFAULTS.withMaxSessions(1).withMinIdle(0)
                .withAcquireTimeout(Duration.ofMillis(300)));
        try (SessionPool pool = pool(config); SessionPool.Lease held = pool.acquire()) {
            assertThat(held.session().isOpen()).isTrue();
            long t0 = System.nanoTime();
            assertThatThrownBy(pool::acquire).isInstanceOf(NetconfException.Busy.class)
                    .hasMessageContaining("all 1 sessions stayed in use for 300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));
        }
    }

    @Test
    void keepAliveNoticesADroppedIdleSessionAndReopensOne() throws Exception {
        DeviceConfig config = bed.config(2).withPool(PoolSettings.DEFAULTS.withMinIdle(1)
                .withKeepAliveInterval(Duration.ofMillis(100)));
        try (NetconfSessions sessions = new NetconfSessions(connector::connect, () -> { }, Duration.ofMillis(100))) {
            SessionPool pool = sessions.pool(config);
            assertThat(pool.awaitIdle(1, Duration.ofSeconds(10))).isTrue();
            long before = pool.stats().connectAttempts();
            bed.dropSessions(2);
            waitUntil(() -> pool.stats().connectAttempts() > before && pool.stats().idle() == 1, Duration.ofSeconds(10));
            boolean ok = pool.withSession(s -> s.rpc(SessionPool.PING).ok());
            assertThat(ok).isTrue();
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitUntil(Condition c, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
