package io.ensm.netconf.driver.ietf;

import io.ensm.netconf.driver.FoundSubInterface;
import io.ensm.netconf.driver.Marker;
import io.ensm.netconf.driver.Readback;
import io.ensm.netconf.driver.SubInterface;
import io.ensm.netconf.driver.xml.XmlReader;
import org.onlab.packet.IpAddress;
import org.onlab.packet.VlanId;
import org.onosproject.net.host.InterfaceIpAddress;
import org.w3c.dom.Element;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static io.ensm.netconf.driver.ietf.IetfDriver.IF_EXT_NS;
import static io.ensm.netconf.driver.ietf.IetfDriver.IF_NS;
import static io.ensm.netconf.driver.ietf.IetfDriver.IP_NS;
import static io.ensm.netconf.driver.ietf.IetfDriver.VLAN_NS;

/** Reads sub-interfaces back from ietf-interfaces data: every interface with a parent-interface, or ensm's marker. */
final class IetfReader {

    private IetfReader() {}

    static List<FoundSubInterface> parse(String dataXml) {
        List<FoundSubInterface> found = new ArrayList<>();
        for (Element interfaces : XmlReader.outermost(XmlReader.parse(dataXml), IF_NS, "interfaces")) {
            for (Element entry : XmlReader.children(interfaces, IF_NS, "interface")) {
                read(entry).ifPresent(found::add);
            }
        }
        return found;
    }

    private static Optional<FoundSubInterface> read(Element entry) {
        Optional<String> name = XmlReader.text(entry, IF_NS, "name");
        Optional<Marker.Mark> mark = Marker.read(XmlReader.text(entry, IF_NS, "description").orElse(null));
        Optional<String> marker = mark.map(Marker.Mark::connectionId);
        Optional<String> parent = XmlReader.text(entry, IF_EXT_NS, "parent-interface");
        if (name.isEmpty() || (parent.isEmpty() && marker.isEmpty())) {
            return Optional.empty();
        }
        VlanId vlan = Readback.vlan(XmlReader.path(entry, IF_EXT_NS, "encapsulation")
                .flatMap(e -> XmlReader.path(e, VLAN_NS, "dot1q-vlan", "outer-tag", "vlan-id"))
                .map(XmlReader::text));
        Optional<Element> ipv4 = XmlReader.child(entry, IP_NS, "ipv4");
        Optional<Element> ipv6 = XmlReader.child(entry, IP_NS, "ipv6");
        List<InterfaceIpAddress> addresses = new ArrayList<>();
        ipv4.ifPresent(f -> addresses.addAll(addresses(f)));
        ipv6.ifPresent(f -> addresses.addAll(addresses(f)));
        int mtu = Readback.mtu(mtu(ipv4), mtu(ipv6));
        SubInterface state = new SubInterface(parent.orElse(""), vlan, addresses, mtu, marker.orElse(""),
                mark.map(Marker.Mark::owner).orElse(""));
        return Optional.of(new FoundSubInterface(name.get(), state, marker));
    }

    private static OptionalInt mtu(Optional<Element> family) {
        return family.map(f -> Readback.integer(XmlReader.text(f, IP_NS, "mtu"))).orElse(OptionalInt.empty());
    }

    private static List<InterfaceIpAddress> addresses(Element family) {
        List<InterfaceIpAddress> list = new ArrayList<>();
        for (Element a : XmlReader.children(family, IP_NS, "address")) {
            Optional<String> ip = XmlReader.text(a, IP_NS, "ip");
            Optional<String> length = XmlReader.text(a, IP_NS, "prefix-length")
                    .or(() -> XmlReader.text(a, IP_NS, "netmask").flatMap(IetfReader::maskLength));
            Readback.address(ip, length).ifPresent(list::add);
        }
        return list;
    }

    /** ietf-ip lets IPv4 addresses carry a dotted netmask instead of a prefix length. */
    private static Optional<String> maskLength(String netmask) {
        try {
            IpAddress mask = IpAddress.valueOf(netmask);
            int length = 0;
            boolean ended = false;
            for (byte b : mask.toOctets()) {
                for (int bit = 7; bit >= 0; bit--) {
                    boolean set = (b >> bit & 1) == 1;
                    if (set && ended) {
                        return Optional.empty();
                    }
                    if (set) {
                        length++;
                    } else {
                        ended = true;
                    }
                }
            }
            return Optional.of(Integer.toString(length));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
