package io.ensm.netconf.testbed;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Junos VXLAN statements in a test bed's reply, read by this test code alone (not by ensm's
 * driver): each VLAN with its vxlan, each irb unit, and the global remote VTEP list.
 */
public record BoxVxlanView(Map<String, Vlan> vlans, Map<String, Unit> irbUnits, List<String> remoteVteps) {

    /** The namespace of the test module ensm-junos-vxlan.yang. */
    public static final String NS = "urn:ensm:params:xml:ns:yang:ensm-junos-vxlan";
    /** The subtree filter reading all of it. */
    public static final String FILTER = "<configuration xmlns=\"" + NS + "\"/>";

    public record Vlan(String description, String vlanId, String l3Interface, String vni, boolean ingressReplication,
                       List<String> staticRemoteVteps) {}

    public record Unit(String description, List<String> addresses, String mtu) {}

    public static BoxVxlanView parse(String reply) {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(reply.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException("not a reply: " + reply, e);
        }
        Map<String, Vlan> vlans = new TreeMap<>();
        Map<String, Unit> units = new TreeMap<>();
        List<String> global = new ArrayList<>();
        for (Element c : all(doc.getDocumentElement(), "configuration")) {
            for (Element vlan : path(c, "vlans", "vlan")) {
                Element vx = first(vlan, "vxlan");
                vlans.put(text(vlan, "name"), new Vlan(text(vlan, "description"), text(vlan, "vlan-id"), text(vlan, "l3-interface"),
                        vx == null ? null : text(vx, "vni"), vx != null && first(vx, "ingress-node-replication") != null,
                        vx == null ? List.of() : texts(vx, "static-remote-vtep-list")));
            }
            for (Element port : path(c, "interfaces", "interface")) {
                if (!"irb".equals(text(port, "name"))) {
                    continue;
                }
                for (Element unit : children(port, "unit")) {
                    Element inet = first(first(unit, "family"), "inet");
                    List<String> addrs = new ArrayList<>();
                    if (inet != null) {
                        children(inet, "address").forEach(a -> addrs.add(text(a, "name")));
                    }
                    units.put(text(unit, "name"), new Unit(text(unit, "description"), addrs, inet == null ? null : text(inet, "mtu")));
                }
            }
            Element so = first(c, "switch-options");
            if (so != null) {
                global.addAll(texts(so, "remote-vtep-list"));
            }
        }
        return new BoxVxlanView(vlans, units, global);
    }

    private static List<Element> all(Element root, String local) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = root.getElementsByTagNameNS(NS, local);
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    private static List<Element> path(Element from, String container, String list) {
        Element c = first(from, container);
        return c == null ? List.of() : children(c, list);
    }

    private static List<Element> children(Element parent, String local) {
        List<Element> out = new ArrayList<>();
        if (parent == null) {
            return out;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && local.equals(e.getLocalName()) && NS.equals(e.getNamespaceURI())) {
                out.add(e);
            }
        }
        return out;
    }

    private static Element first(Element parent, String local) {
        List<Element> c = children(parent, local);
        return c.isEmpty() ? null : c.getFirst();
    }

    private static String text(Element parent, String local) {
        Element e = first(parent, local);
        return e == null ? null : e.getTextContent().strip();
    }

    private static List<String> texts(Element parent, String local) {
        return children(parent, local).stream().map(e -> e.getTextContent().strip()).sorted().toList();
    }
}
