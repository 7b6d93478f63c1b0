package io.ensm.tf.backend;

import io.ensm.tf.testbed.OpenSdn;
import io.ensm.tf.testbed.RealOpenSdn;
import io.ensm.tf.testbed.TfWorld;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Settings and start-up against OpenSDN's config API server: a bad or unknown setting, or a
 * configured object TF does not have or cannot use, stops start-up with a message that starts
 * with the key to correct.
 */
@RealOpenSdn
class TungstenBackendProviderTest {
    TfBed bed;

    @TempDir
    Path dir;

    @BeforeEach
    void start(OpenSdn server) {
        bed = TfBed.on(server);
    }

    @AfterEach
    void close() {
        bed.close();
    }

    void assertRefused(Consumer<Map<String, String>> change, String... fragments) {
        Map<String, String> s = bed.settings();
        change.accept(s);
        assertThatThrownBy(() -> TfBed.backend(TfBed.ENDPOINT, s).close())
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(fragments));
    }

    @Test
    void theConfiguredObjectsAreFoundAtStart() {
        try (TungstenBackend backend = bed.backend()) {
            assertThat(backend.toString()).contains(bed.world.networkName());
        }
    }

    @Test
    void missingRequiredSettingsAreNamed() {
        for (String key : List.of("api-url", "virtual-network", "port-group", "uplink", "vlans")) {
            assertRefused(s -> s.remove(key), key + ": missing");
        }
    }

    @Test
    void malformedSettingsAreNamed() {
        assertRefused(s -> s.put("api-url", "tf-config:8082"), "api-url: 'tf-config:8082' is not an http:// or https:// URL");
        assertRefused(s -> s.put("virtual-network", "admin:blue"), "virtual-network: 'admin:blue' is not domain:project:name");
        assertRefused(s -> s.put("vlans", "400-300"), "vlans: ");
        assertRefused(s -> s.put("plans", "device-vxlan"), "plans: plan 'device-vxlan' is not served by this backend (it serves forwarder-vxlan, fabric-vlan)");
        assertRefused(s -> s.put("timeout", "soon"), "timeout: 'soon' is not a duration");
        assertRefused(s -> s.put("retries", "-1"), "retries: '-1' is not a number in 0..10");
        assertRefused(s -> s.put("port-group", "a:b"), "port-group: 'a:b' is not a TF object name");
        assertRefused(s -> s.put("api-uri", "http://x"), "api-uri: unknown setting of endpoint 'blue-nse'; did you mean 'api-url'?");
        assertRefused(s -> {
            s.put("token-file", "/x");
            s.put("keystone-url", "http://keystone:5000/v3");
        }, "token-file: set either token-file or keystone-url, not both");
        assertRefused(s -> s.put("keystone-username", "ensm"), "keystone-username: needs keystone-url");
        assertRefused(s -> s.put("keystone-url", "http://keystone:5000/v3"), "keystone-username: missing");
    }

    @Test
    void durationsTakeTheSameGrammarAsTheServiceConfiguration() {
        Map<String, String> s = bed.settings();
        s.put("timeout", "PT30S");
        TfBed.backend(TfBed.ENDPOINT, s).close();
        assertRefused(x -> x.put("timeout", "10"), "timeout: '10' has no unit");
    }

    @Test
    void aMisspeltSettingIsRefusedWithTheNearestKey() {
        assertRefused(s -> s.put("retires", "3"), "retires: unknown setting of endpoint '" + TfBed.ENDPOINT + "'",
                "did you mean 'retries'?");
    }

    @Test
    void anUnknownVirtualNetworkStopsStartUpNamingTheKey() {
        assertRefused(s -> s.put("virtual-network", "default-domain:" + bed.world.project() + ":red"),
                "virtual-network: TF has no virtual network default-domain:" + bed.world.project() + ":red");
    }

    @Test
    void anUnknownPortGroupOrFabricStopsStartUpNamingTheKey() {
        assertRefused(s -> s.put("port-group", "nope"), "port-group: TF has no virtual-port-group 'nope' in fabric '" + bed.world.fabric() + "'");
        assertRefused(s -> s.put("fabric", "nope-" + bed.world.tag()), "fabric: TF has no fabric 'nope-" + bed.world.tag() + "'");
    }

    @Test
    void aPortGroupWithoutPortsStopsStartUp() {
        TfWorld.portGroup(bed.rest, bed.world.fabric(), "empty-group");
        assertRefused(s -> s.put("port-group", "empty-group"), "port-group: virtual-port-group 'empty-group' has no physical interfaces");
    }

    @Test
    void anEnterpriseStyleFabricStopsStartUpSayingWhy() {
        String campus = "campus-" + bed.world.tag();
        TfWorld.fabric(bed.rest, campus, true);
        TfWorld.portGroup(bed.rest, campus, "campus-group", bed.world.port(2));
        assertRefused(s -> {
            s.put("fabric", campus);
            s.put("port-group", "campus-group");
        }, "fabric: fabric '" + campus + "' (holding virtual-port-group 'campus-group') is enterprise style",
                "disable_vlan_vn_uniqueness_check=true on fabric '" + campus + "'");
    }
}
