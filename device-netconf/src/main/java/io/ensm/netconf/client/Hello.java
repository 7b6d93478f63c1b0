package io.ensm.netconf.client;

import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

import static io.ensm.netconf.client.Xml.NETCONF_BASE;

/** A server's {@code <hello>}: its session id and capabilities (RFC 6241 §8.1). */
public record Hello(long sessionId, Set<String> capabilities) {

    public Hello {
        capabilities = Set.copyOf(capabilities);
    }

    /** True when the capability is advertised, ignoring parameters after '?'. */
    public boolean has(String capability) {
        for (String c : capabilities) {
            int q = c.indexOf('?');
            if ((q < 0 ? c : c.substring(0, q)).equals(capability)) {
                return true;
            }
        }
        return false;
    }

    static Hello parse(Document doc) throws NetconfProtocolException {
        Element root = doc.getDocumentElement();
        if (!"hello".equals(root.getLocalName()) || !NETCONF_BASE.equals(root.getNamespaceURI())) {
            throw new NetconfProtocolException("expected hello, got " + root.getTagName());
        }
        Set<String> caps = new LinkedHashSet<>();
        Xml.child(root, NETCONF_BASE, "capabilities").ifPresent(c -> {
            for (Element cap : Xml.children(c)) {
                if ("capability".equals(cap.getLocalName())) {
                    caps.add(cap.getTextContent().strip());
                }
            }
        });
        if (!caps.contains(Capability.BASE_1_0) && !caps.contains(Capability.BASE_1_1)) {
            throw new NetconfProtocolException("hello advertises neither base:1.0 nor base:1.1");
        }
        String sid = Xml.childText(root, NETCONF_BASE, "session-id")
                .orElseThrow(() -> new NetconfProtocolException("server hello has no session-id"));
        try {
            long id = Long.parseLong(sid);
            if (id < 1) {
                throw new NumberFormatException();
            }
            return new Hello(id, caps);
        } catch (NumberFormatException e) {
            throw new NetconfProtocolException("server hello has an invalid session-id '" + sid + "'");
        }
    }

    /** ensm's hello: base:1.0 and base:1.1, nothing else (a client advertises no data models). */
    static byte[] client() {
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><hello xmlns=\"" + NETCONF_BASE + "\"><capabilities>"
                + "<capability>" + Capability.BASE_1_0 + "</capability>"
                + "<capability>" + Capability.BASE_1_1 + "</capability>"
                + "</capabilities></hello>").getBytes(StandardCharsets.UTF_8);
    }
}
