package io.ensm.tf.backend;

import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendException;
import io.ensm.tf.vncdouble.Seed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Settings and start-up: a bad or unknown setting stops start-up with a message that starts with its key. */
class TungstenBackendProviderTest {
    final TfBed bed = new TfBed();

    @TempDir
    Path dir;

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
        assertRefused(s -> s.put("virtual-network", "default-domain:admin:red"),
                "virtual-network: TF has no virtual network default-domain:admin:red");
    }

    @Test
    void anUnknownPortGroupOrFabricStopsStartUpNamingTheKey() {
        assertRefused(s -> s.put("port-group", "nope"), "port-group: TF has no virtual-port-group 'nope' in fabric 'default-fabric'");
        assertRefused(s -> s.put("fabric", "nope"), "fabric: TF has no fabric 'nope'");
    }

    @Test
    void aPortGroupWithoutPortsStopsStartUp() {
        bed.seed.virtualPortGroup("default-fabric", "empty-group");
        assertRefused(s -> s.put("port-group", "empty-group"), "port-group: virtual-port-group 'empty-group' has no physical interfaces");
    }

    @Test
    void anEnterpriseStyleFabricStopsStartUpSayingWhy() {
        bed.seed.fabric("campus", true);
        String pi = bed.uuidOf("physical-interface", "default-global-system-config", "leaf1", "xe-0/0/3");
        bed.seed.virtualPortGroup("campus", "campus-group", pi);
        assertRefused(s -> {
            s.put("fabric", "campus");
            s.put("port-group", "campus-group");
        }, "fabric: fabric 'campus' is enterprise style", "disable_vlan_vn_uniqueness_check");
    }

    @Test
    void anUnreadableTokenFileOrARefusedTokenStopsStartUpWithoutShowingTheToken() throws Exception {
        assertRefused(s -> s.put("token-file", dir.resolve("absent").toString()), "token-file: cannot read");
        bed.api.requireToken("the-real-token");
        Path wrong = Files.writeString(dir.resolve("token"), "a-stale-token\n");
        Map<String, String> s = bed.settings();
        s.put("token-file", wrong.toString());
        assertThatThrownBy(() -> TfBed.backend(TfBed.ENDPOINT, s))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("token-file: ").contains("401").doesNotContain("a-stale-token"));
    }

    @Test
    void keystoneCredentialsFromSettingsAreUsed() throws Exception {
        bed.api.keystoneUser("ensm", "keystone-pw", "admin");
        Map<String, String> s = bed.settings();
        s.put("keystone-url", bed.api.url() + "/v3");
        s.put("keystone-username", "ensm");
        s.put("keystone-password-file", Files.writeString(dir.resolve("pw"), "keystone-pw\n").toString());
        s.put("keystone-project", "admin");

        try (TungstenBackend backend = TfBed.backend(TfBed.ENDPOINT, s)) {
            assertThat(backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32"))).isEqualTo(new Attachment.Vlan("eth1", 300));
        }
        assertThat(bed.api.calls()).contains("POST /v3/auth/tokens");
    }

    @Test
    void tfDownAtStartDoesNotStopStartUpAndTheObjectsAreFoundOnFirstUse() throws Exception {
        bed.api.stop();
        try (TungstenBackend backend = TfBed.backend(TfBed.ENDPOINT, bed.settings())) {
            BackendException down = null;
            try {
                backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32"));
            } catch (BackendException e) {
                down = e;
            }
            assertThat(down).isNotNull();
            assertThat(down.kind()).isEqualTo(BackendException.Kind.UNREACHABLE);
            assertThat(down.getMessage()).contains("find the configured TF objects");

            bed.api.restart();

            assertThat(backend.provision(TfBed.intent("c1", 300, "10.60.0.1/32"))).isEqualTo(new Attachment.Vlan("eth1", 300));
            assertThat(Seed.uuids(bed.api, "virtual-machine-interface")).hasSize(1);
        }
    }
}
