package io.ensm.forwarder.bridge;

import io.ensm.core.spi.BackendException;
import io.ensm.forwarder.netlink.Errno;
import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.netlink.LinkKind;
import io.ensm.forwarder.netlink.LinkNameRules;
import io.ensm.forwarder.netlink.Links;
import io.ensm.forwarder.netlink.NetlinkException;
import io.ensm.forwarder.netlink.NetworkNamespace;
import io.ensm.forwarder.netlink.NewLink;
import io.ensm.forwarder.netlink.Rtnetlink;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The local plan: a veth pair whose one end is a port of the bridge and whose other end lives,
 * under the name the attachment asks for, in a named namespace on the ensm host. The peer is
 * created directly inside that namespace, so it never takes a name in ensm's own.
 */
final class NamespaceLeg implements AttachmentLeg {
    private final WiringContext ctx;
    private final String netns;
    private final String peerName;
    private Rtnetlink there;

    NamespaceLeg(WiringContext ctx, String netns, String peerName) {
        this.ctx = ctx;
        this.netns = netns;
        this.peerName = peerName;
    }

    private String inNs() {
        return "network namespace '" + netns + "'";
    }

    private boolean namespaceExists() {
        try {
            return NetworkNamespace.exists(netns);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** rtnetlink inside the attachment's namespace, opened once per operation. */
    private Rtnetlink there() {
        if (there == null) {
            there = Rtnetlink.openIn(netns);
        }
        return there;
    }

    private Optional<Link> host() {
        return ctx.nl().links().get(ctx.names().veth());
    }

    private Optional<Link> peer() {
        return there().links().get(peerName);
    }

    private boolean peerIsOurs(Optional<Link> host, Link peer) {
        if (peer.alias().equals(ctx.names().marker())) {
            return true;
        }
        // Not marked yet (a crash right after creation): it is ours if our veth end points at it.
        return peer.alias().isEmpty() && peer.isKind("veth") && host.isPresent()
                && Owner.of(host, ctx.names().marker(), "veth") == Owner.OURS && host.get().parent() == peer.index();
    }

    @Override
    public void precheck(Optional<Link> bridge) throws BackendException {
        String problem = LinkNameRules.problem(peerName);
        if (problem != null) {
            throw Failures.rejected(ctx.connectionId(), "namespace attachment: interface name '" + peerName + "' " + problem);
        }
        if (!namespaceExists()) {
            throw Failures.notFound(ctx.connectionId(), "namespace attachment: network namespace '" + netns + "' does not exist");
        }
        Optional<Link> host = host();
        if (Owner.of(host, ctx.names().marker(), "veth") == Owner.FOREIGN) {
            throw Failures.rejected(ctx.connectionId(), "the name of ensm's veth end is taken in " + ctx.where() + " by "
                    + Owner.describe(host.get()));
        }
        Optional<Link> peer = peer();
        if (peer.isPresent() && !peerIsOurs(host, peer.get())) {
            throw Failures.rejected(ctx.connectionId(), "namespace attachment: interface '" + peerName + "' already exists in "
                    + inNs() + " and is not ensm's (" + Owner.describe(peer.get()) + ")");
        }
    }

    @Override
    public void apply(int bridgeIndex, Transaction tx) {
        Optional<Link> host = host();
        Optional<Link> peer = peer();
        String marker = ctx.names().marker();
        if (host.isPresent() && host.get().isKind("veth") && peer.isPresent() && peerIsOurs(host, peer.get())) {
            LinkOps.repair(ctx.nl(), host.get(), bridgeIndex, ctx.mtu(), marker, tx);
            LinkOps.repair(there(), peer.get(), -1, ctx.mtu(), marker, tx);
            return;
        }
        // Half a pair (or a stale one) is replaced whole.
        host.ifPresent(h -> ctx.nl().links().delete(h.index(), h.name()));
        peer.ifPresent(p -> there().links().delete(p.index(), p.name()));
        int fd = NetworkNamespace.open(netns);
        try {
            LinkOps.createMarked(ctx.nl(), new NewLink(ctx.names().veth(), new LinkKind.Veth(peerName, fd, ctx.mtu()), ctx.mtu(),
                    bridgeIndex, true), marker, tx);
        } finally {
            NetworkNamespace.closeHandle(fd);
        }
        Link made = peer().orElseThrow(() -> new NetlinkException("find veth end " + peerName + " in " + inNs(), Errno.ENODEV,
                "it was not there right after the pair was created"));
        there().links().change(made.index(), new Links.Change().alias(marker).up(true), "mark and bring up " + peerName + " in " + inNs());
    }

    @Override
    public State verify(Optional<Link> bridge) {
        Optional<Link> host = host();
        boolean ours = Owner.of(host, ctx.names().marker(), "veth") == Owner.OURS;
        if (!ours) {
            return new State(false, false);
        }
        if (bridge.isEmpty() || !namespaceExists() || !LinkOps.intact(host.get(), bridge.get().index(), ctx.mtu(), ctx.names().marker())) {
            return new State(true, false);
        }
        Optional<Link> peer = peer();
        boolean intact = peer.isPresent() && peerIsOurs(host, peer.get()) && LinkOps.intact(peer.get(), -1, ctx.mtu(), ctx.names().marker());
        return new State(true, intact);
    }

    @Override
    public List<String> remove(Optional<Link> bridge) {
        List<String> removed = new ArrayList<>();
        Optional<Link> host = host();
        if (Owner.of(host, ctx.names().marker(), "veth") == Owner.OURS) {
            if (ctx.nl().links().delete(host.get().index(), host.get().name())) {
                removed.add(host.get().name());
            }
        } else if (namespaceExists()) {
            Optional<Link> peer = peer();
            if (peer.isPresent() && peer.get().alias().equals(ctx.names().marker()) && there().links().delete(peer.get().index(), peerName)) {
                removed.add(peerName + "@" + netns);
            }
        }
        return removed;
    }

    @Override
    public String describe() {
        return "veth " + ctx.names().veth() + " into " + inNs() + " as " + peerName;
    }

    @Override
    public void close() {
        if (there != null) {
            there.close();
            there = null;
        }
    }
}
