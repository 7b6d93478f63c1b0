package io.ensm.netconf.driver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.onlab.packet.VlanId;
import org.onosproject.net.host.InterfaceIpAddress;
import org.onlab.packet.IpAddress;
import org.onlab.packet.IpPrefix;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static io.ensm.netconf.driver.Intents.put;
import static io.ensm.netconf.driver.Intents.remove;
import static io.ensm.netconf.driver.Intents.sub;
import static io.ensm.netconf.driver.Intents.vlan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every driver promises: what it writes it reads back equal, and it refuses what it would not write. */
class DriverContractTest {
    /** Two valid ports per driver. */
    private static final Map<String, List<String>> PORTS = Map.of(
            "ietf", List.of("eth1", "eth2"),
            "openconfig", List.of("Ethernet1", "et-0/0/2"),
            "junos", List.of("ge-0/0/1", "xe-1/0/0:2"));

    static Stream<Driver> drivers() {
        return Drivers.names().stream().map(n -> Drivers.byName(n).orElseThrow());
    }

    private static String port(Driver d, int i) {
        return PORTS.get(d.name()).get(i);
    }

    private static FoundSubInterface roundTrip(Driver d, SubInterface s) {
        List<FoundSubInterface> found = d.parse(d.render(List.of(put(s))));
        assertThat(found).hasSize(1);
        return found.getFirst();
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void ipv4PutReadsBackEqualWithItsMarkerAndName(Driver d) {
        SubInterface s = sub(port(d, 0), 100, 1500, "conn-1", "172.16.0.1/31");
        FoundSubInterface f = roundTrip(d, s);
        assertThat(f.state()).isEqualTo(s);
        assertThat(f.marker()).contains("conn-1");
        assertThat(f.name()).isEqualTo(d.subInterfaceName(port(d, 0), vlan(100))).isEqualTo(port(d, 0) + ".100");
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void aSegmentsSubInterfaceWithSubnetLengthsAndTheSegmentsMarkReadsBackEqual(Driver d) {
        SubInterface s = new SubInterface(port(d, 0), vlan(3650), Intents.addresses("10.70.0.1/24", "fd70::1/64"), 1500,
                "segment.lan", "ensm-a");
        FoundSubInterface f = roundTrip(d, s);
        assertThat(d.render(List.of(put(s)))).contains("ensm@ensm-a:segment.lan");
        assertThat(f.state()).isEqualTo(s);
        assertThat(f.marker()).contains("segment.lan");
        assertThat(Marker.read(s.marker())).contains(new Marker.Mark("ensm-a", "segment.lan"));
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void theMarkNamesItsOwnerAndReadsBackWithIt(Driver d) {
        SubInterface s = new SubInterface(port(d, 0), vlan(100), List.of(), 1500, "conn-1", "ensm-a");
        FoundSubInterface f = roundTrip(d, s);
        assertThat(d.render(List.of(put(s)))).contains("ensm@ensm-a:conn-1");
        assertThat(f.state()).isEqualTo(s);
        assertThat(f.state().owner()).isEqualTo("ensm-a");
        assertThat(f.marker()).contains("conn-1");
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void ipv6PutReadsBackEqual(Driver d) {
        SubInterface s = sub(port(d, 0), 4094, 9000, "c6", "2001:db8:0:1::1/127");
        assertThat(roundTrip(d, s).state()).isEqualTo(s);
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void dualStackPutReadsBackEqualWhateverTheAddressOrder(Driver d) {
        SubInterface s = sub(port(d, 0), 1, 1280, "dual", "2001:db8::3/127", "172.16.0.3/31", "10.0.0.1/24");
        FoundSubInterface f = roundTrip(d, s);
        assertThat(f.state()).isEqualTo(s);
        assertThat(f.state().addresses()).extracting(a -> a.ipAddress().toString())
                .containsExactly("10.0.0.1", "172.16.0.3", "2001:db8::3");
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void putWithoutAddressesKeepsItsMtu(Driver d) {
        SubInterface s = sub(port(d, 1), 200, 1400, "l2-only");
        assertThat(roundTrip(d, s).state()).isEqualTo(s);
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void batchOfPutsAndRemovesReadsBackAsThePutsOnly(Driver d) {
        SubInterface a = sub(port(d, 0), 100, 1500, "a", "172.16.0.1/31");
        SubInterface b = sub(port(d, 1), 101, 1500, "b", "2001:db8::1/127", "172.16.0.3/31");
        SubInterface c = sub(port(d, 0), 102, 1500, "c", "172.16.0.5/31");
        String xml = d.render(List.of(put(a), remove(port(d, 0), 300), put(b), remove(port(d, 1), 301), put(c)));

        // Removal entries carry only their key: no marker, no VLAN, so nothing reads back from them.
        // (openconfig and junos nest sub-interfaces under their port, so the order is by port.)
        assertThat(d.parse(xml)).extracting(FoundSubInterface::state).containsExactlyInAnyOrder(a, b, c);
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void valuesAreEscapedNotSpliced(Driver d) {
        String id = "a<b>&\"'c]]>d ü";
        SubInterface s = sub(port(d, 0), 100, 1500, id, "172.16.0.1/31");
        String xml = d.render(List.of(put(s)));
        XmlAssert.config(xml); // well-formed
        assertThat(roundTrip(d, s).marker()).contains(id);
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void rendersAndParsesFromManyThreadsAlike(Driver d) throws Exception {
        List<SubInterface> subs = java.util.stream.IntStream.rangeClosed(1, 50)
                .mapToObj(i -> sub(port(d, i % 2), i, 1500, "c" + i, "172.16." + i + ".1/31", "2001:db8::" + i + "/127"))
                .toList();
        String expected = d.render(subs.stream().<Change>map(Intents::put).toList());
        List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 5; i++) {
                        String xml = d.render(subs.stream().<Change>map(Intents::put).toList());
                        if (!xml.equals(expected) || !d.parse(xml).stream().map(FoundSubInterface::state)
                                .collect(java.util.stream.Collectors.toSet()).equals(java.util.Set.copyOf(subs))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
        }
        for (var r : results) {
            assertThat(r.get()).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void namesItsSubInterfacesAfterPortAndVlan(Driver d) {
        assertThat(d.subInterfaceName(port(d, 1), vlan(42))).isEqualTo(port(d, 1) + ".42");
        assertThatThrownBy(() -> d.subInterfaceName("bad port", vlan(42))).hasMessageStartingWith("parentPort: ");
        assertThatThrownBy(() -> d.subInterfaceName(port(d, 1), vlan(0))).hasMessageStartingWith("vlan: ");
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void refusesVlansOutside1To4094(Driver d) {
        for (SubInterface s : List.of(sub(port(d, 0), 0, 1500, "c", "172.16.0.1/31"),
                sub(port(d, 0), 4095, 1500, "c", "172.16.0.1/31"),
                new SubInterface(port(d, 0), VlanId.NONE, List.of(), 1500, "c"),
                new SubInterface(port(d, 0), VlanId.ANY, List.of(), 1500, "c"))) {
            assertThatThrownBy(() -> d.render(List.of(put(s))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("changes[0]: vlan: ").hasMessageContaining("outside 1-4094");
            assertThatThrownBy(() -> d.render(List.of(new Change.Remove(s)))).hasMessageStartingWith("changes[0]: vlan: ");
        }
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void refusesMtusOutsideTheSchemaRanges(Driver d) {
        assertThatThrownBy(() -> d.render(List.of(put(sub(port(d, 0), 10, 67, "c", "172.16.0.1/31")))))
                .hasMessage("changes[0]: mtu: 67 is outside 68-65535");
        assertThatThrownBy(() -> d.render(List.of(put(sub(port(d, 0), 10, 65536, "c", "172.16.0.1/31")))))
                .hasMessage("changes[0]: mtu: 65536 is outside 68-65535");
        assertThatThrownBy(() -> d.render(List.of(put(sub(port(d, 0), 10, 1279, "c", "2001:db8::1/127")))))
                .hasMessageStartingWith("changes[0]: mtu: 1279 is below 1280");
        // 68 is fine without IPv6.
        assertThat(d.render(List.of(put(sub(port(d, 0), 10, 68, "c", "172.16.0.1/31"))))).contains("68");
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void refusesAPutWithoutAUsableMarker(Driver d) {
        assertThatThrownBy(() -> d.render(List.of(put(sub(port(d, 0), 10, 1500, "")))))
                .hasMessageStartingWith("changes[0]: connectionId: empty");
        assertThatThrownBy(() -> d.render(List.of(put(sub(port(d, 0), 10, 1500, "x".repeat(257))))))
                .hasMessageStartingWith("changes[0]: connectionId: 257 characters");
        assertThatThrownBy(() -> d.render(List.of(put(sub(port(d, 0), 10, 1500, "a\nb")))))
                .hasMessageStartingWith("changes[0]: connectionId: control");
        assertThatThrownBy(() -> d.render(List.of(put(sub(port(d, 0), 10, 1500, " a")))))
                .hasMessageStartingWith("changes[0]: connectionId: starts or ends with white space");
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void refusesMalformedParentPorts(Driver d) {
        for (String bad : new String[] {"", "eth 1", "eth1.100", "../x", "a".repeat(64), "<x>"}) {
            assertThatThrownBy(() -> d.render(List.of(put(sub(bad, 10, 1500, "c")))))
                    .as("port '%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("changes[0]: parentPort: '" + bad + "'");
            assertThatThrownBy(() -> d.checkPortName(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> d.checkPortName(null)).isInstanceOf(IllegalArgumentException.class);
        PORTS.get(d.name()).forEach(d::checkPortName);
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void refusesAddressesItCannotWriteFaithfully(Driver d) {
        InterfaceIpAddress foreignSubnet = new InterfaceIpAddress(IpAddress.valueOf("10.0.0.1"), IpPrefix.valueOf("192.168.0.0/24"));
        assertThatThrownBy(() -> d.render(List.of(put(new SubInterface(port(d, 0), vlan(5), List.of(foreignSubnet), 1500, "c")))))
                .hasMessage("changes[0]: addresses[0]: subnet 192.168.0.0/24 does not contain 10.0.0.1");
        InterfaceIpAddress withPeer = new InterfaceIpAddress(IpAddress.valueOf("10.0.0.1"), IpPrefix.valueOf("10.0.0.0/31"),
                null, IpAddress.valueOf("10.0.0.0"));
        assertThatThrownBy(() -> d.render(List.of(put(new SubInterface(port(d, 0), vlan(5), List.of(withPeer), 1500, "c")))))
                .hasMessageContaining("peer address");
        assertThatThrownBy(() -> d.render(List.of(put(sub(port(d, 0), 5, 1500, "c", "10.0.0.1/24", "10.0.0.1/31")))))
                .hasMessageContaining("10.0.0.1 is also addresses[0]");
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void refusesABatchThatChangesOneSubInterfaceTwiceOrNothing(Driver d) {
        SubInterface s = sub(port(d, 0), 100, 1500, "a", "172.16.0.1/31");
        assertThatThrownBy(() -> d.render(List.of(put(s), put(sub(port(d, 1), 100, 1500, "b")), remove(s))))
                .hasMessage("changes[2]: sub-interface " + port(d, 0) + ".100 is also changed by changes[0];"
                        + " a batch changes each sub-interface once");
        assertThatThrownBy(() -> d.render(List.of())).hasMessage("changes: nothing to render");
        assertThatThrownBy(() -> d.render(null)).hasMessage("changes: nothing to render");
        List<Change> withNull = new java.util.ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> d.render(withNull)).hasMessage("changes[0]: missing");
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void readFilterRefusesMalformedPortsAndIsWellFormed(Driver d) {
        assertThatThrownBy(() -> d.readFilter(List.of(port(d, 0), "no such port!")))
                .hasMessageStartingWith("parentPorts[1]: ");
        assertThatThrownBy(() -> d.readFilter(null)).hasMessageStartingWith("parentPorts: missing");
        XmlAssert.config(d.readFilter(List.of(port(d, 0), port(d, 1), port(d, 0))));
        XmlAssert.config(d.readFilter(List.of()));
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void parseRefusesMalformedXmlAndDtds(Driver d) {
        assertThatThrownBy(() -> d.parse("<data><interfaces>")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("reply: not well-formed XML");
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE data [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><data>&x;</data>";
        assertThatThrownBy(() -> d.parse(xxe)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("reply: ");
        assertThatThrownBy(() -> d.parse(null)).hasMessage("reply: missing");
        assertThat(d.parse("<data/>")).isEmpty();
        assertThat(d.parse("")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("drivers")
    void parseAcceptsTheDataElementItsContentOrTheWholeReply(Driver d) {
        SubInterface s = sub(port(d, 0), 7, 1500, "c7", "172.16.0.7/31");
        String content = d.render(List.of(put(s)));
        String data = "<data xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">" + content + "</data>";
        String reply = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rpc-reply message-id=\"7\" xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">"
                + data + "</rpc-reply>";
        for (String text : List.of(content, data, reply, "\uFEFF<?xml version=\"1.0\"?>\n" + data)) {
            assertThat(d.parse(text)).extracting(FoundSubInterface::state).first().isEqualTo(s);
        }
        assertThat(d.parse(content + d.render(List.of(put(sub(port(d, 1), 8, 1500, "c8")))))).hasSize(2);
        assertThat(d.terminatesVxlan()).isEqualTo(d.name().equals("junos"));
        assertThat(Optional.of(d)).isEqualTo(Drivers.byName(d.name()));
    }
}
