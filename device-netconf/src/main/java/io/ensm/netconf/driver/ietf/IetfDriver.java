package io.ensm.netconf.driver.ietf;

import io.ensm.netconf.driver.Change;
import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.DriverInputs;
import io.ensm.netconf.driver.FoundSubInterface;
import io.ensm.netconf.driver.SubInterface;
import io.ensm.netconf.driver.xml.XmlReader;
import io.ensm.netconf.driver.xml.XmlWriter;
import org.onosproject.net.host.InterfaceIpAddress;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The IETF models: ietf-interfaces (RFC 7223, 2014-05-08), ietf-ip (RFC 7277, 2014-06-16),
 * iana-if-type, the sub-interfaces of the ietf-if-extensions draft (2019-11-04) and ensm's own
 * ensm-if-vlan-encapsulation module, modelled on the IETF sub-interface VLAN draft, for the
 * 802.1Q tag. A sub-interface is a top-level interface named {@code <parent>.<vlan>}.
 */
public final class IetfDriver implements Driver {
    public static final String NAME = "ietf";

    static final String IF_NS = "urn:ietf:params:xml:ns:yang:ietf-interfaces";
    static final String IF_EXT_NS = "urn:ietf:params:xml:ns:yang:ietf-if-extensions";
    static final String IP_NS = "urn:ietf:params:xml:ns:yang:ietf-ip";
    static final String VLAN_NS = "urn:ensm:params:xml:ns:yang:ensm-if-vlan-encapsulation";

    /** Letters, digits and {@code _ / : -}; no dot, which separates the VLAN in the sub-interface name. */
    private static final Pattern PORT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_/:-]{0,62}");

    @Override
    public String name() {
        return NAME;
    }

    /** ietf-interfaces and its extensions have no VXLAN termination; the box is reached over VLANs. */
    @Override
    public boolean terminatesVxlan() {
        return false;
    }

    @Override
    public void checkPortName(String portName) {
        if (portName == null || !PORT.matcher(portName).matches()) {
            throw new IllegalArgumentException("'" + portName + "' is not an interface name for the ietf driver:"
                    + " 1-63 letters, digits or _ / : - (no dot), such as eth1");
        }
    }

    @Override
    public String render(List<Change> changes) {
        XmlWriter x = new XmlWriter().open(IF_NS, "interfaces");
        for (Change change : DriverInputs.changes(this, changes)) {
            switch (change) {
                case Change.Put p -> put(x, p.wanted());
                case Change.Remove r -> x.open("interface").operation("remove")
                        .leaf("name", subInterfaceName(r.existing().parentPort(), r.existing().vlan()))
                        .close();
            }
        }
        return x.close().toXml();
    }

    private void put(XmlWriter x, SubInterface s) {
        // replace, not merge: an address someone added by hand is removed, not kept beside ours.
        x.open("interface").operation("replace")
                .leaf("name", subInterfaceName(s.parentPort(), s.vlan()))
                .leaf("description", s.marker())
                .open("type").prefix("if-ext", IF_EXT_NS).text("if-ext:ethSubInterface").close()
                .leaf("enabled", "true")
                .leaf(IF_EXT_NS, "parent-interface", s.parentPort())
                .open(IF_EXT_NS, "encapsulation")
                .open(VLAN_NS, "dot1q-vlan").open("outer-tag")
                .leaf("tag-type", "c-vlan")
                .leaf("vlan-id", Short.toString(s.vlan().toShort()))
                .close().close().close();
        if (s.writesIpv4()) {
            family(x, "ipv4", s.mtu(), s.ipv4());
        }
        if (s.writesIpv6()) {
            family(x, "ipv6", s.mtu(), s.ipv6());
        }
        x.close();
    }

    private static void family(XmlWriter x, String family, int mtu, List<InterfaceIpAddress> addresses) {
        x.open(IP_NS, family).leaf("mtu", Integer.toString(mtu));
        for (InterfaceIpAddress a : addresses) {
            x.open("address")
                    .leaf("ip", a.ipAddress().toString())
                    .leaf("prefix-length", Integer.toString(a.subnetAddress().prefixLength()))
                    .close();
        }
        x.close();
    }

    /**
     * Sub-interfaces are top-level interfaces, so the filter matches on their parent-interface
     * leaf; with no ports it reads every interface and {@link #parse} keeps the sub-interfaces.
     */
    @Override
    public String readFilter(Collection<String> parentPorts) {
        Set<String> ports = DriverInputs.ports(this, parentPorts);
        XmlWriter x = new XmlWriter().open(IF_NS, "interfaces");
        for (String port : ports) {
            x.open("interface").leaf(IF_EXT_NS, "parent-interface", port).close();
        }
        return x.close().toXml();
    }

    /** Each sub-interface by its key, the name: the reply holds just these entries. */
    @Override
    public String readBackFilter(List<Change> changes) {
        XmlWriter x = new XmlWriter().open(IF_NS, "interfaces");
        Set<String> names = new LinkedHashSet<>();
        for (Change change : DriverInputs.changes(this, changes)) {
            SubInterface s = change.subInterface();
            names.add(subInterfaceName(s.parentPort(), s.vlan()));
        }
        names.forEach(n -> x.open("interface").leaf("name", n).close());
        return x.close().toXml();
    }

    @Override
    public List<FoundSubInterface> parse(String dataXml) {
        return IetfReader.parse(dataXml);
    }

    @Override
    public String portDescriptionFilter(String port) {
        checkPortName(port);
        return new XmlWriter().open(IF_NS, "interfaces").open("interface").leaf("name", port).empty("description")
                .close().close().toXml();
    }

    @Override
    public Optional<String> portDescription(String dataXml, String port) {
        return XmlReader.outermost(XmlReader.parse(dataXml), IF_NS, "interface").stream()
                .filter(i -> XmlReader.text(i, IF_NS, "name").filter(port::equals).isPresent())
                .findFirst().flatMap(i -> XmlReader.child(i, IF_NS, "description")).map(d -> d.getTextContent());
    }

    @Override
    public String renderPortDescription(String port, String description) {
        checkPortName(port);
        return new XmlWriter().open(IF_NS, "interfaces").open("interface").leaf("name", port).leaf("description", description)
                .close().close().toXml();
    }
}
