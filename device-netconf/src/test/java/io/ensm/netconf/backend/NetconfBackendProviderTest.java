package io.ensm.netconf.backend;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendProvider;
import io.ensm.core.testing.Contexts;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetconfBackendProviderTest {
    private static final EndpointSpec ENDPOINT = new EndpointSpec("box-9", "svc", Map.of());

    private static Map<String, String> good() {
        Map<String, String> s = new HashMap<>();
        s.put("host", "192.0.2.1");
        s.put("username", "ensm");
        s.put("password-env", "BOX_PASSWORD");
        s.put("host-key-sha256", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
        s.put("driver", "ietf");
        s.put("port-name", "eth1");
        s.put("uplink", "ens4");
        s.put("vlans", "100-199");
        return s;
    }

    private static void refused(String key, String value, String messageStart) {
        Map<String, String> s = good();
        if (value == null) {
            s.remove(key);
        } else {
            s.put(key, value);
        }
        assertThatThrownBy(() -> new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(messageStart);
    }

    @Test
    void foundByServiceLoaderAsNetconf() {
        assertThat(ServiceLoader.load(BackendProvider.class).stream().map(p -> p.get().type())).contains("netconf");
    }

    @Test
    void goodSettingsGiveCapabilitiesWithoutConnecting() {
        try (Backend b = new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, good()))) {
            assertThat(b.capabilities().plans()).containsExactlyInAnyOrder(PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN);
            assertThat(b.capabilities().vlanPool()).isEqualTo("uplink:ens4");
            assertThat(b.capabilities().vlans().toString()).isEqualTo("100-199");
        }
    }

    @Test
    void badSettingsNameTheKey() {
        refused("driver", null, "driver: missing");
        refused("driver", "cisco", "driver: unknown driver 'cisco'; known: ietf, junos, openconfig");
        refused("port-name", null, "port-name: missing");
        refused("port-name", "eth1.5", "port-name: ");
        refused("uplink", null, "uplink: missing");
        refused("vlans", null, "vlans: missing");
        refused("vlans", "100-5000", "vlans: ");
        refused("uplink-mode", "trunk", "uplink-mode: 'trunk' is not tagged or access");
        refused("uplink-mode", "access", "vlans: uplink-mode access needs exactly one VLAN id, not '100-199'");
        refused("plans", "forwarder-vxlan,warp", "plans: unknown plan 'warp'");
        refused("plans", "device-vxlan", "plans: device-vxlan needs a box that terminates VXLAN");
        refused("mtu", "9", "mtu: '9' is not a number");
        refused("host", null, "host: missing");
        refused("password-env", null, "password-file: ");
    }

    @Test
    void aMisspeltSettingIsRefusedNamingItTheEndpointAndTheNearestKey() {
        Map<String, String> s = good();
        s.put("rpc-timout", "10s");
        assertThatThrownBy(() -> new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("rpc-timout: unknown setting of endpoint 'box-9'")
                .hasMessageContaining("did you mean 'rpc-timeout'?");
    }

    @Test
    void durationsTakeTheSameGrammarAsTheServiceConfiguration() {
        Map<String, String> s = good();
        s.put("keep-alive", "PT45S");
        s.put("rpc-timeout", "1h");
        new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s)).close();
        refused("connect-timeout", "5", "connect-timeout: '5' has no unit");
    }

    @Test
    void junosPortNamesAreCheckedByTheJunosDriver() {
        Map<String, String> s = good();
        s.put("driver", "junos");
        assertThatThrownBy(() -> new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("port-name: ");
        s.put("port-name", "ge-0/0/1");
        new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s)).close();
    }

    @Test
    void deviceVxlanIsRefusedNamingThePlansKeyWithEveryDriverThatDoesNotTerminateVxlan() {
        for (String driver : new String[] {"ietf", "openconfig"}) {
            Map<String, String> s = good();
            s.put("driver", driver);
            s.put("plans", "device-vxlan");
            s.put("vtep-address", "192.0.2.9");
            assertThatThrownBy(() -> new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("plans: device-vxlan needs a box that terminates VXLAN; the " + driver + " driver does not");
        }
    }

    private static Map<String, String> junosVxlan() {
        Map<String, String> s = good();
        s.put("driver", "junos");
        s.put("port-name", "ge-0/0/1");
        s.put("plans", "device-vxlan,forwarder-vxlan");
        s.put("vtep-address", "192.0.2.9");
        return s;
    }

    @Test
    void junosServesDeviceVxlanWithTheBoxVtepAndItsPort() {
        try (Backend b = new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, junosVxlan()))) {
            assertThat(b.capabilities().plans()).containsExactlyInAnyOrder(PlanKind.DEVICE_VXLAN, PlanKind.FORWARDER_VXLAN);
            assertThat(b.capabilities().deviceVxlanIp()).isEqualTo("192.0.2.9");
            assertThat(b.capabilities().deviceVxlanPort()).isEqualTo(4789);
        }
        Map<String, String> s = junosVxlan();
        s.put("vtep-port", "8472");
        try (Backend b = new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s))) {
            assertThat(b.capabilities().deviceVxlanPort()).isEqualTo(8472);
        }
    }

    @Test
    void badVtepSettingsNameTheKey() {
        Map<String, String> s = junosVxlan();
        s.remove("vtep-address");
        assertThatThrownBy(() -> new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("vtep-address: missing");
        s.put("vtep-address", "box.example");
        assertThatThrownBy(() -> new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("vtep-address: 'box.example' is not an IPv4 address");
        s.put("vtep-address", "192.0.2.9");
        s.put("vtep-port", "70000");
        assertThatThrownBy(() -> new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("vtep-port: ");
        refused("vtep-address", "192.0.2.9", "vtep-address: only for plans: device-vxlan");
        refused("vtep-port", "4789", "vtep-port: only for plans: device-vxlan");
    }

    @Test
    void aConfigurationNamespaceQualifiesTheJunosStatementsAndWithoutOneTheyGoUnqualified() {
        try (Backend b = new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, junosVxlan()))) {
            assertThat(((NetconfBackend) b).driver().vxlanReadFilter()).startsWith("<configuration>");
        }
        Map<String, String> s = junosVxlan();
        s.put("configuration-namespace", " urn:example:junos-statements ");
        try (Backend b = new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s))) {
            assertThat(((NetconfBackend) b).driver().vxlanReadFilter())
                    .startsWith("<configuration xmlns=\"urn:example:junos-statements\"");
        }
    }

    @Test
    void aConfigurationNamespaceThatIsNoAbsoluteUriOrIsGivenToAnotherDriverIsRefusedNamingTheKey() {
        for (String bad : new String[] {"junos statements", "ensm-junos-vxlan", "urn:a b"}) {
            Map<String, String> s = junosVxlan();
            s.put("configuration-namespace", bad);
            assertThatThrownBy(() -> new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("configuration-namespace: '" + bad + "' is not");
        }
        for (String driver : new String[] {"ietf", "openconfig"}) {
            Map<String, String> s = good();
            s.put("driver", driver);
            s.put("configuration-namespace", "urn:example:junos-statements");
            assertThatThrownBy(() -> new NetconfBackendProvider().create(Contexts.backend(ENDPOINT, s)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("configuration-namespace: only with driver junos; the " + driver + " driver");
        }
    }
}
