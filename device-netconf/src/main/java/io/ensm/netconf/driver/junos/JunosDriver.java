package io.ensm.netconf.driver.junos;

import io.ensm.netconf.driver.Change;
import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.DriverInputs;
import io.ensm.netconf.driver.FoundSubInterface;
import io.ensm.netconf.driver.SubInterface;
import io.ensm.netconf.driver.VxlanChange;
import io.ensm.netconf.driver.VxlanState;
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
 * Junos configuration in its XML API form:
 * {@code configuration/interfaces/interface[name]/unit[name]} with {@code description},
 * {@code vlan-id} and {@code family/inet} / {@code family/inet6} ({@code mtu},
 * {@code address/name} as {@code a.b.c.d/len}). The unit number is the VLAN id. The port's
 * {@code vlan-tagging} is the operator's configuration: ensm neither writes nor removes it.
 *
 * <p>Elements carry no namespace: inside an edit-config they take the NETCONF one, as Junos's own
 * examples write them, and replies are read by local name whatever namespace Junos gives them.
 * The operation attribute is unqualified, as the Junos NETCONF guide writes it.
 */
public final class JunosDriver implements Driver {
    public static final String NAME = "junos";

    /** type-fpc/pic/port with an optional channel ({@code ge-0/0/1}, {@code xe-1/0/0:2}), or an aggregate ({@code ae0}, {@code reth1}). */
    private static final Pattern PORT = Pattern.compile("[a-z]{2,4}-\\d{1,3}/\\d{1,3}/\\d{1,3}(:\\d{1,3})?|(ae|reth)\\d{1,4}");

    @Override
    public String name() {
        return NAME;
    }

    /** The namespace of {@code configuration}, or null for unqualified elements as a Junos box takes them. */
    private final String namespace;

    /** The driver for Junos boxes: unqualified elements, unqualified operation attribute. */
    public JunosDriver() {
        this(null);
    }

    /**
     * A driver writing the same statements with {@code configuration} in {@code namespace} and the
     * operation attribute in the NETCONF namespace: for a server that validates them against a
     * module of that namespace (the test bed's ensm-junos-vxlan), not for Junos; the netconf
     * backend's {@code configuration-namespace} setting chooses it.
     */
    public JunosDriver(String namespace) {
        this.namespace = namespace;
    }

    private XmlWriter root(XmlWriter x) {
        return namespace == null ? x.open("configuration") : x.open(namespace, "configuration");
    }

    private XmlWriter operation(XmlWriter x, String operation) {
        return namespace == null ? x.attribute("operation", operation) : x.operation(operation);
    }

    /** Junos static VXLAN (vlans/vlan/vxlan with static remote VTEPs, {@link JunosVxlan}). */
    @Override
    public boolean terminatesVxlan() {
        return true;
    }

    @Override
    public String renderVxlan(List<VxlanChange> changes) {
        return JunosVxlan.render(changes, this::root, this::operation);
    }

    @Override
    public String vxlanReadFilter() {
        return JunosVxlan.readFilter(this::root);
    }

    @Override
    public VxlanState parseVxlan(String dataXml) {
        return JunosVxlan.parse(dataXml);
    }

    @Override
    public void checkPortName(String portName) {
        if (portName == null || !PORT.matcher(portName).matches()) {
            throw new IllegalArgumentException("'" + portName + "' is not a Junos physical interface name:"
                    + " type-fpc/pic/port such as ge-0/0/1 or xe-1/0/0:2, or an aggregate such as ae0");
        }
    }

    @Override
    public String render(List<Change> changes) {
        Map<String, List<Change>> byParent = DriverInputs.byParent(DriverInputs.changes(this, changes));
        XmlWriter x = root(new XmlWriter()).open("interfaces");
        for (Map.Entry<String, List<Change>> port : byParent.entrySet()) {
            x.open("interface").leaf("name", port.getKey());
            for (Change change : port.getValue()) {
                switch (change) {
                    case Change.Put p -> put(x, p.wanted());
                    case Change.Remove r -> operation(x.open("unit"), "delete")
                            .leaf("name", unit(r.existing()))
                            .close();
                }
            }
            x.close();
        }
        return x.close().close().toXml();
    }

    private static String unit(SubInterface s) {
        return Short.toString(s.vlan().toShort());
    }

    private void put(XmlWriter x, SubInterface s) {
        operation(x.open("unit"), "replace")
                .leaf("name", unit(s))
                .leaf("description", s.marker())
                .leaf("vlan-id", unit(s))
                .open("family");
        if (s.writesIpv4()) {
            family(x, "inet", s.mtu(), s.ipv4());
        }
        if (s.writesIpv6()) {
            family(x, "inet6", s.mtu(), s.ipv6());
        }
        x.close().close();
    }

    private static void family(XmlWriter x, String family, int mtu, List<InterfaceIpAddress> addresses) {
        x.open(family).leaf("mtu", Integer.toString(mtu));
        for (InterfaceIpAddress a : addresses) {
            x.open("address").leaf("name", a.ipAddress() + "/" + a.subnetAddress().prefixLength()).close();
        }
        x.close();
    }

    /** Whole port entries (units and all); with no ports, the whole interfaces hierarchy. */
    @Override
    public String readFilter(Collection<String> parentPorts) {
        Set<String> ports = DriverInputs.ports(this, parentPorts);
        XmlWriter x = root(new XmlWriter()).open("interfaces");
        for (String port : ports) {
            x.open("interface").leaf("name", port).close();
        }
        return x.close().close().toXml();
    }

    @Override
    public List<FoundSubInterface> parse(String dataXml) {
        return JunosReader.parse(dataXml);
    }

    @Override
    public String portDescriptionFilter(String port) {
        checkPortName(port);
        return root(new XmlWriter()).open("interfaces").open("interface").leaf("name", port).empty("description")
                .close().close().close().toXml();
    }

    @Override
    public Optional<String> portDescription(String dataXml, String port) {
        return XmlReader.outermost(XmlReader.parse(dataXml), null, "interface").stream()
                .filter(i -> XmlReader.text(i, null, "name").filter(port::equals).isPresent())
                .findFirst().flatMap(i -> XmlReader.child(i, null, "description")).map(d -> d.getTextContent());
    }

    @Override
    public String renderPortDescription(String port, String description) {
        checkPortName(port);
        return root(new XmlWriter()).open("interfaces").open("interface").leaf("name", port)
                .leaf("description", description).close().close().close().toXml();
    }
}
