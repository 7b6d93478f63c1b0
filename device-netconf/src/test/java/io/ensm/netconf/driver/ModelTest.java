package io.ensm.netconf.driver;

import org.junit.jupiter.api.Test;
import org.onlab.packet.VlanId;
import org.onosproject.net.host.InterfaceIpAddress;

import java.util.ArrayList;
import java.util.List;

import static io.ensm.netconf.driver.Intents.addresses;
import static io.ensm.netconf.driver.Intents.sub;
import static io.ensm.netconf.driver.Intents.vlan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelTest {

    @Test
    void subInterfacesWithTheSameAddressesInAnyOrderAreEqual() {
        SubInterface a = sub("eth1", 10, 1500, "c", "2001:db8::1/127", "172.16.0.3/31", "172.16.0.1/31");
        SubInterface b = sub("eth1", 10, 1500, "c", "172.16.0.1/31", "2001:db8::1/127", "172.16.0.3/31");

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.addresses()).extracting(x -> x.ipAddress().toString())
                .containsExactly("172.16.0.1", "172.16.0.3", "2001:db8::1");
        assertThat(a.ipv4()).hasSize(2);
        assertThat(a.ipv6()).hasSize(1);
        assertThat(a).isNotEqualTo(sub("eth1", 10, 1500, "c", "172.16.0.1/31"));
    }

    @Test
    void subInterfaceKeepsItsOwnCopyOfTheAddresses() {
        List<InterfaceIpAddress> list = new ArrayList<>(addresses("172.16.0.1/31"));
        SubInterface s = new SubInterface("eth1", vlan(10), list, 1500, "c");
        list.clear();

        assertThat(s.addresses()).hasSize(1);
        assertThatThrownBy(() -> s.addresses().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void subInterfaceRefusesNullsNamingTheField() {
        assertThatThrownBy(() -> new SubInterface(null, vlan(1), List.of(), 1500, "c")).hasMessage("parentPort");
        assertThatThrownBy(() -> new SubInterface("eth1", null, List.of(), 1500, "c")).hasMessage("vlan");
        assertThatThrownBy(() -> new SubInterface("eth1", vlan(1), null, 1500, "c")).hasMessage("addresses");
        assertThatThrownBy(() -> new SubInterface("eth1", vlan(1), List.of(), 1500, null)).hasMessage("connectionId");
        List<InterfaceIpAddress> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> new SubInterface("eth1", vlan(1), withNull, 1500, "c")).hasMessage("addresses[0]");
        assertThatThrownBy(() -> new Change.Put(null)).hasMessage("wanted");
        assertThatThrownBy(() -> new Change.Remove(null)).hasMessage("existing");
    }

    @Test
    void familiesWrittenFollowTheAddresses() {
        assertThat(sub("eth1", 1, 1500, "c").writesIpv4()).isTrue();
        assertThat(sub("eth1", 1, 1500, "c").writesIpv6()).isFalse();
        assertThat(sub("eth1", 1, 1500, "c", "2001:db8::1/64").writesIpv4()).isFalse();
        assertThat(sub("eth1", 1, 1500, "c", "2001:db8::1/64", "10.0.0.1/8").writesIpv4()).isTrue();
    }

    @Test
    void markerNamesItsOwnerAndTheConnection() {
        assertThat(Marker.description("ensm-a", "conn-1")).isEqualTo("ensm@ensm-a:conn-1");
        assertThat(Marker.read("ensm@ensm-a:conn-1")).contains(new Marker.Mark("ensm-a", "conn-1"));
        assertThat(Marker.read("ensm@ensm-a:a:b")).contains(new Marker.Mark("ensm-a", "a:b"));
        assertThat(Marker.read("ensm@:conn-1")).isEmpty();
        assertThat(Marker.read("ensm@ensm-a:")).isEmpty();
        assertThat(Marker.read("ensm@ensm-a")).isEmpty();
        assertThat(Marker.read("ENSM@ensm-a:conn-1")).isEmpty();
    }

    @Test
    void aMarkWithoutOwnerIsStillReadWithAnEmptyOwner() {
        assertThat(Marker.description("", "conn-1")).isEqualTo("ensm:conn-1");
        assertThat(Marker.read("ensm:conn-1")).contains(new Marker.Mark("", "conn-1"));
        assertThat(Marker.connectionId("ensm:conn-1")).contains("conn-1");
        assertThat(Marker.connectionId("ensm:a:b")).contains("a:b");
        assertThat(Marker.connectionId("ensm:")).isEmpty();
        assertThat(Marker.connectionId("ENSM:conn-1")).isEmpty();
        assertThat(Marker.connectionId("uplink ensm:conn-1")).isEmpty();
        assertThat(Marker.connectionId(null)).isEmpty();
    }

    @Test
    void driversAreFoundByName() {
        assertThat(Drivers.names()).containsExactly("ietf", "junos", "openconfig");
        assertThat(Drivers.byName("junos")).get().extracting(Driver::name).isEqualTo("junos");
        assertThat(Drivers.byName("cisco")).isEmpty();
        assertThat(Drivers.byName("IETF")).isEmpty();
        assertThat(Drivers.byName(null)).isEmpty();
        assertThatThrownBy(() -> Drivers.names().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void readbackToleratesOddLeafValues() {
        assertThat(Readback.vlan(java.util.Optional.of("100.200"))).isEqualTo(VlanId.NONE);
        assertThat(Readback.vlan(java.util.Optional.of(" 0 "))).isEqualTo(VlanId.vlanId((short) 0));
        assertThat(Readback.vlan(java.util.Optional.empty())).isEqualTo(VlanId.NONE);
        assertThat(Readback.mtu(java.util.OptionalInt.of(1500), java.util.OptionalInt.of(1500))).isEqualTo(1500);
        assertThat(Readback.mtu(java.util.OptionalInt.of(1500), java.util.OptionalInt.of(9000))).isZero();
        assertThat(Readback.mtu(java.util.OptionalInt.empty(), java.util.OptionalInt.of(9000))).isEqualTo(9000);
        assertThat(Readback.address("not-an-address/64")).isEmpty();
        assertThat(Readback.address("10.0.0.1/33")).isEmpty();
        assertThat(Readback.address("10.0.0.1")).isEmpty();
        assertThat(Readback.address("10.0.0.1/8")).contains(InterfaceIpAddress.valueOf("10.0.0.1/8"));
    }
}
