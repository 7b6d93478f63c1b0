package io.ensm.app.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.ensm.app.e2e.InProcessEnsm.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

/** The service refuses to start with a bad setting, and the failure names the key to fix. */
class ConfigValidationTest {
    @TempDir
    Path dir;

    Map<String, String> valid() {
        Map<String, String> p = InProcessEnsm.settings(dir.resolve("data"));
        p.put("ensm.services[0].name", "breakout");
        p.put("ensm.services[0].cidrs[0]", "10.60.0.0/24");
        p.put("ensm.endpoints[0].name", "edge-1");
        p.put("ensm.endpoints[0].service", "breakout");
        p.put("ensm.endpoints[0].backend.type", "journal");
        p.put("ensm.endpoints[0].backend.settings.file", dir.resolve("journal.txt").toString());
        return p;
    }

    @Test
    void anUnknownOrphanPolicyIsRefusedNamingTheKeyAndTheValidValues() {
        Map<String, String> s = valid();
        s.put("ensm.recovery.orphans", "delete");
        assertThat(failureOf(s)).contains("recovery.orphans", "sweep, keep or adopt");
    }

    @Test
    void anUnknownStoreTypeIsRefusedNamingTheKeyAndTheKnownTypes() {
        Map<String, String> s = valid();
        s.put("ensm.store.type", "cassandra");
        assertThat(failureOf(s)).contains("ensm.store.type", "cassandra", "sqlite");
    }

    @Test
    void aSettingTheSqliteStoreDoesNotKnowIsRefusedNamingTheKey() {
        Map<String, String> s = valid();
        s.put("ensm.store.settings.endpoints", "127.0.0.1:2379");
        assertThat(failureOf(s)).contains("ensm.store.settings.endpoints", "unknown setting");
    }

    @Test
    void aNegativeShutdownTimeoutIsRefusedNamingTheKey() {
        Map<String, String> s = valid();
        s.put("ensm.shutdown-timeout", "-1s");
        assertThat(failureOf(s)).contains("ensm.shutdown-timeout", "negative");
    }

    @Test
    void listenThatIsNotHostPortIsRefusedNamingEnsmListen() {
        Map<String, String> s = valid();
        s.put("ensm.listen", "nonsense");
        assertThat(failureOf(s)).contains("ensm.listen", "HOST:PORT");
    }

    @Test
    void endpointOfAnUnknownServiceIsRefusedNamingTheEndpointAndService() {
        Map<String, String> s = valid();
        s.put("ensm.endpoints[0].service", "no-such-service");
        assertThat(failureOf(s)).contains("edge-1", "no-such-service");
    }

    @Test
    void unknownBackendTypeIsRefusedNamingTheEndpointAndTheKnownTypes() {
        Map<String, String> s = valid();
        s.put("ensm.endpoints[0].backend.type", "no-such-backend");
        assertThat(failureOf(s)).contains("ensm.endpoints[0]", "edge-1", "no-such-backend", "journal", "preprovisioned");
    }

    @Test
    void badVlanRangeOfAPreprovisionedEndpointIsRefusedNamingVlans() {
        Map<String, String> s = valid();
        s.remove("ensm.endpoints[0].backend.type");
        s.remove("ensm.endpoints[0].backend.settings.file");
        s.put("ensm.endpoints[0].preprovisioned.uplink", "eth1");
        s.put("ensm.endpoints[0].preprovisioned.vlans", "300-200");
        assertThat(failureOf(s)).contains("ensm.endpoints[0]", "edge-1", "vlans", "300-200");
    }

    @Test
    void aMisspeltBackendSettingIsRefusedNamingTheKeyTheEndpointAndTheNearestKey() {
        Map<String, String> s = valid();
        s.put("ensm.endpoints[0].backend.settings.vlan", "100-199");
        assertThat(failureOf(s)).contains("ensm.endpoints[0] (edge-1).journal.vlan: unknown setting of endpoint 'edge-1'",
                "did you mean 'vlans'?");
    }

