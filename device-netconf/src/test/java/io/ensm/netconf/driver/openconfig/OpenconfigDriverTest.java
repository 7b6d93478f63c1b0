package io.ensm.netconf.driver.openconfig;

import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.FoundSubInterface;
import io.ensm.netconf.driver.SubInterface;
import io.ensm.netconf.driver.XmlAssert;
import org.junit.jupiter.api.Test;
import org.onlab.packet.VlanId;
import org.w3c.dom.Element;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.ensm.netconf.driver.Intents.put;
import static io.ensm.netconf.driver.Intents.remove;
import static io.ensm.netconf.driver.Intents.sub;
import static org.assertj.core.api.Assertions.assertThat;

class OpenconfigDriverTest {
    private static final String PORT = "/nc:config/oc:interfaces/oc:interface";
    private static final String SUB = PORT + "/oc:subinterfaces/oc:subinterface";
    private final Driver driver = new OpenconfigDriver();

    @Test
    void putFollowsOpenconfigInterfacesVlanAndIp() {
        SubInterface s = sub("Ethernet1", 100, 1500, "conn-1", "172.16.0.1/31", "2001:db8::1/127");
        XmlAssert x = XmlAssert.config(driver.render(List.of(put(s))));

        x.one("/nc:config/oc:interfaces")
                .one(PORT + "[oc:name='Ethernet1']")
                .keysFirst(PORT, "name")
                .one(SUB + "[oc:index='100'][@nc:operation='replace']")
                .keysFirst(SUB, "index")
                .one(SUB + "/oc:config[oc:index='100'][oc:description='ensm:conn-1'][oc:enabled='true']")
                .one(SUB + "/ocvlan:vlan/ocvlan:match/ocvlan:single-tagged/ocvlan:config/ocvlan:vlan-id[.='100']")
                .none(SUB + "/ocvlan:vlan/ocvlan:config")
                .one(SUB + "/ocip:ipv4/ocip:addresses/ocip:address[ocip:ip='172.16.0.1']"
                        + "/ocip:config[ocip:ip='172.16.0.1'][ocip:prefix-length='31']")
                .keysFirst(SUB + "/ocip:ipv4/ocip:addresses/ocip:address", "ip")
                .one(SUB + "/ocip:ipv4/ocip:config/ocip:mtu[.='1500']")
                .one(SUB + "/ocip:ipv6/ocip:addresses/ocip:address[ocip:ip='2001:db8::1']"
                        + "/ocip:config[ocip:ip='2001:db8::1'][ocip:prefix-length='127']")
                .one(SUB + "/ocip:ipv6/ocip:config/ocip:mtu[.='1500']");
        // The parent port is only the path: its name, nothing of its own configuration.
        assertThat(x.childNames(PORT)).containsExactly("name", "subinterfaces");
    }

    @Test
    void batchNestsEachPortsChangesUnderOnePortEntry() {
        XmlAssert x = XmlAssert.config(driver.render(List.of(
                put(sub("Ethernet1", 100, 1500, "a", "172.16.0.1/31")),
                put(sub("Ethernet2", 100, 1500, "b", "172.16.0.3/31")),
                remove("Ethernet1", 300),
                put(sub("Ethernet1", 101, 1500, "c", "172.16.0.5/31")))));

        x.one("/nc:config/oc:interfaces").none("/nc:config/*[2]");
        assertThat(x.nodes(PORT + "/oc:name")).extracting(Element::getTextContent).containsExactly("Ethernet1", "Ethernet2");
        assertThat(x.count(PORT + "[oc:name='Ethernet1']/oc:subinterfaces")).isEqualTo(1);
        assertThat(x.nodes(PORT + "[oc:name='Ethernet1']/oc:subinterfaces/oc:subinterface/oc:index"))
                .extracting(Element::getTextContent).containsExactly("100", "300", "101");
        x.one(SUB + "[@nc:operation='remove'][oc:index='300'][count(*)=1]");
    }

    @Test
    void removalDeletesTheSubinterfaceOnlyNeverThePort() {
        XmlAssert x = XmlAssert.config(driver.render(List.of(remove(sub("Ethernet1", 100, 1500, "c", "172.16.0.1/31")))));
        x.none(PORT + "[@nc:operation]").none("//*[@nc:operation!='remove']")
                .one(SUB + "[@nc:operation='remove'][oc:index='100']");
        assertThat(x.childNames(SUB)).containsExactly("index");
    }

    @Test
    void readFilterSelectsSubinterfacesOfThePortsOrOfAll() {
        XmlAssert some = XmlAssert.config(driver.readFilter(List.of("Ethernet1", "et-0/0/2")));
        assertThat(some.nodes(PORT + "/oc:name")).extracting(Element::getTextContent).containsExactly("Ethernet1", "et-0/0/2");
        some.one(PORT + "[oc:name='Ethernet1']/oc:subinterfaces[not(*)]");

        XmlAssert all = XmlAssert.config(driver.readFilter(List.of()));
        all.one(PORT + "[oc:name[not(node())]][oc:subinterfaces[not(*)]]");
    }

    @Test
    void parsesAReplyWithForeignSubinterfacesAndTheUntaggedOne() {
        List<FoundSubInterface> found = driver.parse(resource("replies/openconfig-get-config.xml"));

        assertThat(found).extracting(FoundSubInterface::name).containsExactly("Ethernet1.100", "Ethernet1.7");
        assertThat(found.get(0).marker()).contains("conn-9");
        assertThat(found.get(0).state()).isEqualTo(sub("Ethernet1", 100, 1500, "conn-9", "172.16.0.9/31", "2001:db8::9/127"));
        FoundSubInterface foreign = found.get(1);
        assertThat(foreign.marker()).isEmpty();
        // The older openconfig-vlan form is read too; the index (7) and the VLAN (207) differ.
        assertThat(foreign.state()).isEqualTo(sub("Ethernet1", 207, 9000, "", "198.51.100.1/30"));
    }

    @Test
    void parseReportsAMarkedSubinterfaceWhoseVlanWasRemoved() {
        String data = """
                <interfaces xmlns="http://openconfig.net/yang/interfaces"><interface><name>Ethernet3</name>
                  <subinterfaces><subinterface><index>55</index>
                    <config><index>55</index><description>ensm:gone</description></config>
                  </subinterface></subinterfaces></interface></interfaces>""";
        FoundSubInterface f = driver.parse(data).getFirst();

        assertThat(f.name()).isEqualTo("Ethernet3.55");
        assertThat(f.state()).isEqualTo(new SubInterface("Ethernet3", VlanId.NONE, List.of(), 0, "gone"));
    }

    private static String resource(String name) {
        try (InputStream in = OpenconfigDriverTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
