package io.ensm.netconf.testbed;

import io.ensm.netconf.client.Xml;
import io.ensm.netconf.transaction.EditCodec;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Test codec: puts (or, with {@link #removing()}, removes) {@link TestSubInterface}s and checks
 * them in the read-back by name, VLAN id, marker and address.
 */
public final class TestSubInterfaceCodec implements EditCodec<TestSubInterface> {
    static final String IF = "urn:ietf:params:xml:ns:yang:ietf-interfaces";
    static final String EXT = "urn:ietf:params:xml:ns:yang:ietf-if-extensions";
    static final String VLAN = "urn:ensm:params:xml:ns:yang:ensm-if-vlan-encapsulation";
    static final String IP = "urn:ietf:params:xml:ns:yang:ietf-ip";

    private final boolean remove;

    private TestSubInterfaceCodec(boolean remove) {
        this.remove = remove;
    }

    public static TestSubInterfaceCodec putting() {
        return new TestSubInterfaceCodec(false);
    }

    public static TestSubInterfaceCodec removing() {
        return new TestSubInterfaceCodec(true);
    }

    @Override
    public String render(List<TestSubInterface> items) {
        StringBuilder b = new StringBuilder("<interfaces xmlns=\"" + IF + "\">");
        for (TestSubInterface s : items) {
            b.append(remove ? s.removeXml() : s.xml());
        }
        return b.append("</interfaces>").toString();
    }

    @Override
    public String readFilter(List<TestSubInterface> items) {
        StringBuilder b = new StringBuilder("<interfaces xmlns=\"" + IF + "\">");
        for (TestSubInterface s : items) {
            b.append("<interface><name>").append(s.name()).append("</name></interface>");
        }
        return b.append("</interfaces>").toString();
    }

    @Override
    public ReadBack<TestSubInterface> readBack(String dataXml) {
        Map<String, Found> found = parse(dataXml);
        return item -> {
            Found f = found.get(item.name());
            if (remove) {
                return f == null ? Optional.empty() : Optional.of(item.name() + " is still there");
            }
            if (f == null) {
                return Optional.of(item.name() + " is missing");
            }
            if (!f.equals(new Found("ensm:" + item.marker(), Integer.toString(item.vlan()), item.ipv4()))) {
                return Optional.of(item.name() + " reads back as " + f);
            }
            return Optional.empty();
        };
    }

    @Override
    public String label(TestSubInterface item) {
        return item.name();
    }

    /** What the read-back shows of one interface. */
    public record Found(String description, String vlan, String ipv4) {}

    /** Every interface of a {@code <data>} element (or an rpc-reply holding one), by name. */
    public static Map<String, Found> parse(String xml) {
        try {
            Document doc = Xml.parse(xml);
            Map<String, Found> out = new HashMap<>();
            var list = doc.getElementsByTagNameNS(IF, "interface");
            for (int i = 0; i < list.getLength(); i++) {
                Element e = (Element) list.item(i);
                String name = Xml.childText(e, IF, "name").orElse("");
                String description = Xml.childText(e, IF, "description").orElse("");
                String vlan = text(e, VLAN, "vlan-id");
                String ip = Xml.child(e, IP, "ipv4").map(v -> text(v, IP, "ip")).orElse("");
                out.put(name, new Found(description, vlan, ip));
            }
            return out;
        } catch (SAXException e) {
            throw new IllegalArgumentException("unparsable read-back: " + e.getMessage(), e);
        }
    }

    private static String text(Element scope, String ns, String local) {
        var l = scope.getElementsByTagNameNS(ns, local);
        return l.getLength() == 0 ? "" : l.item(0).getTextContent().strip();
    }
}