    @Test
    void aClusterNameThatCannotStandInAMarkIsRefusedNamingEnsmCluster() {
        Map<String, String> s = valid();
        s.put("ensm.cluster", "site:a");
        assertThat(failureOf(s)).contains("ensm.cluster", "site:a");
    }

    @Test
    void vniFirstAfterLastIsRefusedNamingEnsmVni() {
        Map<String, String> s = valid();
        s.put("ensm.vni.first", "6000");
        s.put("ensm.vni.last", "5000");
        assertThat(failureOf(s)).contains("ensm.vni", "6000", "5000");
    }

    @Test
    void endpointWithTwoBackendSectionsIsRefusedNamingTheEndpoint() {
        Map<String, String> s = valid();
        s.put("ensm.endpoints[0].preprovisioned.uplink", "eth1");
        s.put("ensm.endpoints[0].preprovisioned.vlans", "100-199");
        assertThat(failureOf(s)).contains("ensm.endpoints[0]", "edge-1", "exactly one backend section");
    }

    @Test
    void aBadSettingOfAnOpenStackEndpointIsRefusedNamingTheKey() throws java.io.IOException {
        java.nio.file.Files.writeString(dir.resolve("os-password"), "not-used\n");
        Map<String, String> s = valid();
        s.put("ensm.endpoints[0].backend.type", "openstack");
        s.remove("ensm.endpoints[0].backend.settings.file");
        s.put("ensm.endpoints[0].backend.settings.auth-url", "http://127.0.0.1:1/v3");
        s.put("ensm.endpoints[0].backend.settings.username", "ensm");
        s.put("ensm.endpoints[0].backend.settings.password-file", dir.resolve("os-password").toString());
        s.put("ensm.endpoints[0].backend.settings.project", "nfv");
        s.put("ensm.endpoints[0].backend.settings.network", "provider-150");
        s.put("ensm.endpoints[0].backend.settings.vlans", "150");
        s.put("ensm.endpoints[0].backend.settings.uplink", "eth1");
        assertThat(failureOf(s)).contains("ensm.endpoints[0] (edge-1).openstack.physical-network: missing");
    }

    @Test
    void aBadSettingOfADiscoverySourceIsRefusedNamingTheKey() {
        Map<String, String> s = valid();
        s.put("ensm.discovery[0].name", "os");
        s.put("ensm.discovery[0].type", "openstack");
        s.put("ensm.discovery[0].settings.auth-url", "http://127.0.0.1:1/v3");
        s.put("ensm.discovery[0].settings.username", "ensm");
        s.put("ensm.discovery[0].settings.password-file", dir.resolve("no-such-file").toString());
        s.put("ensm.discovery[0].settings.project", "nfv");
        s.put("ensm.discovery[0].settings.physical-network", "physnet1");
        s.put("ensm.discovery[0].settings.uplink", "eth1");
        assertThat(failureOf(s)).contains("ensm.discovery[0] (os).settings.password-file: cannot read");
        s.put("ensm.discovery[0].type", "no-such-source");
        assertThat(failureOf(s)).contains("ensm.discovery[0] (os).type: endpoint source 'no-such-source' is not available", "openstack");
    }

    @Test
    void aSegmentOnABackendThatCannotServeOneIsRefusedNamingTheServiceAndTheEndpoint() {
        Map<String, String> s = valid();
        s.put("ensm.services[0].segment.gateways[0]", "10.60.0.1");
        assertThat(failureOf(s)).contains("ensm.services[0].segment", "edge-1", "does not serve shared segments");
    }

