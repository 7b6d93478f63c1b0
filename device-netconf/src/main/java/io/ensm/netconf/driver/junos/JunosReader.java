package io.ensm.netconf.driver.junos;

import io.ensm.netconf.driver.FoundSubInterface;
import io.ensm.netconf.driver.Marker;
import io.ensm.netconf.driver.Readback;
import io.ensm.netconf.driver.SubInterface;
import io.ensm.netconf.driver.xml.XmlReader;
import org.onosproject.net.host.InterfaceIpAddress;
import org.w3c.dom.Element;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads units back from a Junos configuration: units with a vlan-id, or ensm's marker. Unit 0
 * without a vlan-id is the port's untagged unit and is not reported. Names are matched whatever
 * their namespace, since Junos qualifies replies with a release-dependent one.
 */
final class JunosReader {

    private JunosReader() {}

    static List<FoundSubInterface> parse(String dataXml) {
        List<FoundSubInterface> found = new ArrayList<>();
        for (Element configuration : XmlReader.outermost(XmlReader.parse(dataXml), null, "configuration")) {
            // Only the top-level interfaces hierarchy: class-of-service, protocols and groups have
            // "interfaces" and "interface" elements of their own.
            for (Element interfaces : XmlReader.children(configuration, null, "interfaces")) {
                for (Element port : XmlReader.children(interfaces, null, "interface")) {
                    Optional<String> portName = XmlReader.text(port, null, "name");
                    if (portName.isEmpty()) {
                        continue;
                    }
                    for (Element unit : XmlReader.children(port, null, "unit")) {
                        read(portName.get(), unit).ifPresent(found::add);
                    }
                }
            }
        }
        return found;
    }

    private static Optional<FoundSubInterface> read(String port, Element unit) {
        Optional<String> number = XmlReader.text(unit, null, "name");
        Optional<Marker.Mark> mark = Marker.read(XmlReader.text(unit, null, "description").orElse(null));
        Optional<String> marker = mark.map(Marker.Mark::connectionId);
        Optional<String> vlanText = XmlReader.text(unit, null, "vlan-id");
        if (number.isEmpty() || (vlanText.isEmpty() && marker.isEmpty())) {
            return Optional.empty();
        }
        Optional<Element> inet = XmlReader.path(unit, null, "family", "inet");
        Optional<Element> inet6 = XmlReader.path(unit, null, "family", "inet6");
        List<InterfaceIpAddress> addresses = new ArrayList<>();
        inet.ifPresent(f -> addresses.addAll(addresses(f)));
        inet6.ifPresent(f -> addresses.addAll(addresses(f)));
        int mtu = Readback.mtu(mtu(inet), mtu(inet6));
        SubInterface state = new SubInterface(port, Readback.vlan(vlanText), addresses, mtu, marker.orElse(""),
                mark.map(Marker.Mark::owner).orElse(""));
        return Optional.of(new FoundSubInterface(port + "." + number.get(), state, marker));
    }

    private static OptionalInt mtu(Optional<Element> family) {
        return family.map(f -> Readback.integer(XmlReader.text(f, null, "mtu"))).orElse(OptionalInt.empty());
    }

    private static List<InterfaceIpAddress> addresses(Element family) {
        List<InterfaceIpAddress> list = new ArrayList<>();
        for (Element a : XmlReader.children(family, null, "address")) {
            XmlReader.text(a, null, "name").flatMap(Readback::address).ifPresent(list::add);
        }
        return list;
    }
}
