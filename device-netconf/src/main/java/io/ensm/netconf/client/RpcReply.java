package io.ensm.netconf.client;

import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.ensm.netconf.client.Xml.NETCONF_BASE;

/**
 * A parsed {@code <rpc-reply>}: its message-id, its rpc-errors (warnings included) and, for
 * retrievals, the {@code <data>} element.
 */
public record RpcReply(String messageId, List<RpcError> errors, Optional<Element> data) {

    public RpcReply {
        errors = List.copyOf(errors);
    }

    /** True when no rpc-error has severity error (warnings alone are success). */
    public boolean ok() {
        return errors.stream().noneMatch(RpcError::isError);
    }

    /** The {@code <data>} element with its subtree as text, or {@code <data/>} when the reply had none. */
    public String dataXml() {
        return data.map(Xml::serialize).orElse("<data xmlns=\"" + NETCONF_BASE + "\"/>");
    }

    /** Parses a reply; a document that is not an rpc-reply is refused. */
    static RpcReply parse(Document doc) throws NetconfProtocolException {
        Element root = doc.getDocumentElement();
        if (!"rpc-reply".equals(root.getLocalName()) || !NETCONF_BASE.equals(root.getNamespaceURI())) {
            throw new NetconfProtocolException("expected rpc-reply, got " + root.getTagName());
        }
        List<RpcError> errors = new ArrayList<>();
        Element data = null;
        for (Element child : Xml.children(root)) {
            if (!NETCONF_BASE.equals(child.getNamespaceURI())) {
                continue;
            }
            switch (child.getLocalName()) {
                case "rpc-error" -> errors.add(RpcError.parse(child));
                case "data" -> data = child;
                default -> { }
            }
        }
        String id = root.hasAttribute("message-id") ? root.getAttribute("message-id") : "";
        return new RpcReply(id, errors, Optional.ofNullable(data));
    }
}
