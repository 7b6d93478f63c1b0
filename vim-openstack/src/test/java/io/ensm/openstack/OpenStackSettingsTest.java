package io.ensm.openstack;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.SettingsReader;
import io.ensm.core.spi.VlanRange;
import io.ensm.openstack.keystone.Ref;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenStackSettingsTest {
    static final String PASSWORD = "s3cret-Pw-41b2";

    @TempDir
    Path dir;

    Map<String, String> env = new HashMap<>();

    Map<String, String> explicit() throws IOException {
        Path file = dir.resolve("pw");
        Files.writeString(file, PASSWORD + "\nsecond line ignored\n");
        Map<String, String> s = new LinkedHashMap<>();
        s.put("auth-url", "http://keystone.example:5000/v3");
        s.put("username", "ensm");
        s.put("password-file", file.toString());
        s.put("project", "nfv");
        s.put("trunk", "fw-1-trunk");
        s.put("physical-network", "physnet1");
        s.put("uplink", "eth1");
        s.put("vlans", "100-199");
        return s;
    }

    OpenStackSettings parse(Map<String, String> s) {
        return OpenStackSettings.parse(new SettingsReader("endpoint 'os-1'", s), env::get, dir);
    }

    @Test
    void explicitSettingsWithDefaults() throws IOException {
        OpenStackSettings s = parse(explicit());

        assertThat(s.credentials().authUrl().toString()).isEqualTo("http://keystone.example:5000/v3");
        assertThat(s.credentials().username()).isEqualTo("ensm");
        assertThat(s.credentials().project()).isEqualTo(Ref.name("nfv"));
        assertThat(s.credentials().userDomain()).isEqualTo(Ref.name("Default"));
        assertThat(s.credentials().projectDomain()).isEqualTo(Ref.name("Default"));
        assertThat(s.credentials().endpointInterface()).isEqualTo("public");
        assertThat(s.credentials().password().occursIn(PASSWORD)).isTrue();
        assertThat(s.target()).isEqualTo(new Target.Trunk("fw-1-trunk"));
        assertThat(s.vlans()).isEqualTo(new VlanRange(100, 199));
        assertThat(s.subportNetworks()).isEqualTo("ensm-subports=physnet1");
        assertThat(s.subportMacOfParent()).isTrue();
        assertThat(s.plans()).containsExactlyInAnyOrder(PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN);
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.tokenRenewBefore()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.authRetryAfter()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void thePasswordNeverShowsInToString() throws IOException {
        OpenStackSettings s = parse(explicit());

        assertThat(s.toString()).doesNotContain(PASSWORD);
        assertThat(s.credentials().password().toString()).isEqualTo("(secret)");
        assertThat(s.credentials().toString()).doesNotContain(PASSWORD);
    }

    @Test
    void aCloudsYamlEntryWithOverrides() throws IOException {
        Path clouds = dir.resolve("clouds.yaml");
        Files.writeString(clouds, """
                clouds:
                  lab:
                    auth:
                      auth_url: http://keystone.lab:5000
                      username: ensm-svc
                      password: %s
                      project_id: 0a1b2c
                      user_domain_name: Users
                      project_domain_id: default
                    region_name: RegionTwo
                    interface: internal
                """.formatted(PASSWORD));
        Map<String, String> s = new LinkedHashMap<>(Map.of("cloud", "lab", "clouds-file", clouds.toString(),
                "network", "provider-150", "physical-network", "physnet1", "uplink", "eth1", "region", "RegionThree"));

        OpenStackSettings parsed = parse(s);

        assertThat(parsed.credentials().authUrl().toString()).isEqualTo("http://keystone.lab:5000");
        assertThat(parsed.credentials().username()).isEqualTo("ensm-svc");
        assertThat(parsed.credentials().project()).isEqualTo(Ref.id("0a1b2c"));
        assertThat(parsed.credentials().userDomain()).isEqualTo(Ref.name("Users"));
        assertThat(parsed.credentials().projectDomain()).isEqualTo(Ref.id("default"));
        assertThat(parsed.credentials().region()).isEqualTo("RegionThree");
        assertThat(parsed.credentials().endpointInterface()).isEqualTo("internal");
        assertThat(parsed.credentials().password().occursIn(PASSWORD)).isTrue();
        assertThat(parsed.target()).isEqualTo(new Target.Network("provider-150"));
        assertThat(parsed.vlans()).isNull();
    }

    @Test
    void theCloudsYamlIsFoundWhereTheSdksLook() throws IOException {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve(".config/openstack"));
        Files.writeString(home.resolve(".config/openstack/clouds.yaml"),
                "clouds: {lab: {auth: {auth_url: 'http://k:5000/v3', username: u, password: p, project_name: x}}}");
        Map<String, String> s = Map.of("cloud", "lab", "server", "6f2c3d1e-0000-4000-8000-00000000abcd",
                "physical-network", "physnet1", "uplink", "eth1", "vlans", "100-110");

        OpenStackSettings parsed = OpenStackSettings.parse(new SettingsReader("endpoint 'os-1'", s), env::get, home);

        assertThat(parsed.credentials().username()).isEqualTo("u");
        assertThat(parsed.target()).isEqualTo(new Target.Server("6f2c3d1e-0000-4000-8000-00000000abcd"));
    }

    @Test
    void thePasswordComesFromTheEnvironment() throws IOException {
        Map<String, String> s = explicit();
        s.remove("password-file");
        s.put("password-env", "ENSM_OS_PASSWORD");
        env.put("ENSM_OS_PASSWORD", PASSWORD);

        assertThat(parse(s).credentials().password().occursIn(PASSWORD)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "auth-url|                         |auth-url: missing",
            "auth-url|ftp://x/v3               |auth-url: 'ftp://x/v3' is not an http(s) URL",
            "username|                         |username: missing",
            "project|                          |project: missing",
            "password-file|/nonexistent/pw     |password-file: cannot read /nonexistent/pw",
            "password|plain                    |password: not accepted in the configuration",
            "physical-network|                 |physical-network: missing",
            "uplink|                           |uplink: missing",
            "vlans|                            |vlans: missing",
            "vlans|300-200                     |vlans: VLAN range 300-200",
            "vlans|abc                         |vlans: VLAN range 'abc'",
            "trunk|                            |network: missing (exactly one of network, trunk or server",
            "network|extra                     |network/trunk/server: more than one given",
            "server|not-a-uuid                 |server: 'not-a-uuid' is not a server id",
            "plans|device-vxlan                |plans: plan 'device-vxlan' is not served by this backend",
            "timeout|soon                      |timeout: 'soon' is not a duration",
            "interface|private                 |interface: 'private' is not public, internal or admin",
            "subport-mac|random                |subport-mac: 'random' is neither parent nor neutron",
            "vlan|100                          |vlan: unknown setting of endpoint 'os-1'; did you mean 'vlans'?",
            "cloud|lab                         |clouds-file: no clouds.yaml found",
            "clouds-file|clouds.yaml            |cloud: missing",
            "password-env|ENSM_UNSET_VARIABLE  |password-file: password-env is set too",
    })
    void aBadOrMissingSettingNamesItsKey(String key, String value, String message) throws IOException {
        Map<String, String> s = explicit();
        if (value == null) {
            s.remove(key);
        } else {
            s.put(key, value);
        }
        if (key.equals("server")) {
            s.remove("trunk");
        }

        assertThatThrownBy(() -> parse(s)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    @Test
    void aNetworkEndpointTakesOneVlanNotARange() throws IOException {
        Map<String, String> s = explicit();
        s.remove("trunk");
        s.put("network", "provider-150");

        assertThatThrownBy(() -> parse(s)).hasMessageStartingWith("vlans: a network endpoint's VLAN is its one provider segment");
        s.put("vlans", "150");
        assertThat(parse(s).vlans()).isEqualTo(new VlanRange(150, 150));
    }

    @Test
    void anEmptyEnvironmentVariableIsAnError() throws IOException {
        Map<String, String> s = explicit();
        s.remove("password-file");
        s.put("password-env", "ENSM_EMPTY");
        env.put("ENSM_EMPTY", "");

        assertThatThrownBy(() -> parse(s)).hasMessage("password-env: environment variable ENSM_EMPTY is not set or empty");
    }

    @Test
    void aBrokenCloudsYamlDoesNotEchoItsContent() throws IOException {
        Path clouds = dir.resolve("clouds.yaml");
        Files.writeString(clouds, "clouds:\n  lab: {auth: {password: " + PASSWORD + "\n  : : [");
        Map<String, String> s = Map.of("cloud", "lab", "clouds-file", clouds.toString(), "trunk", "t",
                "physical-network", "p", "uplink", "u", "vlans", "1-2");

        assertThatThrownBy(() -> parse(s)).hasMessageStartingWith("cloud: cannot read " + clouds)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD));
    }

    @Test
    void durationsTakeTheSameGrammarAsTheServiceConfiguration() throws IOException {
        Map<String, String> s = explicit();
        s.put("auth-retry-after", "1d");
        s.put("timeout", "PT45S");
        assertThat(parse(s).authRetryAfter()).isEqualTo(java.time.Duration.ofDays(1));
        assertThat(parse(s).timeout()).isEqualTo(java.time.Duration.ofSeconds(45));
        s.put("timeout", "30");
        assertThatThrownBy(() -> parse(s)).hasMessageStartingWith("timeout: '30' has no unit");
    }

    @Test
    void everyDocumentedKeyIsKnown() throws IOException {
        SettingsReader r = new SettingsReader("endpoint 'os-1'", explicit());
        OpenStackSettings.parse(r, env::get, dir);
        assertThat(r.known()).contains("cloud", "clouds-file", "auth-url", "username", "password", "password-file", "password-env",
                "project", "project-id", "domain", "user-domain", "project-domain", "region", "interface", "network", "trunk", "server",
                "physical-network", "uplink", "vlans", "subport-networks", "subport-mac", "plans", "timeout", "token-renew-before",
                "auth-retry-after");
    }
}
