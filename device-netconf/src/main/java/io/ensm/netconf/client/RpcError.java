package io.ensm.netconf.client;

import org.w3c.dom.Element;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static io.ensm.netconf.client.Xml.NETCONF_BASE;

/**
 * One {@code <rpc-error>} (RFC 6241 §4.3). {@code info} holds the leaf children of
 * {@code <error-info>} by local name (e.g. {@code session-id} of a lock holder, {@code bad-element}).
 */
public record RpcError(String type, String tag, String severity, Optional<String> appTag, Optional<String> path,
                       Optional<String> message, Map<String, String> info) {

    public RpcError {
        info = Map.copyOf(info);
    }

    public boolean isError() {
        return !"warning".equals(severity);
    }

    /** One line for an operator: the device's message, then tag, path and the details. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append(message.orElse(tag)).append(" (").append(type).append(' ').append(tag);
        appTag.ifPresent(a -> b.append(", ").append(a));
        path.ifPresent(p -> b.append(", at ").append(p));
        info.forEach((k, v) -> b.append(", ").append(k).append('=').append(v));
        return b.append(')').toString();
    }

    static RpcError parse(Element e) {
        Map<String, String> info = new LinkedHashMap<>();
        Xml.child(e, NETCONF_BASE, "error-info").ifPresent(i -> {
            for (Element leaf : Xml.children(i)) {
                info.put(leaf.getLocalName(), leaf.getTextContent().strip());
            }
        });
        return new RpcError(
                Xml.childText(e, NETCONF_BASE, "error-type").orElse("unknown"),
                Xml.childText(e, NETCONF_BASE, "error-tag").orElse("unknown"),
                Xml.childText(e, NETCONF_BASE, "error-severity").orElse("error"),
                Xml.childText(e, NETCONF_BASE, "error-app-tag"),
                Xml.childText(e, NETCONF_BASE, "error-path"),
                Xml.childText(e, NETCONF_BASE, "error-message"),
                info);
    }
}
