package io.ensm.core.spi;

import io.ensm.core.model.PlanKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsReaderTest {
    enum Mode { TAGGED, ACCESS_PORT }

    private static SettingsReader reader(String... keyValues) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return new SettingsReader("endpoint 'box-1'", m);
    }

    @Test
    void typedValuesAndDefaults() {
        SettingsReader r = reader("host", " 192.0.2.1 ", "port", "830", "rpc-timeout", "45s", "accept", "true",
                "mode", "access-port", "tags", "a, b", "labels", "site=lab, rack=7", "vlans", "100-199", "blank", "  ");
        assertThat(r.required("host", "the box")).isEqualTo("192.0.2.1");
        assertThat(r.integer("port", 1, 65535, 22)).isEqualTo(830);
        assertThat(r.integer("max", 1, 9, 2)).isEqualTo(2);
        assertThat(r.duration("rpc-timeout", Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(45));
        assertThat(r.duration("keep-alive", Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(r.bool("accept", false)).isTrue();
        assertThat(r.choice("mode", Mode.class, Mode.TAGGED)).isEqualTo(Mode.ACCESS_PORT);
        assertThat(r.list("tags")).containsExactly("a", "b");
        assertThat(r.pairs("labels")).containsExactly(Map.entry("site", "lab"), Map.entry("rack", "7"));
        assertThat(r.vlans("vlans", "the ids")).isEqualTo(new VlanRange(100, 199));
        assertThat(r.has("blank")).isFalse();
        assertThat(r.string("blank", "dflt")).isEqualTo("dflt");
        r.done();
    }

    @Test
    void everyErrorNamesTheKey() {
        SettingsReader r = reader("port", "99999", "rpc-timeout", "5", "accept", "yes", "mode", "trunk", "tags", "a,,b",
                "labels", "site", "vlans", "300-200", "retries", "x");
        assertThatThrownBy(() -> r.required("host", "the box's address")).isInstanceOf(InvalidSettingException.class)
                .hasMessage("host: missing (the box's address)");
        assertThatThrownBy(() -> r.integer("port", 1, 65535, 830)).hasMessage("port: '99999' is not a number in 1..65535");
        assertThatThrownBy(() -> r.integer("retries", 0, 10, 2)).hasMessage("retries: 'x' is not a number in 0..10");
        assertThatThrownBy(() -> r.duration("rpc-timeout", Duration.ofSeconds(1))).hasMessageStartingWith("rpc-timeout: '5' has no unit");
        assertThatThrownBy(() -> r.bool("accept", false)).hasMessage("accept: 'yes' is not true or false");
        assertThatThrownBy(() -> r.choice("mode", Mode.class, Mode.TAGGED)).hasMessage("mode: 'trunk' is not tagged or access-port");
        assertThatThrownBy(() -> r.list("tags")).hasMessage("tags: 'a,,b' has an empty item");
        assertThatThrownBy(() -> r.pairs("labels")).hasMessage("labels: 'site' is not name=value");
        assertThatThrownBy(() -> r.vlans("vlans", "ids")).hasMessageStartingWith("vlans: VLAN range 300-200");
        assertThat(((InvalidSettingException) org.assertj.core.api.Assertions.catchThrowable(() -> r.bool("accept", true))).key())
                .isEqualTo("accept");
    }

    @Test
    void durationsCanBeBounded() {
        SettingsReader r = reader("timeout", "10m");
        assertThatThrownBy(() -> r.duration("timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5)))
                .hasMessage("timeout: 10m is outside 100ms..5m");
    }

    @Test
    void plansAreParsedOnceForEveryBackend() {
        EnumSet<PlanKind> two = EnumSet.of(PlanKind.FORWARDER_VXLAN, PlanKind.FABRIC_VLAN);
        assertThat(reader().plans("plans", two)).isEqualTo(SettingsReader.DEFAULT_PLANS);
        assertThat(reader("plans", "Fabric-VLAN").plans("plans", two)).containsExactly(PlanKind.FABRIC_VLAN);
        assertThatThrownBy(() -> reader("plans", "fabric-vlan,warp").plans("plans", two))
                .hasMessage("plans: unknown plan 'warp' (known: forwarder-vxlan, fabric-vlan)");
        assertThatThrownBy(() -> reader("plans", "device-vxlan").plans("plans", two))
                .hasMessage("plans: plan 'device-vxlan' is not served by this backend (it serves forwarder-vxlan, fabric-vlan)");
        assertThat(reader("plans", "device-vxlan").plans("plans", EnumSet.allOf(PlanKind.class))).containsExactly(PlanKind.DEVICE_VXLAN);
    }

    @Test
    void unknownKeysAreRefusedNamingKeyEndpointAndTheNearestKnownKey() {
        SettingsReader r = reader("rpc-timout", "10s", "host", "h");
        r.required("host", "x");
        r.duration("rpc-timeout", Duration.ofSeconds(30));
        assertThatThrownBy(r::done).isInstanceOf(InvalidSettingException.class)
                .hasMessageStartingWith("rpc-timout: unknown setting of endpoint 'box-1'; did you mean 'rpc-timeout'?")
                .hasMessageContaining("(known: host, rpc-timeout)");
    }

    @Test
    void anUnknownKeyFarFromEveryKnownOneGetsNoHintAndAllUnknownKeysAreListed() {
        SettingsReader r = reader("colour", "blue", "zzz", "1", "host", "h");
        r.required("host", "x");
        assertThatThrownBy(r::done).hasMessage("colour: unknown setting of endpoint 'box-1' (also unknown: zzz) (known: host)");
    }

    @Test
    void acceptedKeysAreKnownWithoutBeingRead() {
        SettingsReader r = reader("keystone-user-domain", "x");
        r.accept("keystone-user-domain");
        r.done();
    }

    @Test
    void secretsComeFromAFileOrTheEnvironmentAndMessagesNeverQuoteThem(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("pw");
        Files.writeString(file, "s3cret\n");
        assertThat(reader("password-file", file.toString()).secret("password-file", "password-env", k -> null).orElseThrow()
                .occursIn("s3cret")).isTrue();
        assertThat(reader("password-env", "PW").secret("password-file", "password-env", Map.of("PW", "x1")::get).orElseThrow()
                .occursIn("x1")).isTrue();
        assertThat(reader().secret("password-file", "password-env", k -> null)).isEmpty();
        assertThatThrownBy(() -> reader("password-file", "hunter2").secret("password-file", null, k -> null))
                .hasMessageStartingWith("password-file: cannot read (not shown").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> reader("password-env", "hunter 2").secret("password-file", "password-env", k -> null))
                .hasMessage("password-env: environment variable (not shown: not a variable name, it may be the secret itself)");
        assertThatThrownBy(() -> reader("password-env", "NOPE").secret("password-file", "password-env", k -> null))
                .hasMessage("password-env: environment variable NOPE is not set or empty");
        assertThatThrownBy(() -> reader("password-env", "A", "password-file", "/x").secret("password-file", "password-env", k -> null))
                .hasMessage("password-file: password-env is set too; give one of them");
    }

    @Test
    void valuesNeverShowInTheStringForm() {
        assertThat(reader("password-env", "hunter2").toString()).doesNotContain("hunter2").contains("password-env");
    }

    @Test
    void ownerNamesAreSafeInEveryMarker() {
        assertThat(new Owner("ensm-a.lab_1").name()).isEqualTo("ensm-a.lab_1");
        for (String bad : List.of("", "a:b", "a,b", "a=b", "a@b", "-a", "x".repeat(64))) {
            assertThatThrownBy(() -> new Owner(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
