package io.ensm.forwarder.bridge;

import io.ensm.core.spi.BackendException;
import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.netlink.LinkNameRules;
import io.ensm.forwarder.netlink.Links;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An existing interface of the host (the box's port, a dedicated uplink) that ensm does not own:
 * it only joins it to the connection's bridge and brings it up. It must not be a port of
 * another bridge, and it is never deleted.
 */
final class UntaggedLeg implements AttachmentLeg {
    private final WiringContext ctx;
    private final String name;
    private Link seen;

    UntaggedLeg(WiringContext ctx, String name) {
        this.ctx = ctx;
        this.name = name;
    }

    @Override
    public void validate() throws BackendException {
        String problem = LinkNameRules.problem(name);
        if (problem != null) {
            throw Failures.rejected(ctx.connectionId(), "untagged attachment: interface name '" + name + "' " + problem);
        }
    }

    @Override
    public List<String> linkNames() {
        return List.of(name);
    }

    @Override
    public void precheck(Optional<Link> bridge, Map<String, Optional<Link>> found) throws BackendException {
        Link l = found.get(name).orElseThrow(() -> Failures.notFound(ctx.connectionId(),
                "untagged attachment: interface '" + name + "' does not exist in " + ctx.where()));
        if (LinkNames.connectionIdOf(l.alias()).isPresent()) {
            throw Failures.rejected(ctx.connectionId(), "untagged attachment: interface '" + name + "' is ensm's own "
                    + Owner.describe(l) + ", not an interface of the host");
        }
        int ours = bridge.map(Link::index).orElse(0);
        if (l.master() != 0 && l.master() != ours) {
            String master = ctx.nl().links().get(l.master()).map(Link::name).orElse("#" + l.master());
            throw Failures.rejected(ctx.connectionId(), "untagged attachment: interface '" + name + "' is already a port of "
                    + master + " in " + ctx.where() + "; ensm does not take interfaces from other bridges");
        }
        seen = l;
    }

    @Override
    public void apply(int bridgeIndex, Transaction tx) {
        Link l = seen;
        if (l.master() == bridgeIndex && l.up()) {
            return;
        }
        boolean wasUp = l.up();
        int wasMaster = l.master();
        Links links = ctx.nl().links();
        links.change(l.index(), new Links.Change().master(bridgeIndex).up(true), "join " + name + " to bridge " + ctx.names().bridge());
        tx.did("joined " + name + " to " + ctx.names().bridge(),
                () -> links.change(l.index(), new Links.Change().master(wasMaster).up(wasUp), "give " + name + " back"));
    }

    @Override
    public State verify(Optional<Link> bridge, Map<String, Optional<Link>> found) {
        Optional<Link> l = found.get(name);
        boolean intact = l.isPresent() && bridge.isPresent() && l.get().master() == bridge.get().index() && l.get().up();
        return new State(false, intact);
    }

    @Override
    public List<Link> release(Optional<Link> bridge, Map<String, Optional<Link>> found) {
        Optional<Link> l = found.get(name);
        if (l.isPresent() && bridge.isPresent() && l.get().master() == bridge.get().index()) {
            ctx.nl().links().change(l.get().index(), new Links.Change().master(0), "release " + name + " from " + bridge.get().name());
        }
        return List.of(); // the host's interface stays
    }

    @Override
    public String describe() {
        return "untagged " + name;
    }
}
