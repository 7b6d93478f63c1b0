package io.ensm.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ensm.api.connection.Mechanism;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class EnsmctlParsingTest {

    @Test
    void mechanismSpecKeepsTypeAndParametersInOrder() {
        Mechanism m = MechanismSpec.parse("VXLAN:src_ip=192.0.2.1,src_port=4789");

        assertThat(m.getType()).isEqualTo("VXLAN");
        assertThat(m.getCls()).isEqualTo("REMOTE");
        assertThat(m.getParametersMap()).containsExactlyInAnyOrderEntriesOf(
                Map.of("src_ip", "192.0.2.1", "src_port", "4789"));
    }

    @Test
    void mechanismSpecWithoutParametersIsJustTheType() {
        Mechanism m = MechanismSpec.parse("vlan");

        assertThat(m.getType()).isEqualTo("VLAN");
        assertThat(m.getParametersMap()).isEmpty();
    }

    @Test
    void mechanismClassIsRemoteForTunnelsAndLocalForHostMechanisms() {
        for (String remote : new String[] {"VXLAN", "VLAN", "WIREGUARD", "IPSEC", "SRV6"}) {
            assertThat(MechanismSpec.parse(remote).getCls()).as(remote).isEqualTo("REMOTE");
        }
        for (String local : new String[] {"KERNEL", "MEMIF", "VFIO"}) {
            assertThat(MechanismSpec.parse(local).getCls()).as(local).isEqualTo("LOCAL");
        }
    }

    @Test
    void mechanismParameterValueMayContainEquals() {
        assertThat(MechanismSpec.parse("WIREGUARD:src_public_key=abc=").getParametersMap())
                .containsEntry("src_public_key", "abc=");
    }

    @Test
    void mechanismSpecErrorsNameTheBadPart() {
        assertThatThrownBy(() -> MechanismSpec.parse("VXLNA:src_ip=1.2.3.4"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'VXLNA'");
        assertThatThrownBy(() -> MechanismSpec.parse("VXLAN:src_ip"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'src_ip'");
        assertThatThrownBy(() -> MechanismSpec.parse("VXLAN:=1"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'=1'");
        assertThatThrownBy(() -> MechanismSpec.parse("VXLAN:src_ip=1,"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'VXLAN:src_ip=1,'");
        assertThatThrownBy(() -> MechanismSpec.parse("VXLAN:"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'VXLAN:'");
        assertThatThrownBy(() -> MechanismSpec.parse("VXLAN:a=1,a=2"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'a' repeated");
        assertThatThrownBy(() -> MechanismSpec.parse(""))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("TYPE");
    }

    @Test
    void durationsAcceptShortUnitsAndIso() {
        assertThat(DurationConverter.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationConverter.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationConverter.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(DurationConverter.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(DurationConverter.parse("PT15S")).isEqualTo(Duration.ofSeconds(15));
        assertThat(DurationConverter.parse("pt2m")).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void durationsRejectGarbageZeroAndNegative() {
        assertThatThrownBy(() -> DurationConverter.parse("ten minutes"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'ten minutes'");
        assertThatThrownBy(() -> DurationConverter.parse("10"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'10' has no unit");
        // the grammar of the service's own settings: one number and one unit, or ISO-8601
        assertThatThrownBy(() -> DurationConverter.parse("1h30m"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'1h30m'").hasMessageContaining("PT1H30M");
        assertThatThrownBy(() -> DurationConverter.parse("0s"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'0s'");
        assertThatThrownBy(() -> DurationConverter.parse("PT-5M"))
                .isInstanceOf(TypeConversionException.class).hasMessageContaining("'PT-5M'");
    }

    @Test
    void prefixesAcceptIpv4AndIpv6AndRejectOthers() {
        PrefixConverter prefixes = new PrefixConverter();

        assertThat(prefixes.convert("10.0.0.0/8")).isEqualTo("10.0.0.0/8");
        assertThat(prefixes.convert("fd00::/64")).isEqualTo("fd00::/64");
        for (String bad : new String[] {"10.0.0.0", "10.0.0.256/8", "10.0.0.0/33", "fd00::/129", "example.com/8", "/8"}) {
            assertThatThrownBy(() -> prefixes.convert(bad)).as(bad)
                    .isInstanceOf(TypeConversionException.class).hasMessageContaining("'" + bad + "'");
        }
    }
}
