package io.ensm.forwarder.bridge;

import io.ensm.core.spi.ForwarderProvider;
import io.ensm.core.spi.SettingsReader;
import io.ensm.core.testing.Contexts;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BridgeSettingsTest {

    private static SettingsReader reader(Map<String, String> s) {
        return new SettingsReader("the bridge forwarder", s);
    }

    private static BridgeSettings parse(Map<String, String> s) {
        return BridgeSettings.parse(reader(s), Map.of());
    }

    @Test
    void defaultsNeedOnlyTheLocalAddress() {
        BridgeSettings s = parse(Map.of("local-ip", "192.0.2.10"));
        assertThat(s.localIp()).isEqualTo(InetAddress.ofLiteral("192.0.2.10"));
        assertThat(s.vxlanPort()).isEqualTo(4789);
        assertThat(s.uplink()).isEmpty();
        assertThat(s.mtu()).as("read from the interface at start").isZero();
        assertThat(s.netns()).isEmpty();
        assertThat(s.overhead()).isEqualTo(50);
    }

    @Test
    void everySettingIsRead() {
        BridgeSettings s = parse(Map.of("local-ip", "2001:db8::10", "vxlan-port", "8472", "uplink", "eth1", "mtu", "9000"));
        assertThat(s.vxlanPort()).isEqualTo(8472);
        assertThat(s.uplink()).isEqualTo("eth1");
        assertThat(s.mtu()).isEqualTo(9000);
        assertThat(s.overhead()).as("IPv6 outer header").isEqualTo(70);
    }

    @Test
    void environmentOverridesThePort() {
        assertThat(BridgeSettings.parse(reader(Map.of("local-ip", "192.0.2.10", "vxlan-port", "4789")), Map.of("ENSM_VXLAN_PORT", "4790")).vxlanPort())
                .isEqualTo(4790);
        assertThatThrownBy(() -> BridgeSettings.parse(reader(Map.of("local-ip", "192.0.2.10")), Map.of("ENSM_VXLAN_PORT", "x")))
                .hasMessageStartingWith("ENSM_VXLAN_PORT (environment): 'x' is not a number in 1..65535");
    }

    @Test
    void badSettingsNameTheirKey() {
        assertThatThrownBy(() -> parse(Map.of())).hasMessageStartingWith("local-ip: missing");
        assertThatThrownBy(() -> parse(Map.of("local-ip", "ensm.example.org"))).hasMessageStartingWith("local-ip: 'ensm.example.org' is not an IP address");
        assertThatThrownBy(() -> parse(Map.of("local-ip", "0.0.0.0"))).hasMessageStartingWith("local-ip: '0.0.0.0' must be a unicast address");
        assertThatThrownBy(() -> parse(Map.of("local-ip", "192.0.2.10", "vxlan-port", "70000"))).hasMessageStartingWith("vxlan-port: '70000' is not a number in 1..65535");
        assertThatThrownBy(() -> parse(Map.of("local-ip", "192.0.2.10", "mtu", "100"))).hasMessageStartingWith("mtu: '100' is not an underlay MTU (118-65535");
        assertThatThrownBy(() -> parse(Map.of("local-ip", "192.0.2.10", "uplink", "a-name-far-too-long"))).hasMessageStartingWith("uplink: interface name");
        assertThatThrownBy(() -> parse(Map.of("local-ip", "192.0.2.10", "netns", "../etc"))).hasMessageStartingWith("netns: '../etc' is not a network namespace name");
        assertThatThrownBy(() -> parse(Map.of("local-ip", "192.0.2.10", "netns", "ensmt-never-made")))
                .hasMessageStartingWith("netns: network namespace 'ensmt-never-made' does not exist");
        assertThatThrownBy(() -> parse(Map.of("local-ip", "192.0.2.10", "local_ip", "x")))
                .hasMessageStartingWith("local_ip: unknown setting of the bridge forwarder; did you mean 'local-ip'?")
                .hasMessageContaining("(known: local-ip, mtu, netns, uplink, vxlan-port)");
    }

    @Test
    void providerIsFoundByTypeAndReportsBadSettingsByKey() {
        ForwarderProvider p = ServiceLoader.load(ForwarderProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(x -> x.type().equals("bridge")).findFirst().orElseThrow();
        assertThat(p).isInstanceOf(BridgeForwarderProvider.class);
        assertThatThrownBy(() -> p.create(Contexts.forwarder("bridge", Map.of("local-ip", "nope"), Contexts.OWNER, Map.of()))).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("local-ip:");
    }
}
