package io.ensm.netconf.driver.openconfig;

import io.ensm.netconf.driver.Change;
import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.DriverInputs;
import io.ensm.netconf.driver.FoundSubInterface;
import io.ensm.netconf.driver.SubInterface;
import io.ensm.netconf.driver.xml.XmlReader;
import io.ensm.netconf.driver.xml.XmlWriter;
import org.onosproject.net.host.InterfaceIpAddress;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * OpenConfig (openconfig/public release models): openconfig-interfaces for
 * {@code interfaces/interface[name]/subinterfaces/subinterface[index]}, openconfig-vlan 3.2.2
 * ({@code vlan/match/single-tagged/config/vlan-id}, which replaced the deprecated
 * {@code vlan/config/vlan-id} in 3.1.0) and openconfig-if-ip for addresses and MTU. The
 * subinterface index is the VLAN id; the parent interface entry is only the path to it.
 */
public final class OpenconfigDriver implements Driver {
    public static final String NAME = "openconfig";

    static final String IF_NS = "http://openconfig.net/yang/interfaces";
    static final String VLAN_NS = "http://openconfig.net/yang/vlan";
    static final String IP_NS = "http://openconfig.net/yang/interfaces/ip";

    /** Letters, digits and {@code _ / : -}; no dot, which names subinterfaces ({@code Ethernet1.100}). */
    private static final Pattern PORT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_/:-]{0,62}");

    @Override
    public String name() {
        return NAME;
    }

    /**
     * OpenConfig has VXLAN only under EVPN (openconfig-evpn), where remote VTEPs are state learned
     * through BGP (endpoint-peers is config false): no standard leaf takes a static remote VTEP, so no.
     */
    @Override
    public boolean terminatesVxlan() {
        return false;
    }

    @Override
    public void checkPortName(String portName) {
        if (portName == null || !PORT.matcher(portName).matches()) {
            throw new IllegalArgumentException("'" + portName + "' is not an interface name for the openconfig driver:"
                    + " 1-63 letters, digits or _ / : - (no dot), such as Ethernet1 or et-0/0/1");
        }
    }

    @Override
    public String render(List<Change> changes) {
        Map<String, List<Change>> byParent = DriverInputs.byParent(DriverInputs.changes(this, changes));
        XmlWriter x = new XmlWriter().open(IF_NS, "interfaces");
        for (Map.Entry<String, List<Change>> port : byParent.entrySet()) {
            // No config of the parent is written: when it is missing the box refuses the edit
            // instead of ensm creating a half-configured port.
            x.open("interface").leaf("name", port.getKey()).open("subinterfaces");
            for (Change change : port.getValue()) {
                switch (change) {
                    case Change.Put p -> put(x, p.wanted());
                    case Change.Remove r -> x.open("subinterface").operation("remove")
                            .leaf("index", index(r.existing()))
                            .close();
                }
            }
            x.close().close();
        }
        return x.close().toXml();
    }

    private static String index(SubInterface s) {
        return Short.toString(s.vlan().toShort());
    }

    private static void put(XmlWriter x, SubInterface s) {
        String index = index(s);
        x.open("subinterface").operation("replace")
                .leaf("index", index)
                .open("config")
                .leaf("index", index)
                .leaf("description", s.marker())
                .leaf("enabled", "true")
                .close()
                .open(VLAN_NS, "vlan").open("match").open("single-tagged").open("config")
                .leaf("vlan-id", index)
                .close().close().close().close();
        if (s.writesIpv4()) {
            family(x, "ipv4", s.mtu(), s.ipv4());
        }
        if (s.writesIpv6()) {
            family(x, "ipv6", s.mtu(), s.ipv6());
        }
        x.close();
    }

    private static void family(XmlWriter x, String family, int mtu, List<InterfaceIpAddress> addresses) {
        x.open(IP_NS, family);
        if (!addresses.isEmpty()) {
            x.open("addresses");
            for (InterfaceIpAddress a : addresses) {
                String ip = a.ipAddress().toString();
                x.open("address").leaf("ip", ip)
                        .open("config")
                        .leaf("ip", ip)
                        .leaf("prefix-length", Integer.toString(a.subnetAddress().prefixLength()))
                        .close().close();
            }
            x.close();
        }
        x.open("config").leaf("mtu", Integer.toString(mtu)).close();
        x.close();
    }

    /** Each port's name and subinterfaces only; with no ports, every interface's (a {@code <name/>} selection). */
    @Override
    public String readFilter(Collection<String> parentPorts) {
        Set<String> ports = DriverInputs.ports(this, parentPorts);
        XmlWriter x = new XmlWriter().open(IF_NS, "interfaces");
        if (ports.isEmpty()) {
            x.open("interface").empty("name").empty("subinterfaces").close();
        }
        for (String port : ports) {
            x.open("interface").leaf("name", port).empty("subinterfaces").close();
        }
        return x.close().toXml();
    }

    @Override
    public List<FoundSubInterface> parse(String dataXml) {
        return OpenconfigReader.parse(dataXml);
    }

    @Override
    public String portDescriptionFilter(String port) {
        checkPortName(port);
        return new XmlWriter().open(IF_NS, "interfaces").open("interface").leaf("name", port).open("config").empty("description")
                .close().close().close().toXml();
    }

    @Override
    public Optional<String> portDescription(String dataXml, String port) {
        return XmlReader.outermost(XmlReader.parse(dataXml), IF_NS, "interface").stream()
                .filter(i -> XmlReader.text(i, IF_NS, "name").filter(port::equals).isPresent())
                .findFirst().flatMap(i -> XmlReader.path(i, IF_NS, "config", "description")).map(d -> d.getTextContent());
    }

    @Override
    public String renderPortDescription(String port, String description) {
        checkPortName(port);
        return new XmlWriter().open(IF_NS, "interfaces").open("interface").leaf("name", port)
                .open("config").leaf("name", port).leaf("description", description).close()
                .close().close().toXml();
    }
}
