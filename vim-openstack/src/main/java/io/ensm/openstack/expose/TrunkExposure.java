package io.ensm.openstack.expose;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.openstack.Target;
import io.ensm.openstack.neutron.Models.Network;
import io.ensm.openstack.neutron.Models.Port;
import io.ensm.openstack.neutron.Models.Subport;
import io.ensm.openstack.neutron.Models.Trunk;
import io.ensm.openstack.neutron.Neutron;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A VM as an NSE through its trunk: a connection is a port on the subport network of its VLAN,
 * added to the trunk as a subport with segmentation type vlan and the connection's VLAN id, so
 * the VM sees a tagged sub-interface. Per new connection: one lookup by marker, one create (plus
 * one tag request on a Neutron without tag-creation), one add_subports. If adding the subport
 * fails, the port is deleted again.
 */
public final class TrunkExposure implements Exposure {
    private static final Logger log = LoggerFactory.getLogger(TrunkExposure.class);

    private final Neutron neutron;
    private final MarkedPorts ports;
    private final SubportNetworks pool;
    private final Target target;
    private final boolean macOfParent;
    private volatile Resolved resolved;

    /** The trunk as found: its id, and its parent port's MAC for the subports. */
    record Resolved(String trunkId, String parentMac) {}

    public TrunkExposure(Neutron neutron, MarkedPorts ports, SubportNetworks pool, Target target, boolean macOfParent) {
        if (target instanceof Target.Network) {
            throw new IllegalArgumentException("a trunk endpoint needs a trunk or a server");
        }
        this.neutron = neutron;
        this.ports = ports;
        this.pool = pool;
        this.target = target;
        this.macOfParent = macOfParent;
    }

