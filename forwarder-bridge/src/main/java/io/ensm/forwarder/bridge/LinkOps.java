package io.ensm.forwarder.bridge;

import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.netlink.Links;
import io.ensm.forwarder.netlink.LinkKind;
import io.ensm.forwarder.netlink.NewLink;
import io.ensm.forwarder.netlink.Rtnetlink;

import java.util.List;

/** Steps shared by every link ensm makes: create-and-mark, and in-place repair of master, state and MTU. */
final class LinkOps {
    private LinkOps() {}

    /**
     * Creates a link that gets no carrier until a later step (a new bridge has no port yet; a
     * veth end waits for its peer), records its deletion for rollback, then marks it with the
     * connection's alias and turns off its IPv6 link-local address: ensm's links are layer-2
     * plumbing and should send no neighbour discovery of their own. Without carrier the kernel
     * has not made that address yet.
     */
    static Link createUpAndMark(Rtnetlink nl, String name, LinkKind kind, int mtu, int master, String marker, Transaction tx) {
        Links links = nl.links();
        Link made = links.create(new NewLink(name, kind, mtu, master, true));
        tx.did("created " + kind.name() + " " + name, () -> links.delete(made.index(), name));
        links.change(made.index(), new Links.Change().alias(marker).noIpv6LinkLocal(), "mark link " + name);
        return made;
    }

    /**
     * Creates a link that has carrier as soon as it is up (VXLAN, VLAN): down first, then marked
     * and brought up by two requests in one round trip. Two, because within one request the
     * kernel applies the state before the address settings, and it refuses those on creation.
     */
    static Link createMarkThenUp(Rtnetlink nl, String name, LinkKind kind, int mtu, int master, String marker, Transaction tx) {
        Links links = nl.links();
        Link made = links.create(new NewLink(name, kind, mtu, master, false));
        tx.did("created " + kind.name() + " " + name, () -> links.delete(made.index(), name));
        links.change(made.index(), List.of(new Links.Change().alias(marker).noIpv6LinkLocal(), new Links.Change().up(true)),
                "mark and bring up link " + name);
        return made;
    }

    /** Sets master, up and MTU where they differ; marks a claimed link that has no alias yet. */
    static boolean repair(Rtnetlink nl, Link have, int master, int mtu, String marker, Transaction tx) {
        Links.Change c = new Links.Change();
        boolean needed = false;
        if (master >= 0 && have.master() != master) {
            c.master(master);
            needed = true;
        }
        if (!have.up()) {
            c.up(true);
            needed = true;
        }
        if (mtu > 0 && have.mtu() != mtu) {
            c.mtu(mtu);
            needed = true;
        }
        if (!have.alias().equals(marker)) {
            c.alias(marker);
            needed = true;
        }
        if (needed) {
            nl.links().change(have.index(), c, "repair link " + have.name());
            tx.did("repaired " + have.name(), () -> { });
        }
        return needed;
    }

    /** True when master, state and MTU are as wanted ({@code master} -1: not checked). */
    static boolean intact(Link have, int master, int mtu, String marker) {
        return (master < 0 || have.master() == master) && have.up() && (mtu <= 0 || have.mtu() == mtu) && have.alias().equals(marker);
    }
}
