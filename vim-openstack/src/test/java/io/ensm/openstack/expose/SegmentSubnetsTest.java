package io.ensm.openstack.expose;

import io.ensm.core.spi.BackendException;
import io.ensm.openstack.neutron.Models.Subnet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The comparison of a segment with a network's subnets, on Neutron's answers as values. */
class SegmentSubnetsTest {
    static final List<Subnet> SUBNETS = List.of(
            new Subnet("s4", "n", "10.50.0.0/24", "10.50.0.1"),
            new Subnet("s6", "n", "fd00:50::/64", "fd00:50::1"),
            new Subnet("bare", "n", "10.51.0.0/24", null));

    @Test
    void theNetworksSubnetsWithTheirGatewaysMatchWhateverTheAddressSpelling() {
        assertThatCode(() -> SegmentSubnets.check("lan", "svc", SUBNETS, List.of("10.50.0.1/24", "fd00:50:0:0::1/64")))
                .doesNotThrowAnyException();
        assertThatCode(() -> SegmentSubnets.check("lan", "svc", SUBNETS, List.of("fd00:50::1/64"))).doesNotThrowAnyException();
    }

    @Test
    void aSubnetWithoutGatewayIsNoSegmentsSubnet() {
        assertThatThrownBy(() -> SegmentSubnets.check("lan", "svc", SUBNETS, List.of("10.51.0.1/24")))
                .isInstanceOf(BackendException.class)
                .hasMessage("network lan: subnet 10.51.0.0/24 has no gateway in Neutron, not the segment's 10.51.0.1 (service svc);"
                        + " the segment's gateways must be the subnets' gateway_ip");
    }

    @Test
    void aNetworkWithoutSubnetsSaysNone() {
        assertThatThrownBy(() -> SegmentSubnets.check("lan", "svc", List.of(), List.of("10.50.0.1/24")))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("network lan has no subnet 10.50.0.0/24 for the segment of service svc (its subnets: none)");
    }

    @Test
    void aGatewayWithoutItsLengthIsRefused() {
        assertThatThrownBy(() -> SegmentSubnets.check("lan", "svc", SUBNETS, List.of("10.50.0.1")))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("gateway '10.50.0.1' is not an address with its subnet's prefix length");
    }
}
