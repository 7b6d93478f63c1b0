package io.ensm.netconf.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A session whose first RPC goes unanswered is replaced (netconfd's hello quirk, see SessionOverSshTest). */
class FirstRpcProbeTest {
    private static final Set<String> CAPS = Set.of(Capability.BASE_1_0, Capability.BASE_1_1);

    @Test
    void aSilentFirstSessionIsReplacedByAWorkingOne() throws Exception {
        List<ScriptedDevice> devices = new ArrayList<>();
        NetconfSession s = FirstRpcProbe.open("r1", () -> {
            boolean silent = devices.isEmpty();
            ScriptedDevice d = new ScriptedDevice(CAPS, op -> silent ? null : "<data/>");
            devices.add(d);
            return d.connect(Duration.ofSeconds(1));
        }, Duration.ofMillis(1), Duration.ofMillis(100), 3);

        assertThat(devices).hasSize(2);
        assertThat(devices.get(0).closed()).isTrue();
        assertThat(s.isOpen()).isTrue();
    }

    @Test
    void aDeviceThatNeverAnswersIsUnreachableAfterTheLastAttempt() {
        List<ScriptedDevice> devices = new ArrayList<>();
        assertThatThrownBy(() -> FirstRpcProbe.open("r1", () -> {
            ScriptedDevice d = new ScriptedDevice(CAPS, op -> null);
            devices.add(d);
            return d.connect(Duration.ofSeconds(1));
        }, Duration.ofMillis(1), Duration.ofMillis(50), 3))
                .isInstanceOf(NetconfException.Unreachable.class)
                .hasMessageStartingWith("device r1: hello: no answer to the first RPC on 3 sessions: no reply within 50 ms");
        assertThat(devices).hasSize(3).allMatch(ScriptedDevice::closed);
    }

    @Test
    void anRpcErrorStillCountsAsAnAnswer() throws Exception {
        NetconfSession s = FirstRpcProbe.open("r1", () -> new ScriptedDevice(CAPS,
                op -> ScriptedDevice.error("protocol", "operation-not-supported", "no filters")).connect(Duration.ofSeconds(1)),
                Duration.ofMillis(1), Duration.ofMillis(100), 1);
        assertThat(s.isOpen()).isTrue();
    }
}
