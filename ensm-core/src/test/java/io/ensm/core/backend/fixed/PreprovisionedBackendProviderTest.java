package io.ensm.core.backend.fixed;

import io.ensm.core.model.EndpointSpec;
import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendContext;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.SettingsReader;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PreprovisionedBackendProviderTest {
    private static final EndpointSpec ENDPOINT = new EndpointSpec("edge-1", "svc", Map.of());

    private static Backend create(Map<String, String> settings) {
        return new PreprovisionedBackendProvider().create(new BackendContext(ENDPOINT,
                new SettingsReader("endpoint '" + ENDPOINT.name() + "'", settings), new Owner("ensm-a")));
    }

    private static Map<String, String> good() {
        Map<String, String> s = new HashMap<>();
        s.put("uplink", "eth1");
        s.put("vlans", "100-199");
        return s;
    }

    @Test
    void goodSettingsGiveTheDefaultPlans() {
        try (Backend b = create(good())) {
            assertThat(b.capabilities().plans()).containsExactlyInAnyOrder(PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN);
            assertThat(b.capabilities().vlanPool()).isEqualTo("uplink:eth1");
        }
    }

    @Test
    void aMisspeltSettingIsRefusedNamingItAndTheEndpoint() {
        Map<String, String> s = good();
        s.put("plan", "fabric-vlan");
        assertThatThrownBy(() -> create(s))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("plan: unknown setting of endpoint 'edge-1'")
                .hasMessageContaining("did you mean 'plans'?");
    }

    @Test
    void badSettingsNameTheKey() {
        Map<String, String> s = good();
        s.put("plans", "fabric-vlan,warp");
        assertThatThrownBy(() -> create(s))
                .hasMessageStartingWith("plans: unknown plan 'warp'");
        s.put("plans", "device-vxlan");
        assertThatThrownBy(() -> create(s))
                .hasMessageStartingWith("plans: ");
        s.remove("plans");
        s.remove("uplink");
        assertThatThrownBy(() -> create(s))
                .hasMessageStartingWith("uplink: missing");
    }
}
