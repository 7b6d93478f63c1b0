package io.ensm.netconf.driver.xml;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses replies namespace-aware with DTDs and external entities refused, and finds elements by
 * namespace and local name. A namespace of {@code null} matches any namespace (Junos replies
 * carry a version-dependent one).
 */
public final class XmlReader {
    private static final Pattern DECLARATION = Pattern.compile("^\\uFEFF?\\s*<\\?xml[^>]*\\?>");
    private static final DocumentBuilderFactory FACTORY = factory();
    /** Fails on errors instead of the default handler's printing to standard error. */
    private static final ErrorHandler THROWING = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {}

        @Override
        public void error(SAXParseException e) throws SAXParseException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXParseException {
            throw e;
        }
    };

    private XmlReader() {}

    /**
     * The reply wrapped in one synthetic root, so that a {@code <data>} element, its content (many
     * top-level elements) or a whole rpc-reply parse alike.
     */
    public static Element parse(String xml) {
        if (xml == null) {
            throw new IllegalArgumentException("reply: missing");
        }
        String body = DECLARATION.matcher(xml).replaceFirst("");
        try {
            DocumentBuilder builder = builder();
            return builder.parse(new InputSource(new StringReader("<ensm-reply>" + body + "</ensm-reply>")))
                    .getDocumentElement();
        } catch (SAXParseException e) {
            throw new IllegalArgumentException("reply: not well-formed XML at column " + e.getColumnNumber()
                    + " of line " + e.getLineNumber() + ": " + e.getMessage(), e);
        } catch (SAXException | IOException | ParserConfigurationException e) {
            throw new IllegalArgumentException("reply: unreadable XML: " + e.getMessage(), e);
        }
    }

    private static DocumentBuilder builder() throws ParserConfigurationException {
        DocumentBuilder builder;
        // The factory is not specified as thread-safe; making a builder is cheap next to parsing.
        synchronized (FACTORY) {
            builder = FACTORY.newDocumentBuilder();
        }
        builder.setErrorHandler(THROWING);
        return builder;
    }

    /** Elements anywhere below {@code root} (document order) that are not nested in one another's kind. */
    public static List<Element> outermost(Element root, String namespace, String local) {
        List<Element> found = new ArrayList<>();
        collect(root, namespace, local, found);
        return found;
    }

    private static void collect(Element parent, String namespace, String local, List<Element> found) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                if (is(e, namespace, local)) {
                    found.add(e);
                } else {
                    collect(e, namespace, local, found);
                }
            }
        }
    }

    public static List<Element> children(Element parent, String namespace, String local) {
        List<Element> found = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && is(e, namespace, local)) {
                found.add(e);
            }
        }
        return found;
    }

    public static Optional<Element> child(Element parent, String namespace, String local) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && is(e, namespace, local)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The first element along the path of local names, each in {@code namespace}. */
    public static Optional<Element> path(Element from, String namespace, String... locals) {
        Optional<Element> at = Optional.of(from);
        for (String local : locals) {
            at = at.flatMap(e -> child(e, namespace, local));
        }
        return at;
    }

    /** The trimmed text of a child element, when there is one. */
    public static Optional<String> text(Element parent, String namespace, String local) {
        return child(parent, namespace, local).map(XmlReader::text);
    }

    public static String text(Element e) {
        return e.getTextContent().strip();
    }

    /**
     * An identity value such as {@code if-ext:ethSubInterface} resolved against the prefixes in
     * scope, as {@code {namespace}name}; empty when the prefix is unknown.
     */
    public static Optional<String> qualifiedText(Element e) {
        String value = text(e);
        int colon = value.indexOf(':');
        String prefix = colon < 0 ? null : value.substring(0, colon);
        String namespace = e.lookupNamespaceURI(prefix);
        if (namespace == null) {
            return Optional.empty();
        }
        return Optional.of("{" + namespace + "}" + value.substring(colon + 1));
    }

    private static boolean is(Element e, String namespace, String local) {
        return local.equals(e.getLocalName()) && (namespace == null || namespace.equals(e.getNamespaceURI()));
    }

    private static DocumentBuilderFactory factory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        try {
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            // A reply never needs a DTD; refusing it closes entity expansion and external entities at once.
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the XML parser cannot be made safe", e);
        }
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return f;
    }
}
