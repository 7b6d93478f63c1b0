package io.ensm.netconf.driver.openconfig;

import io.ensm.netconf.driver.FoundSubInterface;
import io.ensm.netconf.driver.Marker;
import io.ensm.netconf.driver.Readback;
import io.ensm.netconf.driver.SubInterface;
import io.ensm.netconf.driver.xml.XmlReader;
import org.onlab.packet.VlanId;
import org.onosproject.net.host.InterfaceIpAddress;
import org.w3c.dom.Element;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static io.ensm.netconf.driver.openconfig.OpenconfigDriver.IF_NS;
import static io.ensm.netconf.driver.openconfig.OpenconfigDriver.IP_NS;
import static io.ensm.netconf.driver.openconfig.OpenconfigDriver.VLAN_NS;

/**
 * Reads subinterfaces back from openconfig-interfaces data: those with a VLAN (either form of
 * openconfig-vlan), or ensm's marker. Subinterface 0 without a VLAN is the port's own untagged
 * layer 3 and is not reported.
 */
final class OpenconfigReader {

    private OpenconfigReader() {}

    static List<FoundSubInterface> parse(String dataXml) {
        List<FoundSubInterface> found = new ArrayList<>();
        for (Element interfaces : XmlReader.outermost(XmlReader.parse(dataXml), IF_NS, "interfaces")) {
            for (Element port : XmlReader.children(interfaces, IF_NS, "interface")) {
                Optional<String> portName = XmlReader.text(port, IF_NS, "name");
                if (portName.isEmpty()) {
                    continue;
                }
                for (Element sub : XmlReader.path(port, IF_NS, "subinterfaces")
                        .map(s -> XmlReader.children(s, IF_NS, "subinterface")).orElse(List.of())) {
                    read(portName.get(), sub).ifPresent(found::add);
                }
            }
        }
        return found;
    }

    private static Optional<FoundSubInterface> read(String port, Element sub) {
        Optional<String> index = XmlReader.text(sub, IF_NS, "index")
                .or(() -> XmlReader.path(sub, IF_NS, "config", "index").map(XmlReader::text));
        Optional<Marker.Mark> mark = Marker.read(
                XmlReader.path(sub, IF_NS, "config", "description").map(XmlReader::text).orElse(null));
        Optional<String> marker = mark.map(Marker.Mark::connectionId);
        Optional<String> vlanText = vlanId(sub);
        if (index.isEmpty() || (vlanText.isEmpty() && marker.isEmpty())) {
            return Optional.empty();
        }
        VlanId vlan = Readback.vlan(vlanText);
        Optional<Element> ipv4 = XmlReader.child(sub, IP_NS, "ipv4");
        Optional<Element> ipv6 = XmlReader.child(sub, IP_NS, "ipv6");
        List<InterfaceIpAddress> addresses = new ArrayList<>();
        ipv4.ifPresent(f -> addresses.addAll(addresses(f)));
        ipv6.ifPresent(f -> addresses.addAll(addresses(f)));
        int mtu = Readback.mtu(mtu(ipv4), mtu(ipv6));
        SubInterface state = new SubInterface(port, vlan, addresses, mtu, marker.orElse(""),
                mark.map(Marker.Mark::owner).orElse(""));
        return Optional.of(new FoundSubInterface(port + "." + index.get(), state, marker));
    }

    /** openconfig-vlan 3.1.0 and later: match/single-tagged; before: the now deprecated vlan/config/vlan-id. */
    private static Optional<String> vlanId(Element sub) {
        Optional<Element> vlan = XmlReader.child(sub, VLAN_NS, "vlan");
        return vlan.flatMap(v -> XmlReader.path(v, VLAN_NS, "match", "single-tagged", "config", "vlan-id"))
                .or(() -> vlan.flatMap(v -> XmlReader.path(v, VLAN_NS, "config", "vlan-id")))
                .map(XmlReader::text);
    }

    private static OptionalInt mtu(Optional<Element> family) {
        return family.flatMap(f -> XmlReader.path(f, IP_NS, "config", "mtu"))
                .map(e -> Readback.integer(Optional.of(XmlReader.text(e))))
                .orElse(OptionalInt.empty());
    }

    private static List<InterfaceIpAddress> addresses(Element family) {
        List<InterfaceIpAddress> list = new ArrayList<>();
        for (Element a : XmlReader.path(family, IP_NS, "addresses")
                .map(e -> XmlReader.children(e, IP_NS, "address")).orElse(List.of())) {
            Optional<Element> config = XmlReader.child(a, IP_NS, "config");
            Optional<String> ip = config.flatMap(c -> XmlReader.text(c, IP_NS, "ip"))
                    .or(() -> XmlReader.text(a, IP_NS, "ip"));
            Optional<String> length = config.flatMap(c -> XmlReader.text(c, IP_NS, "prefix-length"));
            Readback.address(ip, length).ifPresent(list::add);
        }
        return list;
    }
}
