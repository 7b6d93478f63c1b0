package io.ensm.forwarder.bridge;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.spi.Forwarder;
import io.ensm.core.spi.Verification;
import io.ensm.forwarder.netlink.Address;
import io.ensm.forwarder.netlink.Link;
import io.ensm.forwarder.netlink.NetlinkException;
import io.ensm.forwarder.netlink.Rtnetlink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * ensm's kernel leg on a Linux host: per connection, a VXLAN device towards the caller's
 * forwarder bridged to the backend's attachment (an untagged interface, a VLAN sub-interface of
 * the uplink, or a veth into a namespace), all through rtnetlink. Every link it makes is named
 * from the connection id and marked with it, so restarts find their links again and orphans can
 * be told from links ensm never made. The connections of a shared segment share one bridge and
 * one attachment port, and each has only its VXLAN device of its own (point to multipoint).
 */
public final class BridgeForwarder implements Forwarder {
    private static final Logger log = LoggerFactory.getLogger(BridgeForwarder.class);
    private static final int DEFAULT_UNDERLAY_MTU = 1500;
    /** A connection has at most three links of its own to delete. */
    private static final int DELETE_PARALLELISM = 3;
    /** Far above what deleting a connection's links takes the kernel (tens of ms). */
    private static final Duration PENDING_DELETE_WAIT = Duration.ofSeconds(10);

    private final BridgeSettings settings;
    /** The owner every link mark names; not imported: the package has an {@code Owner} of links. */
    private final io.ensm.core.spi.Owner owner;
    /** Links whose marks name no owner, reported once each, not every pass. */
    private final Set<String> reportedUnowned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Rtnetlink nl;
    private final ForwarderInfo info;
    private final NamespaceSockets namespaces = new NamespaceSockets();
    private final LinkDeleter deleter;
    private final Reaper reaper;
    /** One lock per segment bridge: its first join and last leave decide from what the kernel holds. */
    private final java.util.concurrent.ConcurrentHashMap<String, Object> segmentLocks = new java.util.concurrent.ConcurrentHashMap<>();

    public BridgeForwarder(BridgeSettings settings, io.ensm.core.spi.Owner owner) {
        this.settings = settings;
        this.owner = owner;
        try {
            this.nl = Rtnetlink.openNamedOrCurrent(settings.netns());
        } catch (NetlinkException e) {
            throw new IllegalArgumentException((settings.netns().isEmpty() ? "" : BridgeSettings.NETNS + ": ")
                    + "cannot open rtnetlink in " + settings.where() + ": " + e.getMessage(), e);
        }
        try {
            this.deleter = new LinkDeleter(DELETE_PARALLELISM, () -> Rtnetlink.openNamedOrCurrent(settings.netns()));
        } catch (NetlinkException e) {
            nl.close();
            throw new IllegalArgumentException("cannot open rtnetlink in " + settings.where() + ": " + e.getMessage(), e);
        }
        this.reaper = new Reaper(() -> Rtnetlink.openNamedOrCurrent(settings.netns()), deleter, settings.where());
        int underlay = settings.mtu() > 0 ? settings.mtu() : detectUnderlayMtu();
        this.info = new ForwarderInfo(settings.localIp().getHostAddress(), settings.vxlanPort(), underlay - settings.overhead());
        log.info("event=forwarder-started type=bridge owner={} namespace=\"{}\" local_ip={} vxlan_port={} underlay_mtu={} mtu={} uplink={}",
                owner, settings.where(), info.localIp(), info.vxlanPort(), underlay, info.mtu(), settings.uplink().isEmpty() ? "-" : settings.uplink());
    }

    /** The MTU of the interface holding local-ip; the common 1500 when no interface holds it yet. */
    private int detectUnderlayMtu() {
        Optional<Address> a = nl.addresses().list(0).stream().filter(x -> x.address().equals(settings.localIp())).findFirst();
        Optional<Link> link = a.flatMap(x -> nl.links().get(x.index()));
        if (link.isEmpty()) {
            log.warn("event=forwarder-local-ip-absent local_ip={} namespace=\"{}\" assumed_underlay_mtu={} "
                            + "reason=\"no interface holds local-ip; VXLAN from callers will not arrive until one does; set 'mtu' to be explicit\"",
                    settings.localIp().getHostAddress(), settings.where(), DEFAULT_UNDERLAY_MTU);
            return DEFAULT_UNDERLAY_MTU;
        }
        return link.get().mtu();
    }

    public BridgeSettings settings() {
        return settings;
    }

    @Override
    public ForwarderInfo info() {
        return info;
    }

    @Override
    public boolean servesSegments() {
        return true;
    }

    private interface SegmentWork<T> {
        T run() throws BackendException;
    }

    /** Runs a segment connection's work alone on its segment's bridge; a point-to-point connection's at once. */
    private <T> T serialized(Wiring w, SegmentWork<T> work) throws BackendException {
        Optional<String> bridge = w.segmentBridge();
        if (bridge.isEmpty()) {
            return work.run();
        }
        synchronized (segmentLocks.computeIfAbsent(bridge.get(), b -> new Object())) {
            return work.run();
        }
    }

