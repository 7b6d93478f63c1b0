package io.ensm.forwarder.bridge;

import io.ensm.core.spi.BackendException;
import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.netlink.LinkKind;
import io.ensm.forwarder.netlink.LinkNameRules;
import io.ensm.forwarder.netlink.Links;
import io.ensm.forwarder.netlink.Rtnetlink;

import java.util.List;
import java.util.Map;
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
    /** What precheck found, reused by apply in the same connect. */
    private Optional<Link> seenHost = Optional.empty();
    private Optional<Link> seenPeer = Optional.empty();

    NamespaceLeg(WiringContext ctx, String netns, String peerName) {
        this.ctx = ctx;
        this.netns = netns;
        this.peerName = peerName;
    }

    private String inNs() {
        return "network namespace '" + netns + "'";
    }

    private Optional<NamespaceSockets.Handle> namespace() {
        return ctx.namespaces().get(netns);
    }

    private Rtnetlink there() throws BackendException {
        return namespace().orElseThrow(() -> Failures.notFound(ctx.connectionId(),
                "namespace attachment: network namespace '" + netns + "' does not exist")).nl();
    }

    private Optional<Link> peer() throws BackendException {
        return there().links().get(peerName);
    }

    private boolean peerIsOurs(Optional<Link> host, Link peer) {
        if (ctx.names().marks(peer.alias())) {
            return true;
        }
        // Not marked yet (a crash right after creation): it is ours if our veth end points at it.
        return peer.alias().isEmpty() && peer.isKind("veth") && host.isPresent()
                && Owner.of(host, ctx.names().marker(), "veth") == Owner.OURS && host.get().parent() == peer.index();
    }

    @Override
    public List<String> reservations() {
        return List.of("netns:" + netns + "/" + peerName);
    }

    @Override
    public void validate() throws BackendException {
        String problem = LinkNameRules.problem(peerName);
        if (problem != null) {
            throw Failures.rejected(ctx.connectionId(), "namespace attachment: interface name '" + peerName + "' " + problem);
        }
    }

    @Override
    public List<String> linkNames() {
        return List.of(ctx.names().veth());
    }

    @Override
    public void precheck(Optional<Link> bridge, Map<String, Optional<Link>> found) throws BackendException {
        seenHost = found.get(ctx.names().veth());
        if (Owner.of(seenHost, ctx.names().marker(), "veth") == Owner.FOREIGN) {
            throw Failures.rejected(ctx.connectionId(), "the name of ensm's veth end is taken in " + ctx.where() + " by "
                    + Owner.describe(seenHost.get()));
        }
        seenPeer = peer();
        if (seenPeer.isPresent() && !peerIsOurs(seenHost, seenPeer.get())) {
            throw Failures.rejected(ctx.connectionId(), "namespace attachment: interface '" + peerName + "' already exists in "
                    + inNs() + " and is not ensm's (" + Owner.describe(seenPeer.get()) + ")");
        }
    }

    @Override
    public void apply(int bridgeIndex, Transaction tx) throws BackendException {
        Optional<Link> host = seenHost;
        Optional<Link> peer = seenPeer;
        String marker = ctx.names().marker();
        Rtnetlink there = there();
        if (host.isPresent() && host.get().isKind("veth") && peer.isPresent() && peerIsOurs(host, peer.get())) {
            LinkOps.repair(ctx.nl(), host.get(), bridgeIndex, ctx.mtu(), marker, tx);
            LinkOps.repair(there, peer.get(), -1, ctx.mtu(), marker, tx);
            return;
        }
        // Half a pair (or a stale one) is replaced whole.
        host.ifPresent(h -> ctx.nl().links().delete(h.index(), h.name()));
        peer.ifPresent(p -> there.links().delete(p.index(), p.name()));
        int fd = namespace().orElseThrow().fd();
        Link made = LinkOps.createUpAndMark(ctx.nl(), ctx.names().veth(), new LinkKind.Veth(peerName, fd, ctx.mtu()), ctx.mtu(),
                bridgeIndex, marker, tx);
        // The veth end knows its peer's index in the other namespace (IFLA_LINK).
        int peerIndex = made.parent() > 0 ? made.parent()
                : there.links().get(peerName).map(Link::index).orElseThrow(() -> Failures.notFound(ctx.connectionId(),
                        "veth end " + peerName + " is not in " + inNs() + " right after the pair was created"));
        there.links().change(peerIndex, new Links.Change().alias(marker).up(true), "mark and bring up " + peerName + " in " + inNs());
    }

    @Override
    public State verify(Optional<Link> bridge, Map<String, Optional<Link>> found) throws BackendException {
        Optional<Link> host = found.get(ctx.names().veth());
        if (Owner.of(host, ctx.names().marker(), "veth") != Owner.OURS) {
            return new State(false, false);
        }
        if (bridge.isEmpty() || namespace().isEmpty() || !LinkOps.intact(host.get(), bridge.get().index(), ctx.mtu(), ctx.names().marker())) {
            return new State(true, false);
        }
        Optional<Link> peer = peer();
        boolean intact = peer.isPresent() && peerIsOurs(host, peer.get()) && LinkOps.intact(peer.get(), -1, ctx.mtu(), ctx.names().marker());
        return new State(true, intact);
    }

    @Override
    public List<Link> release(Optional<Link> bridge, Map<String, Optional<Link>> found) throws BackendException {
        Optional<Link> host = found.get(ctx.names().veth());
        if (Owner.of(host, ctx.names().marker(), "veth") == Owner.OURS) {
            return List.of(host.get()); // its peer goes with it
        }
        // Our end is gone but a marked peer was left (it was moved, or the pair half-made): remove it there.
        if (namespace().isPresent()) {
            Optional<Link> peer = peer();
            if (peer.isPresent() && ctx.names().marks(peer.get().alias())) {
                there().links().delete(peer.get().index(), peerName);
            }
        }
        return List.of();
    }

    @Override
    public String describe() {
        return "veth " + ctx.names().veth() + " into " + inNs() + " as " + peerName;
    }
}
