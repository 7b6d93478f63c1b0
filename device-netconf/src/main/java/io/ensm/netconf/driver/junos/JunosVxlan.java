package io.ensm.netconf.driver.junos;

import io.ensm.netconf.driver.FoundVxlan;
import io.ensm.netconf.driver.IntentRules;
import io.ensm.netconf.driver.Marker;
import io.ensm.netconf.driver.Readback;
import io.ensm.netconf.driver.VxlanChange;
import io.ensm.netconf.driver.VxlanNetwork;
import io.ensm.netconf.driver.VxlanState;
import io.ensm.netconf.driver.xml.XmlReader;
import io.ensm.netconf.driver.xml.XmlWriter;
import org.onosproject.net.host.InterfaceIpAddress;
import org.w3c.dom.Element;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;

/**
 * Junos static VXLAN: {@code vlans/vlan[name]} with {@code description}, {@code vlan-id},
 * {@code l3-interface irb.<vlan>} and {@code vxlan { vni; ingress-node-replication;
 * static-remote-vtep-list }}, the layer-3 unit {@code interfaces/interface[irb]/unit[<vlan>]} with
 * the box's addresses, and {@code switch-options/remote-vtep-list}, which Junos wants to hold every
 * VTEP a VLAN lists. {@code switch-options/vtep-source-interface} is the operator's.
 */
final class JunosVxlan {
    static final String IRB = "irb";

    private JunosVxlan() {}

