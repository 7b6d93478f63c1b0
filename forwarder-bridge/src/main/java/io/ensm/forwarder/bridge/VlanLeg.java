package io.ensm.forwarder.bridge;

import io.ensm.core.spi.BackendException;
import io.ensm.forwarder.netlink.Errno;
import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.netlink.LinkKind;
import io.ensm.forwarder.netlink.LinkNameRules;
import io.ensm.forwarder.netlink.NetlinkException;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An 802.1Q sub-interface of the uplink towards the box or fabric, made by ensm and joined to
 * the bridge. Needs the kernel's 8021q support; without it the kernel refuses the link kind.
 */
final class VlanLeg implements AttachmentLeg {
    private final WiringContext ctx;
    private final String uplinkAsked;
    private final int vlanId;

    VlanLeg(WiringContext ctx, String uplink, int vlanId) {
        this.ctx = ctx;
        this.uplinkAsked = uplink == null ? "" : uplink;
        this.vlanId = vlanId;
    }

    private String uplink() {
        return uplinkAsked.isBlank() ? ctx.settings().uplink() : uplinkAsked;
    }

    private Optional<Link> seenVlan = Optional.empty();
    private Link seenUplink;

    @Override
    public void validate() throws BackendException {
        if (uplink().isEmpty()) {
            throw Failures.rejected(ctx.connectionId(), "VLAN attachment " + vlanId + " names no uplink and the forwarder setting '"
                    + BridgeSettings.UPLINK + "' is empty");
        }
        String problem = LinkNameRules.problem(uplink());
        if (problem != null) {
            throw Failures.rejected(ctx.connectionId(), "VLAN attachment " + vlanId + ": uplink name '" + uplink() + "' " + problem);
        }
    }

    @Override
    public List<String> linkNames() {
        return List.of(ctx.names().vlan(), uplink());
    }

    private boolean matches(Link l, Link parent) {
        return l.isKind("vlan") && l.parent() == parent.index() && l.vlanId() == vlanId;
    }

    @Override
    public void precheck(Optional<Link> bridge, Map<String, Optional<Link>> found) throws BackendException {
        seenUplink = found.get(uplink()).orElseThrow(() -> Failures.notFound(ctx.connectionId(),
                "VLAN attachment " + vlanId + ": uplink '" + uplink() + "' does not exist in " + ctx.where()));
        seenVlan = found.get(ctx.names().vlan());
        if (Owner.of(seenVlan, ctx.names().marker(), "vlan") == Owner.FOREIGN) {
            throw Failures.rejected(ctx.connectionId(), "the name of ensm's VLAN sub-interface is taken in " + ctx.where() + " by "
                    + Owner.describe(seenVlan.get()));
        }
    }

    @Override
    public void apply(int bridgeIndex, Transaction tx) throws BackendException {
        Link parent = seenUplink;
        Optional<Link> have = seenVlan;
        if (have.isPresent() && matches(have.get(), parent)) {
            LinkOps.repair(ctx.nl(), have.get(), bridgeIndex, ctx.mtu(), ctx.names().marker(), tx);
            return;
        }
        have.ifPresent(l -> ctx.nl().links().delete(l.index(), l.name()));
        try {
            LinkOps.createMarkThenUp(ctx.nl(), ctx.names().vlan(), new LinkKind.Vlan(parent.index(), vlanId), ctx.mtu(), bridgeIndex,
                    ctx.names().marker(), tx);
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EOPNOTSUPP) {
                throw new BackendException(BackendException.Kind.REJECTED, "connection " + ctx.connectionId()
                        + ": VLAN sub-interface " + ctx.names().vlan() + " (VLAN " + vlanId + " on " + uplink() + ") cannot be created: "
                        + "this kernel has no 802.1Q VLAN support (module 8021q neither loaded nor loadable): " + e.getMessage(), e);
            }
            throw e;
        }
    }

    @Override
    public State verify(Optional<Link> bridge, Map<String, Optional<Link>> found) {
        Optional<Link> have = found.get(ctx.names().vlan());
        if (Owner.of(have, ctx.names().marker(), "vlan") != Owner.OURS) {
            return new State(false, false);
        }
        Optional<Link> parent = found.get(uplink());
        boolean intact = bridge.isPresent() && parent.isPresent() && matches(have.get(), parent.get())
                && LinkOps.intact(have.get(), bridge.get().index(), ctx.mtu(), ctx.names().marker());
        return new State(true, intact);
    }

    @Override
    public List<Link> release(Optional<Link> bridge, Map<String, Optional<Link>> found) {
        Optional<Link> have = found.get(ctx.names().vlan());
        return Owner.of(have, ctx.names().marker(), "vlan") == Owner.OURS ? List.of(have.get()) : List.of();
    }

    @Override
    public String describe() {
        return "VLAN " + vlanId + " on " + (uplink().isEmpty() ? "(no uplink)" : uplink()) + " as " + ctx.names().vlan();
    }
}
