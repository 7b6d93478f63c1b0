package io.ensm.core.alloc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SegmentAddressesTest {

    private static SegmentAddresses dualStack() {
        return new SegmentAddresses("lan", List.of("10.50.0.0/24", "fd00:50::/64"), List.of("10.50.0.1", "fd00:50::1"));
    }

    @Test
    void eachClientGetsOneAddressPerSubnetWithItsPrefixLengthAndTheGatewayAsTheFarSide() {
        SegmentAddresses s = dualStack();
        AddressPair a = s.allocate("c1", List.of());
        AddressPair b = s.allocate("c2", List.of());

        assertThat(a.clientAddrs()).containsExactly("10.50.0.2/24", "fd00:50::2/64");
        assertThat(a.endpointAddrs()).containsExactly("10.50.0.1/24", "fd00:50::1/64");
        assertThat(b.clientAddrs()).containsExactly("10.50.0.3/24", "fd00:50::3/64");
        assertThat(b.endpointAddrs()).isEqualTo(a.endpointAddrs());
        assertThat(s.allocate("c1", List.of())).as("a refresh keeps its addresses").isEqualTo(a);
    }

    @Test
    void aGatewayHighInALargeIpv6SubnetIsAcceptedAsTfsOwnIs() {
        // Tungsten Fabric's default gateway of a /64 is the address before the last one
        SegmentAddresses s = new SegmentAddresses("lan", List.of("10.50.0.0/24", "fd00:50::/64"),
                List.of("10.50.0.254", "fd00:50::ffff:ffff:ffff:fffe"));

        AddressPair a = s.allocate("c1", List.of());

        assertThat(a.endpointAddrs()).containsExactly("10.50.0.254/24", "fd00:50::ffff:ffff:ffff:fffe/64");
        assertThat(a.clientAddrs()).containsExactly("10.50.0.1/24", "fd00:50::1/64");
        assertThatThrownBy(() -> new SegmentAddresses("lan", List.of("fd00:50::/64"), List.of("fd00:50::")))
                .hasMessageContaining("network or broadcast address");
    }

    @Test
    void networkBroadcastAndGatewayAreNeverHandedOutAndAFullSubnetNamesItself() {
        // a /29: .0 network, .7 broadcast, gateway .6: five clients fit
        SegmentAddresses s = new SegmentAddresses("small", List.of("192.0.2.0/29"), List.of("192.0.2.6"));
        Set<String> given = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            given.addAll(s.allocate("c" + i, List.of()).clientAddrs());
        }
        assertThat(given).containsExactlyInAnyOrder("192.0.2.1/29", "192.0.2.2/29", "192.0.2.3/29", "192.0.2.4/29", "192.0.2.5/29");
        assertThatThrownBy(() -> s.allocate("c5", List.of()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).contains("192.0.2.0/29", "small");
                });
        s.release("c2");
        assertThat(s.allocate("c6", List.of()).clientAddrs()).containsExactly("192.0.2.3/29");
    }

    @Test
    void excludedPrefixesAreSkippedAndAFailedFamilyTakesNothingFromTheOther() {
        SegmentAddresses s = dualStack();
        assertThat(s.allocate("c1", List.of("10.50.0.0/28")).clientAddrs()).containsExactly("10.50.0.16/24", "fd00:50::2/64");
        assertThatThrownBy(() -> s.allocate("c2", List.of("fd00:50::/64")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getDescription()).contains("fd00:50::/64", "excluding"));
        assertThat(s.allocate("c3", List.of()).clientAddrs()).as("c2's IPv4 address was given back")
                .containsExactly("10.50.0.2/24", "fd00:50::3/64");
        assertThatThrownBy(() -> s.allocate("c4", List.of("not-a-prefix")))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    @Test
    void aRestoredClientKeepsItsAddressAndAnotherCannotTakeIt() {
        SegmentAddresses s = dualStack();
        s.restore("c1", List.of("10.50.0.9/24", "fd00:50::9/64"));
        s.restore("c1", List.of("10.50.0.9/24", "fd00:50::9/64"));
        assertThat(s.allocate("c1", List.of()).clientAddrs()).containsExactly("10.50.0.9/24", "fd00:50::9/64");
        assertThatThrownBy(() -> s.restore("c2", List.of("10.50.0.9/24"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> s.restore("c3", List.of("10.50.0.1/24"))).as("the gateway").isInstanceOf(IllegalArgumentException.class);
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            others.addAll(s.allocate("n" + i, List.of()).clientAddrs());
        }
        assertThat(others).doesNotContain("10.50.0.9/24", "10.50.0.1/24");
    }

    @Test
    void aGatewayOutsideItsSubnetOrOnItsNetworkOrBroadcastAddressIsRefused() {
        assertThatThrownBy(() -> new SegmentAddresses("s", List.of("10.0.0.0/24"), List.of("10.0.1.1")))
                .hasMessageContaining("no gateway inside subnet 10.0.0.0/24");
        assertThatThrownBy(() -> new SegmentAddresses("s", List.of("10.0.0.0/24"), List.of("10.0.0.0")))
                .hasMessageContaining("network or broadcast");
        assertThatThrownBy(() -> new SegmentAddresses("s", List.of("10.0.0.0/24"), List.of("10.0.0.255")))
                .hasMessageContaining("network or broadcast");
        assertThatThrownBy(() -> new SegmentAddresses("s", List.of("10.0.0.0/24"), List.of("10.0.0.1", "10.9.0.1")))
                .hasMessageContaining("gateway 10.9.0.1 is in none");
        assertThatThrownBy(() -> new SegmentAddresses("s", List.of("10.0.0.0/31"), List.of("10.0.0.1")))
                .hasMessageContaining("no room");
        assertThatThrownBy(() -> new SegmentAddresses("s", List.of("10.0.0.0/24", "10.1.0.0/24"), List.of("10.0.0.1")))
                .hasMessageContaining("one subnet per family");
    }
}
