package io.ensm.netconf.driver.xml;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes an XML fragment through StAX, so values are always escaped. Namespaces are declared as
 * default namespaces where they change, the way NETCONF examples write them.
 */
public final class XmlWriter {
    /** The NETCONF base namespace, which carries the edit-config {@code operation} attribute. */
    public static final String NETCONF_NS = "urn:ietf:params:xml:ns:netconf:base:1.0";

    private static final XMLOutputFactory FACTORY = XMLOutputFactory.newFactory();

    private final StringWriter out = new StringWriter();
    private final XMLStreamWriter w;
    /** The default namespace in scope of each open element; the bottom one is the fragment's (none). */
    private final Deque<String> defaults = new ArrayDeque<>();

    public XmlWriter() {
        try {
            // The factory is not specified as thread-safe; drivers render from many threads.
            synchronized (FACTORY) {
                w = FACTORY.createXMLStreamWriter(out);
            }
        } catch (XMLStreamException e) {
            throw new IllegalStateException("no StAX writer", e);
        }
        defaults.push("");
    }

    /** Opens an element in {@code namespace}, declaring it when it differs from the enclosing default. */
    public XmlWriter open(String namespace, String local) {
        try {
            w.writeStartElement("", local, namespace);
            if (!namespace.equals(defaults.peek())) {
                w.writeDefaultNamespace(namespace);
            }
        } catch (XMLStreamException e) {
            throw failed(e);
        }
        defaults.push(namespace);
        return this;
    }

    /** Opens an element in the enclosing default namespace. */
    public XmlWriter open(String local) {
        return open(defaults.peek(), local);
    }

    /** Declares a prefix on the element just opened (for identity values such as {@code if-ext:ethSubInterface}). */
    public XmlWriter prefix(String prefix, String namespace) {
        try {
            w.writeNamespace(prefix, namespace);
        } catch (XMLStreamException e) {
            throw failed(e);
        }
        return this;
    }

    /** The NETCONF {@code operation} attribute, with its namespace declared on the element itself. */
    public XmlWriter operation(String operation) {
        try {
            w.writeNamespace("nc", NETCONF_NS);
            w.writeAttribute("nc", NETCONF_NS, "operation", operation);
        } catch (XMLStreamException e) {
            throw failed(e);
        }
        return this;
    }

    /** An attribute in no namespace. */
    public XmlWriter attribute(String local, String value) {
        try {
            w.writeAttribute(local, value);
        } catch (XMLStreamException e) {
            throw failed(e);
        }
        return this;
    }

    public XmlWriter text(String value) {
        try {
            w.writeCharacters(value);
        } catch (XMLStreamException e) {
            throw failed(e);
        }
        return this;
    }

    /** An element holding only text, in the enclosing default namespace. */
    public XmlWriter leaf(String local, String value) {
        return open(local).text(value).close();
    }

    /** An element holding only text, in {@code namespace}. */
    public XmlWriter leaf(String namespace, String local, String value) {
        return open(namespace, local).text(value).close();
    }

    /** An element with no content: a selection node in a subtree filter. */
    public XmlWriter empty(String local) {
        return open(local).close();
    }

    public XmlWriter close() {
        if (defaults.size() <= 1) {
            throw new IllegalStateException("no open element to close");
        }
        try {
            w.writeEndElement();
        } catch (XMLStreamException e) {
            throw failed(e);
        }
        defaults.pop();
        return this;
    }

    /** The fragment; every element must have been closed. */
    public String toXml() {
        if (defaults.size() != 1) {
            throw new IllegalStateException((defaults.size() - 1) + " elements still open");
        }
        try {
            w.flush();
            w.close();
        } catch (XMLStreamException e) {
            throw failed(e);
        }
        return out.toString();
    }

    private static IllegalStateException failed(XMLStreamException e) {
        return new IllegalStateException("writing XML to memory failed", e);
    }
}
