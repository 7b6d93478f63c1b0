package io.ensm.netconf.driver;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.XMLConstants;
import javax.xml.namespace.NamespaceContext;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * XPath over rendered fragments, placed inside an edit-config {@code <nc:config>} the way the
 * transaction layer sends them. Prefixes: nc, if, ifext, ip, ev (ensm VLAN), oc, ocvlan, ocip.
 */
public final class XmlAssert {
    public static final Map<String, String> NAMESPACES = Map.of(
            "nc", "urn:ietf:params:xml:ns:netconf:base:1.0",
            "if", "urn:ietf:params:xml:ns:yang:ietf-interfaces",
            "ifext", "urn:ietf:params:xml:ns:yang:ietf-if-extensions",
            "ip", "urn:ietf:params:xml:ns:yang:ietf-ip",
            "ev", "urn:ensm:params:xml:ns:yang:ensm-if-vlan-encapsulation",
            "oc", "http://openconfig.net/yang/interfaces",
            "ocvlan", "http://openconfig.net/yang/vlan",
            "ocip", "http://openconfig.net/yang/interfaces/ip");

    private final Document doc;
    private final XPath xpath;

    private XmlAssert(Document doc) {
        this.doc = doc;
        this.xpath = XPathFactory.newInstance().newXPath();
        xpath.setNamespaceContext(new NamespaceContext() {
            @Override
            public String getNamespaceURI(String prefix) {
                return NAMESPACES.getOrDefault(prefix, XMLConstants.NULL_NS_URI);
            }

            @Override
            public String getPrefix(String uri) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Iterator<String> getPrefixes(String uri) {
                throw new UnsupportedOperationException();
            }
        });
    }

    /** The fragment inside {@code <nc:config>}; fails when it is not well-formed. */
    public static XmlAssert config(String fragment) {
        return new XmlAssert(parse("<nc:config xmlns:nc=\"" + NAMESPACES.get("nc") + "\">" + fragment + "</nc:config>"));
    }

    public static Document parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new AssertionError("not well-formed: " + e.getMessage() + "\n" + xml, e);
        }
    }

    public int count(String expression) {
        return nodes(expression).size();
    }

    public String string(String expression) {
        try {
            return (String) xpath.evaluate(expression, doc, XPathConstants.STRING);
        } catch (XPathExpressionException e) {
            throw new AssertionError(expression, e);
        }
    }

    public List<Element> nodes(String expression) {
        try {
            NodeList list = (NodeList) xpath.evaluate(expression, doc, XPathConstants.NODESET);
            List<Element> out = new ArrayList<>();
            for (int i = 0; i < list.getLength(); i++) {
                out.add((Element) list.item(i));
            }
            return out;
        } catch (XPathExpressionException e) {
            throw new AssertionError(expression, e);
        }
    }

    /** Exactly one node matches (the structure exists once, with these names, namespaces and values). */
    public XmlAssert one(String expression) {
        assertThat(count(expression)).as("nodes matching %s", expression).isEqualTo(1);
        return this;
    }

    public XmlAssert none(String expression) {
        assertThat(count(expression)).as("nodes matching %s", expression).isZero();
        return this;
    }

    /** Every list entry matched starts with its key leaves in key order (RFC 7950 7.8.5). */
    public XmlAssert keysFirst(String listEntries, String... keys) {
        List<Element> entries = nodes(listEntries);
        assertThat(entries).as("entries %s", listEntries).isNotEmpty();
        for (Element entry : entries) {
            List<Element> children = elements(entry);
            assertThat(children.size()).isGreaterThanOrEqualTo(keys.length);
            for (int i = 0; i < keys.length; i++) {
                assertThat(children.get(i).getLocalName()).as("child %d of %s", i, listEntries).isEqualTo(keys[i]);
                assertThat(children.get(i).getNamespaceURI()).isEqualTo(entry.getNamespaceURI());
            }
        }
        return this;
    }

    /** The local names of an element's children, in order. */
    public List<String> childNames(String expression) {
        List<Element> found = nodes(expression);
        assertThat(found).as(expression).hasSize(1);
        return elements(found.getFirst()).stream().map(Node::getLocalName).toList();
    }

    static List<Element> elements(Element e) {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * An element's structure as names with namespaces and leaf text, ignoring white space,
     * prefixes and attributes: two documents with the same tree say the same thing to a server.
     */
    public static String tree(Element e) {
        StringBuilder out = new StringBuilder();
        tree(e, "", out);
        return out.toString();
    }

    private static void tree(Element e, String indent, StringBuilder out) {
        out.append(indent).append('{').append(e.getNamespaceURI()).append('}').append(e.getLocalName());
        List<Element> children = elements(e);
        if (children.isEmpty()) {
            out.append(" = ").append(e.getTextContent().strip());
        }
        out.append('\n');
        for (Element c : children) {
            tree(c, indent + "  ", out);
        }
    }
}
