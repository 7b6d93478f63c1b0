package io.ensm.app.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.ensm.app.e2e.InProcessEnsm.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

/** The service finds the bridge forwarder by type, and a bad forwarder setting stops start-up naming its key. */
class BridgeForwarderConfigTest {
    @TempDir
    Path dir;

    private Map<String, String> withBridge(String key, String value) {
        Map<String, String> p = InProcessEnsm.settings(dir.resolve("data"));
        p.put("ensm.services[0].name", "breakout");
        p.put("ensm.endpoints[0].name", "edge-1");
        p.put("ensm.endpoints[0].service", "breakout");
        p.put("ensm.endpoints[0].preprovisioned.uplink", "eth1");
        p.put("ensm.endpoints[0].preprovisioned.vlans", "100-199");
        p.put("ensm.forwarder.type", "bridge");
        p.put("ensm.forwarder.settings.local-ip", "192.0.2.10");
        p.put("ensm.forwarder.settings." + key, value);
        return p;
    }

    @Test
    void badLocalIpIsRefusedNamingTheForwarderSetting() {
        assertThat(failureOf(withBridge("local-ip", "not-an-address")))
                .contains("forwarder.local-ip", "'not-an-address' is not an IP address")
                .doesNotContain("is not available");
    }

    @Test
    void unknownForwarderSettingIsRefusedListingTheKnownOnes() {
        assertThat(failureOf(withBridge("vxlan_port", "4789")))
                .contains("forwarder.vxlan_port", "unknown setting of the bridge forwarder", "did you mean 'vxlan-port'?");
    }
}
