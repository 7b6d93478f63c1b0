package io.ensm.app.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The service finds the bridge forwarder by type, and a bad forwarder setting stops start-up naming its key. */
class BridgeForwarderConfigTest {
    @TempDir
    Path dir;

    private Map<String, String> withBridge(String key, String value) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("server.port", "0");
        p.put("ensm.listen", "127.0.0.1:" + EnsmProcess.freePort());
        p.put("ensm.data-dir", dir.resolve("data").toString());
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
        assertThat(ConfigValidationTest.failureOf(withBridge("local-ip", "not-an-address")))
                .contains("forwarder.local-ip", "'not-an-address' is not an IP address")
                .doesNotContain("is not available");
    }

    @Test
    void unknownForwarderSettingIsRefusedListingTheKnownOnes() {
        assertThat(ConfigValidationTest.failureOf(withBridge("vxlan_port", "4789")))
                .contains("forwarder.vxlan_port", "not a setting of the bridge forwarder", "vxlan-port");
    }
}