    @Override
    public void connect(CrossConnect crossConnect) throws BackendException {
        long start = System.nanoTime();
        Optional<Wiring> wiring = Wiring.of(nl, settings, owner, namespaces, reaper, crossConnect, info.mtu());
        if (wiring.isEmpty()) {
            return;
        }
        serialized(wiring.get(), () -> {
            connect(crossConnect, wiring.get(), start);
            return null;
        });
    }

    private void connect(CrossConnect crossConnect, Wiring w, long start) throws BackendException {
        // A closed connection's links with the same names or VNI may still be on their way out.
        reaper.awaitClear(crossConnect.connectionId(), w.keys(), PENDING_DELETE_WAIT);
        try {
            List<String> changes = w.apply();
            if (changes.isEmpty()) {
                log.debug("event=cross-connect-unchanged connection={}", crossConnect.connectionId());
            } else {
                log.info("event=cross-connect-applied connection={} wiring=\"{}\" changes=\"{}\" took_us={}", crossConnect.connectionId(),
                        w.describe(), String.join(", ", changes), (System.nanoTime() - start) / 1000);
            }
        } catch (BackendException e) {
            log.warn("event=cross-connect-failed connection={} kind={} reason=\"{}\"", crossConnect.connectionId(), e.kind(), e.getMessage());
            throw e;
        }
    }

    @Override
    public void disconnect(CrossConnect crossConnect) throws BackendException {
        Optional<Wiring> wiring = Wiring.of(nl, settings, owner, namespaces, reaper, crossConnect, info.mtu());
        if (wiring.isEmpty()) {
            return;
        }
        List<String> removed = serialized(wiring.get(), wiring.get()::remove);
        if (!removed.isEmpty()) {
            log.info("event=cross-connect-removed connection={} links=\"{}\" deletion=background", crossConnect.connectionId(), String.join(", ", removed));
        }
    }

    @Override
    public Verification verify(CrossConnect crossConnect) throws BackendException {
        Optional<Wiring> wiring = Wiring.of(nl, settings, owner, namespaces, reaper, crossConnect, info.mtu());
        if (wiring.isEmpty()) {
            return Verification.PRESENT;
        }
        // Answers for the kernel as it will be: a deletion of these links still under way counts as done.
        reaper.awaitClear(crossConnect.connectionId(), wiring.get().keys(), PENDING_DELETE_WAIT);
        return serialized(wiring.get(), wiring.get()::verify);
    }

    /**
     * Deletes links marked as this owner's whose connection id {@code isKnown} rejects, tunnels
     * first; links without the mark, with another owner's or with a mark that names none are
     * never looked at twice. A link that cannot be deleted is logged and the sweep goes on.
     */
    @Override
    public Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        int pruned = namespaces.prune();
        if (pruned > 0) {
            log.info("event=namespace-handles-closed count={} reason=\"namespace deleted or replaced\"", pruned);
        }
        List<Link> all;
        try {
            all = nl.links().list();
        } catch (NetlinkException e) {
            throw new BackendException(Failures.kindOf(e.errno()), "orphan sweep: " + e.getMessage(), e);
        }
        Set<String> removed = new LinkedHashSet<>();
        all.stream()
                .filter(l -> !reaper.holds("link:" + l.name()))
                .filter(l -> LinkNames.markOf(l.alias()).filter(m -> !isKnown.test(m.connectionId())).filter(m -> ownMark(l, m)).isPresent())
                .sorted(Comparator.comparingInt(BridgeForwarder::deletionOrder))
                .forEach(l -> {
                    String id = LinkNames.connectionIdOf(l.alias()).orElseThrow();
                    try {
                        nl.links().delete(l.index(), l.name());
                        removed.add(id);
                        log.info("event=orphan-link-removed link={} kind={} connection={} namespace=\"{}\"", l.name(), l.kind(), id, settings.where());
                    } catch (NetlinkException e) {
                        log.warn("event=orphan-link-remove-failed link={} connection={} reason=\"{}\"", l.name(), id, e.getMessage());
                    }
                });
        return removed;
    }

    /**
     * Whether a marked link of an unknown connection is this owner's to sweep. Another owner's
     * link is that ensm's; one whose mark names no owner was made before marks named one, by
     * this ensm or another on the host: it is reported once and left alone.
     */
    private boolean ownMark(Link l, LinkNames.Mark m) {
        if (m.owner().equals(owner.name())) {
            return true;
        }
        if (m.owner().isEmpty() && reportedUnowned.add(l.name() + "/" + m.connectionId())) {
            log.info("event=orphan-link-skipped link={} connection={} namespace=\"{}\" reason=\"its mark names no owner: not swept,"
                    + " since it may be another ensm's; delete it by hand if it is nobody's\"", l.name(), m.connectionId(), settings.where());
        }
        return false;
    }

    /** Tunnels first (traffic stops at once), bridges last. */
    private static int deletionOrder(Link l) {
        return switch (l.kind()) {
            case "vxlan" -> 0;
            case "bridge" -> 2;
            default -> 1;
        };
    }

    /** Waits up to {@code max} for the deletion of closed connections' links; whether all are gone. */
    public boolean settle(Duration max) {
        return reaper.drain(max);
    }

    /** The reaper, for tests that inject failures into deletions. */
    Reaper reaper() {
        return reaper;
    }

    @Override
    public void close() {
        reaper.close();
        deleter.close();
        namespaces.close();
        nl.close();
    }
}
