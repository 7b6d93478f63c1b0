package io.ensm.forwarder.bridge;

import io.ensm.forwarder.netlink.Link;

import java.util.Optional;

/** Who a link found under one of ensm's derived names belongs to. */
enum Owner {
    /** No link by that name. */
    ABSENT,
    /** ensm's, for this connection. */
    OURS,
    /** Someone else's: another connection's (hash collision) or a link ensm did not make. */
    FOREIGN;

    /**
     * A link carrying this connection's mark is ours, also in the form without owner that an
     * earlier ensm wrote (the repair re-marks it). So is one of the expected kind with no alias
     * at all under ensm's derived name: the kernel ignores an alias on creation, so a crash between
     * creating and marking leaves exactly that, and the derived names are produced by nothing else.
     */
    static Owner of(Optional<Link> link, String marker, String kind) {
        if (link.isEmpty()) {
            return ABSENT;
        }
        Link l = link.get();
        boolean legacy = LinkNames.markOf(marker).map(m -> LinkNames.LEGACY_MARK + m.connectionId()).filter(l.alias()::equals).isPresent();
        if (l.alias().equals(marker) || legacy || (l.alias().isEmpty() && l.isKind(kind))) {
            return OURS;
        }
        return FOREIGN;
    }

    /** E.g. "link ensb1234 (bridge, alias 'ensm@ensm-b:other')", for clash messages. */
    static String describe(Link l) {
        return "link " + l.name() + " (" + (l.kind().isEmpty() ? "device" : l.kind()) + ", "
                + (l.alias().isEmpty() ? "no alias" : "alias '" + l.alias() + "'") + ")";
    }
}