    /** @param root opens {@code configuration} (qualified or not); {@code op} writes an operation attribute */
    static String render(List<VxlanChange> changes, Function<XmlWriter, XmlWriter> root, OperationWriter op) {
        if (changes == null || changes.isEmpty()) {
            throw new IllegalArgumentException("changes: nothing to render");
        }
        Set<String> vlans = new HashSet<>();
        for (int i = 0; i < changes.size(); i++) {
            VxlanChange c = changes.get(i);
            if (c == null) {
                throw new IllegalArgumentException("changes[" + i + "]: missing");
            }
            try {
                switch (c) {
                    case VxlanChange.Put p -> IntentRules.checkVxlanPut(p.wanted());
                    case VxlanChange.Remove r -> {
                        IntentRules.checkVxlanKey(r.existing());
                        for (int j = 0; j < r.dropVteps().size(); j++) {
                            IntentRules.checkVtep("dropVteps[" + j + "]", r.dropVteps().get(j));
                        }
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("changes[" + i + "]: " + e.getMessage(), e);
            }
            if (!vlans.add(c.network().vlanName())) {
                throw new IllegalArgumentException("changes[" + i + "]: VLAN " + c.network().vlanName()
                        + " is changed twice; a batch changes each VXLAN network once");
            }
        }
        XmlWriter x = root.apply(new XmlWriter());
        x.open("interfaces").open("interface").leaf("name", IRB);
        for (VxlanChange c : changes) {
            String unit = unit(c.network());
            switch (c) {
                case VxlanChange.Put p -> {
                    op.write(x.open("unit"), "replace").leaf("name", unit).leaf("description", p.wanted().marker());
                    x.open("family").open("inet").leaf("mtu", Integer.toString(p.wanted().mtu()));
                    addresses(x, p.wanted(), false);
                    x.close();
                    if (p.wanted().addresses().stream().anyMatch(a -> a.ipAddress().isIp6())) {
                        x.open("inet6").leaf("mtu", Integer.toString(p.wanted().mtu()));
                        addresses(x, p.wanted(), true);
                        x.close();
                    }
                    x.close().close();
                }
                case VxlanChange.Remove r -> op.write(x.open("unit"), "delete").leaf("name", unit).close();
            }
        }
        x.close().close();
        Set<String> add = new LinkedHashSet<>();
        Set<String> drop = new LinkedHashSet<>();
        x.open("vlans");
        for (VxlanChange c : changes) {
            switch (c) {
                case VxlanChange.Put p -> {
                    VxlanNetwork n = p.wanted();
                    op.write(x.open("vlan"), "replace").leaf("name", n.vlanName()).leaf("description", n.marker())
                            .leaf("vlan-id", Short.toString(n.vlan().toShort()))
                            .leaf("l3-interface", IRB + "." + unit(n))
                            .open("vxlan").leaf("vni", Integer.toString(n.vni()));
                    if (n.ingressReplication()) {
                        x.empty("ingress-node-replication");
                    }
                    n.remoteVteps().forEach(v -> x.leaf("static-remote-vtep-list", v));
                    x.close().close();
                    add.addAll(n.remoteVteps());
                }
                case VxlanChange.Remove r -> {
                    op.write(x.open("vlan"), "delete").leaf("name", r.existing().vlanName()).close();
                    drop.addAll(r.dropVteps());
                }
            }
        }
        x.close();
        drop.removeAll(add);
        if (!add.isEmpty() || !drop.isEmpty()) {
            x.open("switch-options");
            add.forEach(v -> x.leaf("remote-vtep-list", v));
            drop.forEach(v -> op.write(x.open("remote-vtep-list"), "delete").text(v).close());
            x.close();
        }
        return x.close().toXml();
    }

    private static String unit(VxlanNetwork n) {
        return Short.toString(n.vlan().toShort());
    }

    private static void addresses(XmlWriter x, VxlanNetwork n, boolean v6) {
        for (InterfaceIpAddress a : n.addresses()) {
            if (a.ipAddress().isIp6() == v6) {
                x.open("address").leaf("name", a.ipAddress() + "/" + a.subnetAddress().prefixLength()).close();
            }
        }
    }

    static String readFilter(Function<XmlWriter, XmlWriter> root) {
        XmlWriter x = root.apply(new XmlWriter());
        x.open("interfaces").open("interface").leaf("name", IRB).close().close();
        x.empty("vlans");
        x.open("switch-options").empty("remote-vtep-list").close();
        return x.close().toXml();
    }

    /** Every VLAN with a vxlan container, joined with its layer-3 unit when that carries the VLAN's own description. */
    static VxlanState parse(String dataXml) {
        List<FoundVxlan> networks = new ArrayList<>();
        Set<String> global = new LinkedHashSet<>();
        for (Element configuration : XmlReader.outermost(XmlReader.parse(dataXml), null, "configuration")) {
            Map<String, Element> units = new HashMap<>();
            for (Element interfaces : XmlReader.children(configuration, null, "interfaces")) {
                for (Element port : XmlReader.children(interfaces, null, "interface")) {
                    if (XmlReader.text(port, null, "name").filter(IRB::equals).isEmpty()) {
                        continue;
                    }
                    for (Element unit : XmlReader.children(port, null, "unit")) {
                        XmlReader.text(unit, null, "name").ifPresent(n -> units.put(IRB + "." + n, unit));
                    }
                }
            }
            for (Element switchOptions : XmlReader.children(configuration, null, "switch-options")) {
                for (Element v : XmlReader.children(switchOptions, null, "remote-vtep-list")) {
                    global.add(XmlReader.text(v).strip());
                }
            }
            for (Element vlans : XmlReader.children(configuration, null, "vlans")) {
                for (Element vlan : XmlReader.children(vlans, null, "vlan")) {
                    read(vlan, units).ifPresent(networks::add);
                }
            }
        }
        return new VxlanState(networks, global);
    }

    private static Optional<FoundVxlan> read(Element vlan, Map<String, Element> units) {
        Optional<String> name = XmlReader.text(vlan, null, "name");
        Optional<Element> vxlan = XmlReader.child(vlan, null, "vxlan");
        if (name.isEmpty() || vxlan.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> description = XmlReader.text(vlan, null, "description");
        Optional<Marker.Mark> mark = Marker.read(description.orElse(null));
        int vni = Readback.integer(XmlReader.text(vxlan.get(), null, "vni")).orElse(0);
        List<String> remotes = XmlReader.children(vxlan.get(), null, "static-remote-vtep-list").stream()
                .map(e -> XmlReader.text(e).strip()).toList();
        boolean replication = XmlReader.child(vxlan.get(), null, "ingress-node-replication").isPresent();
        List<InterfaceIpAddress> addresses = new ArrayList<>();
        int mtu = 0;
        Element unit = XmlReader.text(vlan, null, "l3-interface").map(units::get).orElse(null);
        // A layer-3 unit that is not marked as its VLAN is (someone else's, or edited) counts as absent.
        if (unit != null && XmlReader.text(unit, null, "description").equals(description)) {
            Optional<Element> inet = XmlReader.path(unit, null, "family", "inet");
            Optional<Element> inet6 = XmlReader.path(unit, null, "family", "inet6");
            inet.ifPresent(f -> addresses.addAll(addresses(f)));
            inet6.ifPresent(f -> addresses.addAll(addresses(f)));
            mtu = Readback.mtu(mtu(inet), mtu(inet6));
        }
        VxlanNetwork state = new VxlanNetwork(vni, Readback.vlan(XmlReader.text(vlan, null, "vlan-id")), remotes, replication,
                addresses, mtu, mark.map(Marker.Mark::connectionId).orElse(""), mark.map(Marker.Mark::owner).orElse(""));
        return Optional.of(new FoundVxlan(name.get(), state, mark.map(Marker.Mark::connectionId)));
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

    /** Writes the edit-config operation attribute on the element just opened, the way the box takes it. */
    @FunctionalInterface
    interface OperationWriter {
        XmlWriter write(XmlWriter x, String operation);
    }
}