    @Override
    public void provision(ProvisionIntent intent) throws BackendException {
        String id = intent.connectionId();
        Marker.check(id);
        int vlan = intent.allocation().vlanId();
        Network net = pool.networkFor(vlan);
        Resolved trunk = trunk();
        List<String> ips = Addresses.of(intent);
        Optional<Port> existing = ports.find(id);
        if (existing.isPresent() && !existing.get().networkId().equals(net.id())) {
            detach(trunk, existing.get(), id);
            ports.delete(existing.get());
            existing = Optional.empty();
        }
        if (existing.isPresent()) {
            repair(trunk, existing.get(), id, vlan, ips);
            return;
        }
        Port port;
        try {
            port = ports.create(id, net.id(), ips, macOfParent ? trunk.parentMac() : null);
        } catch (BackendException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                pool.forget();
            }
            throw e;
        }
        try {
            neutron.addSubport(trunk.trunkId(), port.id(), vlan);
        } catch (BackendException e) {
            ports.deleteQuietly(port, id, "adding it to trunk " + trunk.trunkId() + " failed");
            if (e.kind() == Kind.NOT_FOUND) {
                resolved = null;
            }
            throw e;
        }
        log.info("event=openstack-subport-added endpoint={} connection={} trunk={} port={} network={} vlan={} fixed_ips={}",
                ports.marker().endpoint(), id, trunk.trunkId(), port.id(), net.id(), vlan, ips);
    }

    /** An existing port: right addresses, and a subport of the trunk with the right VLAN. */
    private void repair(Resolved trunk, Port port, String id, int vlan, List<String> ips) throws BackendException {
        if (!Addresses.same(port.addresses(), ips)) {
            neutron.updateFixedIps(port.id(), ips);
            log.info("event=openstack-port-repaired endpoint={} connection={} port={} fixed_ips={} was={}",
                    ports.marker().endpoint(), id, port.id(), ips, port.addresses());
        }
        Optional<Subport> sub = subportOf(trunk, port);
        if (sub.isPresent() && sub.get().segmentationId() == vlan && "vlan".equals(sub.get().segmentationType())) {
            return;
        }
        if (sub.isPresent()) {
            neutron.removeSubport(trunk.trunkId(), port.id());
        }
        neutron.addSubport(trunk.trunkId(), port.id(), vlan);
        log.info("event=openstack-subport-repaired endpoint={} connection={} trunk={} port={} vlan={} was={}",
                ports.marker().endpoint(), id, trunk.trunkId(), port.id(), vlan,
                sub.map(s -> s.segmentationType() + " " + s.segmentationId()).orElse("not a subport"));
    }

    @Override
    public void release(ProvisionIntent intent) throws BackendException {
        String id = intent.connectionId();
        Marker.check(id);
        Optional<Port> port = ports.find(id);
        if (port.isEmpty()) {
            port = untagged(id, intent.allocation().vlanId());
        }
        if (port.isEmpty()) {
            return;
        }
        detach(trunkIfPresent(), port.get(), id);
        if (ports.delete(port.get())) {
            log.info("event=openstack-subport-deleted endpoint={} connection={} port={}", ports.marker().endpoint(), id, port.get().id());
        }
    }

    @Override
    public Verification verify(ProvisionIntent intent) throws BackendException {
        Marker.check(intent.connectionId());
        Optional<Port> port = ports.find(intent.connectionId());
        if (port.isEmpty()) {
            return Verification.MISSING;
        }
        Port p = port.get();
        int vlan = intent.allocation().vlanId();
        if (!p.networkId().equals(pool.networkFor(vlan).id()) || !Addresses.same(p.addresses(), Addresses.of(intent))) {
            return Verification.DRIFTED;
        }
        Optional<Subport> sub = subportOf(trunk(), p);
        return sub.isPresent() && sub.get().segmentationId() == vlan ? Verification.PRESENT : Verification.DRIFTED;
    }

    /**
     * Not yet: a segment on a trunk would be one subport for all its connections, on a network
     * that holds every client's address, which this endpoint's per-connection subports are not.
     */
    @Override
    public boolean servesSegments() {
        return false;
    }

    @Override
    public List<String> reserved() {
        return List.of();
    }

    @Override
    public void joinSegment(ProvisionIntent intent) throws BackendException {
        throw new BackendException(BackendException.Kind.REJECTED, "endpoint " + ports.marker().endpoint()
                + ": a trunk endpoint does not serve shared segments (a network endpoint does)");
    }

    @Override
    public Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        Set<String> removed = new LinkedHashSet<>();
        Resolved trunk = null;
        for (Port p : ports.all()) {
            Optional<String> id = Marker.connectionOf(p.tags());
            if (id.isEmpty() || isKnown.test(id.get())) {
                continue;
            }
            if (trunk == null) {
                trunk = trunkIfPresent();
            }
            detach(trunk, p, id.get());
            if (ports.delete(p)) {
                removed.add(id.get());
                log.info("event=openstack-orphan-deleted endpoint={} connection={} port={}", ports.marker().endpoint(), id.get(), p.id());
            }
        }
        return removed;
    }

    private Optional<Port> untagged(String id, int vlan) throws BackendException {
        try {
            return ports.findUntagged(id, pool.networkFor(vlan).id());
        } catch (BackendException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Takes the port out of the trunk; a trunk that is gone has no subports left to remove. */
    private void detach(Resolved trunk, Port port, String id) throws BackendException {
        if (trunk == null) {
            return;
        }
        try {
            if (neutron.removeSubport(trunk.trunkId(), port.id())) {
                log.info("event=openstack-subport-removed endpoint={} connection={} trunk={} port={}",
                        ports.marker().endpoint(), id, trunk.trunkId(), port.id());
            }
        } catch (BackendException e) {
            if (e.kind() != Kind.NOT_FOUND) {
                throw e;
            }
            resolved = null;
        }
    }

    private Optional<Subport> subportOf(Resolved trunk, Port port) throws BackendException {
        Trunk t;
        try {
            t = neutron.trunk(trunk.trunkId());
        } catch (BackendException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                resolved = null;
            }
            throw e;
        }
        return t.subports().stream().filter(s -> s.portId().equals(port.id())).findFirst();
    }

    private Resolved trunkIfPresent() throws BackendException {
        try {
            return trunk();
        } catch (BackendException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private Resolved trunk() throws BackendException {
        Resolved r = resolved;
        if (r != null) {
            return r;
        }
        Trunk t = switch (target) {
            case Target.Trunk named -> neutron.trunk(named.trunk());
            case Target.Server server -> trunkOfServer(server.serverId());
            case Target.Network n -> throw new IllegalStateException("not a trunk endpoint");
        };
        Port parent = neutron.port(t.portId());
        r = new Resolved(t.id(), parent.macAddress());
        resolved = r;
        log.info("event=openstack-trunk-resolved endpoint={} target=\"{}\" trunk={} parent_port={}",
                ports.marker().endpoint(), target.describe(), t.id(), t.portId());
        return r;
    }

    private Trunk trunkOfServer(String serverId) throws BackendException {
        List<String> trunkIds = neutron.ports(Neutron.filters("device_id", serverId)).stream()
                .map(Port::trunkId).filter(tid -> tid != null && !tid.isEmpty()).distinct().toList();
        if (trunkIds.isEmpty()) {
            throw new BackendException(Kind.NOT_FOUND, "server " + serverId + " has no port that is a trunk parent");
        }
        if (trunkIds.size() > 1) {
            throw new BackendException(Kind.REJECTED, "server " + serverId + " has " + trunkIds.size()
                    + " trunks (" + trunkIds + "); name the trunk instead");
        }
        return neutron.trunk(trunkIds.getFirst());
    }
}
