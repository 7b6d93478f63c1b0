package io.ensm.core.alloc;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpPrefixTest {

    @Test
    void parsesAndPrintsBothFamilies() {
        assertThat(IpPrefix.parse("10.1.2.0/24").toString()).isEqualTo("10.1.2.0/24");
        assertThat(IpPrefix.parse("FD00:0:0:0::/64").toString()).isEqualTo("fd00::/64");
        assertThat(IpPrefix.parse("::/0").toString()).isEqualTo("::/0");
        assertThat(IpPrefix.parse("::ffff:10.0.0.0/120").toString()).isEqualTo("::ffff:a00:0/120");
    }

    @Test
    void ipv6TextIsCanonical() {
        assertThat(IpAddress.parse("2001:db8:0:0:1:0:0:1")).hasToString("2001:db8::1:0:0:1");
        assertThat(IpAddress.parse("2001:db8:0:1:1:1:1:1")).hasToString("2001:db8:0:1:1:1:1:1");
        assertThat(IpAddress.parse("fd00::")).hasToString("fd00::");
        assertThat(IpAddress.parse("::1")).hasToString("::1");
    }

    @Test
    void strictParseRejectsHostBitsAndMalformedValues() {
        assertThatThrownBy(() -> IpPrefix.parse("10.0.0.1/24")).hasMessageContaining("10.0.0.1/24").hasMessageContaining("host bits");
        for (String bad : new String[] {"10.0.0.0", "10.0.0/24", "10.0.0.256/32", "010.0.0.0/8", "10.0.0.0/33",
                "fd00::/129", "fd00:::/64", "1::2::3/64", "fe80::1%eth0/64", "1.2.3.4::/64", "::1.2.3.4:5/64", "host.example/24", "10.0.0.0/-1", ""}) {
            assertThatThrownBy(() -> IpPrefix.parse(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void coveringParseClearsHostBitsAndAcceptsBareAddresses() {
        assertThat(IpPrefix.parseCovering("192.168.1.5/24")).hasToString("192.168.1.0/24");
        assertThat(IpPrefix.parseCovering("192.168.1.5")).hasToString("192.168.1.5/32");
        assertThat(IpPrefix.parseCovering("fd00::5")).hasToString("fd00::5/128");
    }

    @Test
    void containmentAndOverlapRespectFamilyAndLength() {
        IpPrefix net = IpPrefix.parse("10.0.0.0/16");
        assertThat(net.contains(IpPrefix.parse("10.0.5.0/24"))).isTrue();
        assertThat(net.contains(IpPrefix.parse("10.0.0.0/8"))).isFalse();
        assertThat(net.overlaps(IpPrefix.parse("10.0.0.0/8"))).isTrue();
        assertThat(net.overlaps(IpPrefix.parse("10.1.0.0/16"))).isFalse();
        assertThat(net.contains(IpAddress.parse("10.0.255.255"))).isTrue();
        assertThat(IpPrefix.parse("::/96").contains(IpAddress.parse("0.0.0.1"))).isFalse();
        assertThat(IpPrefix.parse("fd00::/64").last()).hasToString("fd00::ffff:ffff:ffff:ffff");
    }
}
