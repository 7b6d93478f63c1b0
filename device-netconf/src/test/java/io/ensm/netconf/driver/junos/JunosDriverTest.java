package io.ensm.netconf.driver.junos;

import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.FoundSubInterface;
import io.ensm.netconf.driver.SubInterface;
import io.ensm.netconf.driver.XmlAssert;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.ensm.netconf.driver.Intents.put;
import static io.ensm.netconf.driver.Intents.remove;
import static io.ensm.netconf.driver.Intents.sub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JunosDriverTest {
    private static final String PORT = "/nc:config/configuration/interfaces/interface";
    private static final String UNIT = PORT + "/unit";
    private final Driver driver = new JunosDriver();

    @Test
    void putFollowsTheJunosInterfacesHierarchy() {
        SubInterface s = sub("ge-0/0/1", 100, 1500, "conn-1", "172.16.0.1/31", "2001:db8::1/127");
        XmlAssert x = XmlAssert.config(driver.render(List.of(put(s))));

        x.one("/nc:config/configuration/interfaces")
                .one(PORT + "[name='ge-0/0/1']")
                .keysFirst(PORT, "name")
                .one(UNIT + "[name='100'][@operation='replace']")
                .keysFirst(UNIT, "name")
                .one(UNIT + "[description='ensm:conn-1'][vlan-id='100']")
                .one(UNIT + "/family/inet[mtu='1500']/address/name[.='172.16.0.1/31']")
                .one(UNIT + "/family/inet6[mtu='1500']/address/name[.='2001:db8::1/127']")
                .none("//*[namespace-uri() != '' and local-name() != 'config']");
        // vlan-tagging on the port is the operator's: ensm writes only the path to its unit.
        assertThat(x.childNames(PORT)).containsExactly("name", "unit");
        assertThat(x.childNames(UNIT)).containsExactly("name", "description", "vlan-id", "family");
    }

    @Test
    void batchNestsEachPortsUnitsUnderOnePortEntry() {
        XmlAssert x = XmlAssert.config(driver.render(List.of(
                put(sub("ge-0/0/1", 100, 1500, "a", "172.16.0.1/31")),
                remove("ae0", 300),
                put(sub("ge-0/0/1", 101, 1500, "b", "172.16.0.3/31")),
                remove("ge-0/0/1", 102))));

        x.one("/nc:config/configuration/interfaces").none("/nc:config/*[2]");
        assertThat(x.nodes(PORT + "/name")).extracting(Element::getTextContent).containsExactly("ge-0/0/1", "ae0");
        assertThat(x.nodes(PORT + "[name='ge-0/0/1']/unit/name")).extracting(Element::getTextContent)
                .containsExactly("100", "101", "102");
        x.one(PORT + "[name='ae0']/unit[@operation='delete'][name='300'][count(*)=1]")
                .one(PORT + "[name='ge-0/0/1']/unit[@operation='delete'][name='102'][count(*)=1]");
    }

    @Test
    void removalDeletesTheUnitOnlyNeverThePort() {
        XmlAssert x = XmlAssert.config(driver.render(List.of(remove(sub("xe-1/0/0:2", 100, 1500, "c", "172.16.0.1/31")))));
        x.none(PORT + "[@operation]").one(UNIT + "[@operation='delete'][name='100']");
        assertThat(x.childNames(UNIT)).containsExactly("name");
    }

    @Test
    void readFilterSelectsWholePortsOrTheInterfacesHierarchy() {
        XmlAssert some = XmlAssert.config(driver.readFilter(List.of("ge-0/0/1", "ae0")));
        assertThat(some.nodes(PORT + "/name")).extracting(Element::getTextContent).containsExactly("ge-0/0/1", "ae0");
        assertThat(some.childNames(PORT + "[1]")).containsExactly("name");

        XmlAssert.config(driver.readFilter(List.of())).one("/nc:config/configuration/interfaces[not(*)]");
    }

    @Test
    void parsesAReplyWithForeignUnitsAndOtherHierarchies() {
        List<FoundSubInterface> found = driver.parse(resource("replies/junos-get-config.xml"));

        assertThat(found).extracting(FoundSubInterface::name).containsExactly("ge-0/0/1.100", "ge-0/0/1.200");
        assertThat(found.get(0).marker()).contains("conn-4");
        assertThat(found.get(0).state()).isEqualTo(sub("ge-0/0/1", 100, 1500, "conn-4", "172.16.0.4/31", "2001:db8::4/127"));
        FoundSubInterface foreign = found.get(1);
        assertThat(foreign.marker()).isEmpty();
        assertThat(foreign.state()).isEqualTo(sub("ge-0/0/1", 200, 0, "", "198.51.100.1/30"));
    }

    @Test
    void acceptsJunosPortNamesOnly() {
        for (String ok : List.of("ge-0/0/1", "xe-1/0/0:2", "et-0/0/48", "mge-0/0/3", "ae0", "ae12", "reth1")) {
            driver.checkPortName(ok);
        }
        for (String bad : List.of("eth1", "ge-0/0/1.100", "ge-0/0", "GE-0/0/1", "ae", "lo0 ")) {
            assertThatThrownBy(() -> driver.checkPortName(bad)).as(bad)
                    .hasMessageContaining("is not a Junos physical interface name");
        }
    }

    private static String resource(String name) {
        try (InputStream in = JunosDriverTest.class.getClassLoader().getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static io.ensm.netconf.driver.VxlanNetwork network(String id, int vni, int vlan, String node) {
        org.onlab.packet.IpAddress box = org.onlab.packet.IpAddress.valueOf("10.80.0.0");
        return new io.ensm.netconf.driver.VxlanNetwork(vni, org.onlab.packet.VlanId.vlanId((short) vlan), List.of(node), true,
                List.of(new org.onosproject.net.host.InterfaceIpAddress(box, org.onlab.packet.IpPrefix.valueOf(box, 31))), 1450, id, "ensm-a");
    }

    @Test
    void vxlanPutIsTheJunosStaticVxlanStatementsUnqualifiedWithTheNodeInTheGlobalList() {
        XmlAssert x = XmlAssert.config(driver.renderVxlan(List.of(
                new io.ensm.netconf.driver.VxlanChange.Put(network("conn-1", 5001, 101, "198.51.100.7")))));
        String vlan = "/nc:config/configuration/vlans/vlan";
        x.one(vlan + "[name='ensm-vni-5001'][@operation='replace'][description='ensm@ensm-a:conn-1'][vlan-id='101'][l3-interface='irb.101']")
                .one(vlan + "/vxlan[vni='5001'][ingress-node-replication][static-remote-vtep-list='198.51.100.7']")
                .one("/nc:config/configuration/interfaces/interface[name='irb']/unit[name='101'][@operation='replace']"
                        + "[description='ensm@ensm-a:conn-1']/family/inet[mtu='1450']/address[name='10.80.0.0/31']")
                .one("/nc:config/configuration/switch-options[count(*)=1]/remote-vtep-list[.='198.51.100.7'][not(@*)]")
                .none("//*[namespace-uri() != '' and local-name() != 'config']")
                .none("//switch-options/vtep-source-interface");
        assertThat(x.childNames(vlan)).containsExactly("name", "description", "vlan-id", "l3-interface", "vxlan");
    }

    @Test
    void vxlanRemoveDeletesTheVlanAndUnitAndOnlyTheGlobalEntriesItIsTold() {
        var key = network("conn-1", 5001, 101, "198.51.100.7");
        XmlAssert keep = XmlAssert.config(driver.renderVxlan(List.of(new io.ensm.netconf.driver.VxlanChange.Remove(key, List.of()))));
        keep.one("/nc:config/configuration/vlans/vlan[@operation='delete'][name='ensm-vni-5001'][count(*)=1]")
                .one("/nc:config/configuration/interfaces/interface[name='irb']/unit[@operation='delete'][name='101'][count(*)=1]")
                .none("//switch-options");
        XmlAssert drop = XmlAssert.config(driver.renderVxlan(List.of(
                new io.ensm.netconf.driver.VxlanChange.Remove(key, List.of("198.51.100.7")))));
        drop.one("/nc:config/configuration/switch-options/remote-vtep-list[@operation='delete'][.='198.51.100.7']");
    }

    @Test
    void vxlanReadsBackEqualToWhatItWroteAndRefusesBadValuesNamingTheField() {
        var n = network("conn-1", 5001, 101, "198.51.100.7");
        String data = driver.renderVxlan(List.of(new io.ensm.netconf.driver.VxlanChange.Put(n))).replaceAll(" operation=\"[a-z]+\"", "");
        var state = driver.parseVxlan(data);
        assertThat(state.find("ensm-vni-5001")).get().extracting(io.ensm.netconf.driver.FoundVxlan::state).isEqualTo(n);
        assertThat(state.remoteVteps()).containsExactly("198.51.100.7");
        assertThatThrownBy(() -> driver.renderVxlan(List.of(new io.ensm.netconf.driver.VxlanChange.Put(network("c", 16777215, 101, "198.51.100.7")))))
                .hasMessage("changes[0]: vni: 16777215 is outside 1-16777214");
        assertThatThrownBy(() -> driver.renderVxlan(List.of(new io.ensm.netconf.driver.VxlanChange.Put(network("c", 5, 101, "node-a")))))
                .hasMessage("changes[0]: remoteVteps[0]: 'node-a' is not an IPv4 address; a static remote VTEP is one");
        assertThatThrownBy(() -> new io.ensm.netconf.driver.ietf.IetfDriver().vxlanReadFilter())
                .isInstanceOf(UnsupportedOperationException.class).hasMessage("the ietf driver does not terminate VXLAN");
    }
}
