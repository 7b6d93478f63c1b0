package io.ensm.netconf.session;

import io.ensm.netconf.client.Capability;
import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.NetconfSession;
import io.ensm.netconf.client.Rpcs;
import io.ensm.netconf.client.ScriptedDevice;
import io.ensm.netconf.client.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A device that dropped a session ensm holds idle: work that got no reply before finding the
 * session ended runs again on another session; silence and work half done do not.
 */
class StaleSessionTest {
    private static final Set<String> CAPS = Set.of(Capability.BASE_1_0, Capability.BASE_1_1, Capability.CANDIDATE);

    @TempDir
    Path dir;
    private final List<ScriptedDevice> opened = new ArrayList<>();

    private SessionPool pool(ScriptedDevice.Handler handler) throws Exception {
        Path pw = Files.writeString(dir.resolve("pw"), "secret\n");
        DeviceConfig config = new DeviceConfig("scripted-box", "192.0.2.1", 830, "ensm", new PasswordSource.File(pw),
                new HostKeyPolicy.KnownHosts(dir.resolve("known_hosts")),
                new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(300)),
                PoolSettings.DEFAULTS);
        return new SessionPool(config, spec -> {
            ScriptedDevice device = new ScriptedDevice(CAPS, handler);
            opened.add(device);
            return device.connect(Duration.ofMillis(300));
        });
    }

    private static String lock(NetconfSession s) throws NetconfException {
        return s.rpc(Rpcs.lock(Rpcs.Datastore.CANDIDATE)).toString();
    }

    @Test
    void workOnAnIdleSessionTheDeviceDroppedRunsAgainOnANewOne() throws Exception {
        try (SessionPool pool = pool(op -> "<ok/>")) {
            pool.withSession(StaleSessionTest::lock);
            opened.getFirst().cutSilently = true;

            pool.withSession(StaleSessionTest::lock);

            assertThat(opened).hasSize(2);
            assertThat(opened.get(1).operations()).hasSize(1);
            assertThat(pool.stats().connectAttempts()).isEqualTo(2);
        }
    }

    @Test
    void silenceIsNotRetried() throws Exception {
        boolean[] silent = {false};
        try (SessionPool pool = pool(op -> silent[0] ? null : "<ok/>")) {
            pool.withSession(StaleSessionTest::lock);
            silent[0] = true;

            assertThatThrownBy(() -> pool.withSession(StaleSessionTest::lock))
                    .isInstanceOf(NetconfException.Unreachable.class).hasMessageContaining("no reply within");
            assertThat(opened).hasSize(1);
        }
    }

    @Test
    void workThatAlreadyGotAReplyIsNotRunAgain() throws Exception {
        try (SessionPool pool = pool(op -> "<ok/>")) {
            pool.withSession(StaleSessionTest::lock);
            ScriptedDevice first = opened.getFirst();

            assertThatThrownBy(() -> pool.withSession(s -> {
                lock(s);
                first.cutSilently = true;
                return lock(s);
            })).isInstanceOf(NetconfException.Unreachable.class).hasMessageContaining("sending failed");
            assertThat(opened).hasSize(1);
        }
    }

    @Test
    void aSessionOpenedForTheWorkIsNotRetried() throws Exception {
        try (SessionPool pool = pool(op -> "<ok/>")) {
            assertThatThrownBy(() -> pool.withSession(s -> {
                opened.getFirst().cutSilently = true;
                return lock(s);
            })).isInstanceOf(NetconfException.Unreachable.class);
            assertThat(opened).hasSize(1);
        }
    }
}
