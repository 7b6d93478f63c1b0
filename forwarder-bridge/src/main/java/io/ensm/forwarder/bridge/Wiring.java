package io.ensm.forwarder.bridge;

import io.ensm.core.model.IpLiteral;
import io.ensm.core.model.Segment;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.spi.Verification;
import io.ensm.forwarder.netlink.Errno;
import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.netlink.LinkKind;
import io.ensm.forwarder.netlink.Links;
import io.ensm.forwarder.netlink.NetlinkException;
import io.ensm.forwarder.netlink.Neighbour;
import io.ensm.forwarder.netlink.Rtnetlink;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One connection's links in the forwarder's namespace: a bridge, the VXLAN device towards the
 * caller's forwarder and the attachment's port, joined by the bridge. Connect creates them in
 * that order (the tunnel last, so nothing arrives before the path is complete) and undoes its
 * own work on failure; verify compares; remove takes the tunnel out of the bridge at once and
 * leaves the deletion of links carrying this connection's mark to the reaper.
 *
 * <p>A connection of a shared segment has only its VXLAN device of its own; the bridge and the
 * attachment's port are the segment's (named and marked by {@link LinkNames#ofSegment}), made by
 * whichever of its connections comes first. Its remove deletes them too when no other tunnel is
 * left on the bridge: membership is read from the kernel, so a crash between the last tunnel's
 * removal and the bridge's is finished by the release's retry, or by the orphan sweep. The
 * caller runs a segment's connects and removes one at a time.
 */
final class Wiring {
    private final WiringContext ctx;
    /** The connection's own names: its VXLAN device and that device's mark (the bridge's too, unless in a segment). */
    private final LinkNames own;
    private final CrossConnect cc;
    private final InetAddress remote;
    /** The caller listens on another port than ours: its address and port go into an FDB entry. */
    private final boolean viaFdb;
    private final AttachmentLeg leg;
    private String step = "";

    private Wiring(WiringContext ctx, LinkNames own, CrossConnect cc, InetAddress remote, AttachmentLeg leg) {
        this.ctx = ctx;
        this.own = own;
        this.cc = cc;
        this.remote = remote;
        this.viaFdb = cc.remotePort() != 0 && cc.remotePort() != ctx.settings().vxlanPort();
        this.leg = leg;
    }

    /** The wiring of a cross-connect, or empty when its attachment needs nothing local. */
    static Optional<Wiring> of(Rtnetlink nl, BridgeSettings settings, io.ensm.core.spi.Owner owner, NamespaceSockets namespaces, Reaper reaper,
                               CrossConnect cc, int defaultMtu) throws BackendException {
        String id = cc.connectionId();
        LinkNames own;
        try {
            own = LinkNames.of(owner, id);
        } catch (IllegalArgumentException e) {
            throw Failures.rejected(String.valueOf(id), e.getMessage());
        }
        if (cc.attachment() == null) {
            throw Failures.rejected(id, "cross-connect without an attachment");
        }
        LinkNames names = own;
        if (cc.isSegment()) {
            String service = Segment.serviceOf(cc.segment());
            if (service == null || service.isEmpty()) {
                throw Failures.rejected(id, "segment id '" + cc.segment() + "' does not start with '"
                        + Segment.MARKER_PREFIX + "' and a service's name");
            }
            try {
                names = LinkNames.ofSegment(owner, cc.segment(), cc.attachment().kind() + " " + cc.attachment().parameters());
            } catch (IllegalArgumentException e) {
                throw Failures.rejected(id, "segment " + cc.segment() + ": " + e.getMessage());
            }
        }
        if (cc.vni() < 1 || cc.vni() > 0xFFFFFF) {
            throw Failures.rejected(id, "VNI " + cc.vni() + " outside 1-16777215");
        }
        if (cc.remotePort() < 0 || cc.remotePort() > 65535) {
            throw Failures.rejected(id, "remote UDP port " + cc.remotePort() + " outside 1-65535");
        }
        if (!IpLiteral.isValid(cc.remoteIp())) {
            throw Failures.rejected(id, "remote VXLAN end '" + cc.remoteIp() + "' is not an IP address");
        }
        InetAddress remote = InetAddress.ofLiteral(cc.remoteIp());
        if (remote.getClass() != settings.localIp().getClass()) {
            throw Failures.rejected(id, "remote VXLAN end " + cc.remoteIp() + " and local-ip " + settings.localIp().getHostAddress()
                    + " are of different address families");
        }
        int mtu = cc.mtu() > 0 ? cc.mtu() : defaultMtu;
        WiringContext ctx = new WiringContext(id, names, nl, settings.where(), mtu, settings, namespaces, reaper);
        Optional<AttachmentLeg> leg = AttachmentLeg.of(cc.attachment(), ctx);
        if (leg.isEmpty()) {
            return Optional.empty();
        }
        leg.get().validate();
        return Optional.of(new Wiring(ctx, own, cc, remote, leg.get()));
    }

    private LinkKind.Vxlan vxlanKind() {
        // A point-to-point tunnel has one destination; learning would only add entries that
        // point at the caller's address with ensm's own port.
        return new LinkKind.Vxlan(cc.vni(), viaFdb ? null : remote, ctx.settings().localIp(), ctx.settings().vxlanPort(), false);
    }

    /** This connection's links and the leg's, read in one round trip. */
    private Map<String, Optional<Link>> lookup() {
        List<String> names = new ArrayList<>(List.of(ctx.names().bridge(), own.vxlan()));
        names.addAll(leg.linkNames());
        return ctx.nl().links().get(names);
    }

    /** Makes the kernel match the cross-connect; returns what changed (empty when nothing had to). */
    List<String> apply() throws BackendException {
        Transaction tx = new Transaction(ctx.connectionId());
        try {
            step = "read back";
            Map<String, Optional<Link>> found = lookup();
            Optional<Link> bridge = found.get(ctx.names().bridge());
            Optional<Link> vxlan = found.get(own.vxlan());
            refuseForeign(bridge, ctx.names().marker(), "bridge");
            refuseForeign(vxlan, own.marker(), "vxlan");
            step = "check " + leg.describe();
            leg.precheck(bridge, found);
            step = "bridge " + ctx.names().bridge();
            Link br = ensureBridge(bridge, tx);
            step = leg.describe();
            leg.apply(br.index(), tx);
            step = "vxlan " + own.vxlan() + " (VNI " + cc.vni() + ")";
            ensureVxlan(vxlan, br.index(), tx);
            return tx.changes();
        } catch (NetlinkException e) {
            String undo = tx.rollback();
            throw explain(e, undo);
        } catch (BackendException e) {
            String undo = tx.rollback();
            throw new BackendException(e.kind(), e.getMessage() + "; " + undo, e.getCause());
        } catch (RuntimeException e) {
            String undo = tx.rollback();
            throw Failures.unexpected(ctx.connectionId(), step, e, undo);
        }
    }

    private void refuseForeign(Optional<Link> link, String marker, String kind) throws BackendException {
        if (Owner.of(link, marker, kind) == Owner.FOREIGN) {
            throw Failures.rejected(ctx.connectionId(), "the name of ensm's " + kind + " is taken in " + ctx.where() + " by "
                    + Owner.describe(link.get()) + "; ensm does not touch links it did not make");
        }
    }

    private BackendException explain(NetlinkException e, String undo) {
        if (e.errno() == Errno.EEXIST && step.startsWith("vxlan")) {
            return new BackendException(BackendException.Kind.REJECTED, "connection " + ctx.connectionId() + ": VNI " + cc.vni()
                    + " on UDP port " + ctx.settings().vxlanPort() + " is already used by " + vniHolder() + " in " + ctx.where()
                    + " (" + e.getMessage() + "); " + undo, e);
        }
        BackendException b = Failures.of(ctx.connectionId(), step, e);
        return new BackendException(b.kind(), b.getMessage() + "; " + undo, e);
    }

    private String vniHolder() {
        try {
            return ctx.nl().links().list().stream()
                    .filter(l -> l.vxlan() != null && l.vxlan().vni() == cc.vni() && l.vxlan().port() == ctx.settings().vxlanPort())
                    .map(l -> "VXLAN device " + l.name()).findFirst().orElse("another VXLAN device");
        } catch (NetlinkException e) {
            return "another VXLAN device";
        }
    }

    private Link ensureBridge(Optional<Link> have, Transaction tx) {
        if (have.isPresent() && have.get().isKind("bridge")) {
            LinkOps.repair(ctx.nl(), have.get(), -1, ctx.mtu(), ctx.names().marker(), tx);
            return have.get();
        }
        have.ifPresent(l -> ctx.nl().links().delete(l.index(), l.name()));
        return LinkOps.createUpAndMark(ctx.nl(), ctx.names().bridge(), new LinkKind.Bridge(), ctx.mtu(), 0, ctx.names().marker(), tx);
    }

    private boolean vxlanMatches(Link l) {
        LinkKind.Vxlan want = vxlanKind();
        return l.isKind("vxlan") && l.vxlan() != null && l.vxlan().vni() == want.vni() && l.vxlan().port() == want.port()
                && l.vxlan().learning() == want.learning()
                && want.local().equals(l.vxlan().local())
                && (want.remote() == null ? l.vxlan().remote() == null : want.remote().equals(l.vxlan().remote()));
    }

    private Neighbour fdbEntry(int index) {
        return new Neighbour(index, remote, Neighbour.ALL_ZEROS_MAC, cc.remotePort());
    }

    /** The default-destination entries of the VXLAN device (all-zeros MAC). */
    private List<Neighbour> defaultDestinations(int index) {
        return ctx.nl().neighbours().fdb(index).stream().filter(n -> Arrays.equals(Neighbour.ALL_ZEROS_MAC, n.mac())).toList();
    }

    private boolean isWanted(Neighbour n) {
        return remote.equals(n.destination()) && n.port() == cc.remotePort();
    }

    /** Exactly one default destination, the caller's address and port. */
    private boolean fdbIntact(int index) {
        List<Neighbour> d = defaultDestinations(index);
        return d.size() == 1 && isWanted(d.getFirst());
    }

    private void ensureVxlan(Optional<Link> have, int bridgeIndex, Transaction tx) {
        Link vx;
        if (have.isPresent() && vxlanMatches(have.get())) {
            vx = have.get();
            LinkOps.repair(ctx.nl(), vx, bridgeIndex, ctx.mtu(), own.marker(), tx);
        } else {
            have.ifPresent(l -> ctx.nl().links().delete(l.index(), l.name()));
            vx = LinkOps.createMarkThenUp(ctx.nl(), own.vxlan(), vxlanKind(), ctx.mtu(), bridgeIndex, own.marker(), tx);
        }
        if (viaFdb && !fdbIntact(vx.index())) {
            // Frames would go to every default destination: a stale one (the caller moved) goes.
            boolean present = false;
            for (Neighbour n : defaultDestinations(vx.index())) {
                if (isWanted(n)) {
                    present = true;
                } else {
                    ctx.nl().neighbours().deleteFdb(n);
                }
            }
            if (!present) {
                ctx.nl().neighbours().addFdb(fdbEntry(vx.index()));
            }
            tx.did("forwarding entry to " + remote.getHostAddress() + " port " + cc.remotePort(), () -> { });
        }
    }

    /** PRESENT when all is as connect leaves it, MISSING when none of ensm's links is there, else DRIFTED. */
    Verification verify() throws BackendException {
        try {
            step = "read back";
            Map<String, Optional<Link>> found = lookup();
            Optional<Link> bridge = found.get(ctx.names().bridge());
            Optional<Link> vxlan = found.get(own.vxlan());
            Owner b = Owner.of(bridge, ctx.names().marker(), "bridge");
            Owner v = Owner.of(vxlan, own.marker(), "vxlan");
            AttachmentLeg.State s = leg.verify(b == Owner.OURS ? bridge : Optional.empty(), found);
            // A segment's bridge and port are there for its other connections: the tunnel alone says whether this one is.
            if (v == Owner.ABSENT && (cc.isSegment() || (b == Owner.ABSENT && !s.exists()))) {
                return Verification.MISSING;
            }
            boolean bridgeOk = b == Owner.OURS && bridge.get().isKind("bridge")
                    && LinkOps.intact(bridge.get(), -1, ctx.mtu(), ctx.names().marker());
            boolean vxlanOk = bridgeOk && v == Owner.OURS && vxlanMatches(vxlan.get())
                    && LinkOps.intact(vxlan.get(), bridge.get().index(), ctx.mtu(), own.marker())
                    && (!viaFdb || fdbIntact(vxlan.get().index()));
            return bridgeOk && vxlanOk && s.intact() ? Verification.PRESENT : Verification.DRIFTED;
        } catch (NetlinkException e) {
            throw Failures.of(ctx.connectionId(), step, e);
        } catch (RuntimeException e) {
            throw Failures.unexpected(ctx.connectionId(), step, e, "nothing was changed");
        }
    }

    /**
     * What this connection's links occupy besides their names' owner: the link names, the VNI and
     * the leg's reservations. A connect waits while a closed connection's deletion holds any.
     */
    List<String> keys() {
        List<String> keys = new ArrayList<>(ownKeys());
        keys.addAll(sharedKeys());
        return keys;
    }

    /** What the connection's own links occupy: its VXLAN device's name and VNI. */
    private List<String> ownKeys() {
        return List.of("link:" + own.vxlan(), "vni:" + cc.vni());
    }

    /** What the bridge and the attachment's port occupy (the segment's, for a segment connection). */
    private List<String> sharedKeys() {
        List<String> keys = new ArrayList<>();
        keys.add("link:" + ctx.names().bridge());
        leg.linkNames().forEach(n -> keys.add("link:" + n));
        keys.addAll(leg.reservations());
        return keys;
    }

    /** The segment's bridge name, which its connects and removes are serialized on; empty for a point-to-point connection. */
    Optional<String> segmentBridge() {
        return cc.isSegment() ? Optional.of(ctx.names().bridge()) : Optional.empty();
    }

    /**
     * Stops traffic (the tunnel leaves the bridge; an untagged interface is released) and hands
     * this connection's marked links to the reaper; returns their names.
     */
    List<String> remove() throws BackendException {
        try {
            step = "read back";
            Map<String, Optional<Link>> found = lookup();
            Optional<Link> vxlan = found.get(own.vxlan());
            Optional<Link> bridge = found.get(ctx.names().bridge());
            boolean bridgeOurs = Owner.of(bridge, ctx.names().marker(), "bridge") == Owner.OURS;
            List<Link> doomed = new ArrayList<>();
            if (Owner.of(vxlan, own.marker(), "vxlan") == Owner.OURS) {
                doomed.add(vxlan.get());
                if (vxlan.get().master() != 0) {
                    step = "detach " + own.vxlan();
                    ctx.nl().links().change(vxlan.get().index(), new Links.Change().master(0),
                            "detach " + own.vxlan() + " from its bridge");
                }
            }
            if (cc.isSegment()) {
                return removeFromSegment(doomed, bridgeOurs ? bridge : Optional.empty(), found);
            }
            step = "release " + leg.describe();
            doomed.addAll(leg.release(bridgeOurs ? bridge : Optional.empty(), found));
            if (bridgeOurs) {
                doomed.add(bridge.get());
            }
            if (!doomed.isEmpty()) {
                ctx.reaper().delete(ctx.connectionId(), doomed, keys());
            }
            return doomed.stream().map(Link::name).toList();
        } catch (NetlinkException e) {
            throw Failures.of(ctx.connectionId(), step, e);
        } catch (RuntimeException e) {
            throw Failures.unexpected(ctx.connectionId(), step, e, "links not yet deleted stay marked for the orphan sweep");
        }
    }

    /**
     * Hands the connection's tunnel to the reaper, and the segment's bridge and port too when no
     * other tunnel is left on the bridge (the kernel says who is still a member).
     */
    private List<String> removeFromSegment(List<Link> own, Optional<Link> bridge, Map<String, Optional<Link>> found) throws BackendException {
        List<String> removed = new ArrayList<>(own.stream().map(Link::name).toList());
        if (!own.isEmpty()) {
            ctx.reaper().delete(ctx.connectionId(), own, ownKeys());
        }
        step = "list the ports of " + ctx.names().bridge();
        if (bridge.isPresent() && !otherTunnels(bridge.get()).isEmpty()) {
            return removed;
        }
        step = "release " + leg.describe();
        List<Link> shared = new ArrayList<>(leg.release(bridge, found));
        bridge.ifPresent(shared::add);
        if (!shared.isEmpty()) {
            ctx.reaper().delete(cc.segment(), shared, sharedKeys());
            removed.addAll(shared.stream().map(Link::name).toList());
        }
        return removed;
    }

    /** The VXLAN ports still on the segment's bridge: its other connections' tunnels. */
    private List<String> otherTunnels(Link bridge) {
        return ctx.nl().links().list().stream()
                .filter(l -> l.master() == bridge.index() && l.isKind("vxlan") && !l.name().equals(own.vxlan()))
                .map(Link::name).toList();
    }

    String describe() {
        return "VNI " + cc.vni() + " to " + cc.remoteIp() + ":" + (cc.remotePort() == 0 ? ctx.settings().vxlanPort() : cc.remotePort())
                + (cc.isSegment() ? " on " + cc.segment() + "'s bridge " + ctx.names().bridge() + " with " : " bridged to ") + leg.describe();
    }
}