    @Test
    void aSegmentOnAPreprovisionedEndpointNeedsItsFixedVlanAndTheRefusalNamesTheKey() {
        Map<String, String> s = valid();
        s.put("ensm.services[0].segment.gateways[0]", "10.60.0.1");
        s.remove("ensm.endpoints[0].backend.settings.file");
        s.put("ensm.endpoints[0].backend.type", "preprovisioned");
        s.put("ensm.endpoints[0].backend.settings.uplink", "eth1");
        s.put("ensm.endpoints[0].backend.settings.vlans", "100-109");
        s.put("ensm.endpoints[0].backend.settings.plans", "fabric-vlan");
        assertThat(failureOf(s)).contains("ensm.services[0].segment.vlan", "edge-1", "fixed VLAN");
    }

    @Test
    void aSegmentOnAnOpenStackTrunkEndpointIsRefusedNamingTheServiceAndTheEndpoint() throws Exception {
        Map<String, String> s = valid();
        s.put("ensm.services[0].segment.gateways[0]", "10.60.0.1");
        Path password = Files.writeString(dir.resolve("os-password"), "unused\n");
        s.remove("ensm.endpoints[0].backend.settings.file");
        s.put("ensm.endpoints[0].backend.type", "openstack");
        // nothing is asked of Keystone or Neutron before the refusal: an address nobody listens on will do
        Map.of("auth-url", "http://127.0.0.1:9/v3", "username", "ensm", "project", "ensm", "password-file", password.toString(),
                "trunk", "edge-trunk", "physical-network", "physnet1", "uplink", "eth1", "vlans", "100-101")
                .forEach((k, v) -> s.put("ensm.endpoints[0].backend.settings." + k, v));
        assertThat(failureOf(s)).contains("ensm.services[0].segment", "edge-1", "does not serve shared segments");
    }

    @Test
    void aSegmentGatewayOutsideItsSubnetOrOnTheNetworkAddressIsRefusedNamingTheKey() {
        Map<String, String> s = valid();
        s.put("ensm.services[0].segment.gateways[0]", "10.61.0.1");
        assertThat(failureOf(s)).contains("ensm.services[0].segment", "no gateway inside subnet 10.60.0.0/24");
        s.put("ensm.services[0].segment.gateways[0]", "10.60.0.0");
        assertThat(failureOf(s)).contains("ensm.services[0].segment", "network or broadcast");
    }

    @Test
    void aSegmentRouteOrGatewayThatIsNoAddressIsRefusedNamingTheKey() {
        Map<String, String> s = valid();
        s.put("ensm.services[0].segment.gateways[0]", "gateway");
        assertThat(failureOf(s)).contains("ensm.services[0].segment.gateways", "'gateway' is not an IP address");
        s.put("ensm.services[0].segment.gateways[0]", "10.60.0.1");
        s.put("ensm.services[0].segment.routes[0]", "default");
        assertThat(failureOf(s)).contains("ensm.services[0].segment.routes", "default");
    }

    @Test
    void aJunosConfigurationNamespaceThatIsNoUriOrOnAnotherDriverIsRefusedNamingTheKey() {
        Map<String, String> s = valid();
        s.put("ensm.endpoints[0].backend.type", "netconf");
        s.remove("ensm.endpoints[0].backend.settings.file");
        String k = "ensm.endpoints[0].backend.settings.";
        s.put(k + "host", "127.0.0.1");
        s.put(k + "username", "ensm");
        s.put(k + "password-env", "NO_SUCH_BOX_PASSWORD");
        s.put(k + "host-key-sha256", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
        s.put(k + "driver", "junos");
        s.put(k + "port-name", "ge-0/0/1");
        s.put(k + "uplink", "ens4");
        s.put(k + "vlans", "100-199");
        s.put(k + "configuration-namespace", "ensm junos");
        assertThat(failureOf(s)).contains("ensm.endpoints[0] (edge-1).netconf.configuration-namespace: 'ensm junos' is not a URI");
        s.put(k + "driver", "ietf");
        s.put(k + "port-name", "eth1");
        s.put(k + "configuration-namespace", "urn:example:junos");
        assertThat(failureOf(s)).contains("ensm.endpoints[0] (edge-1).netconf.configuration-namespace: only with driver junos");
    }
}
