package io.ensm.openstack.expose;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.BackendException.Kind;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.openstack.neutron.Models.Network;
import io.ensm.openstack.neutron.Models.Port;
import io.ensm.openstack.neutron.Neutron;
import io.ensm.openstack.neutron.NeutronFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A Neutron provider VLAN network as an NSE: a connection is a port on the network with the
 * connection's addresses as fixed IPs; the network's provider segment is the VLAN on ensm's
 * uplink. Per new connection: one lookup by marker, one create (plus one tag request on a
 * Neutron without tag-creation).
 *
 * <p>On a shared segment every connection is such a port too, with the client's address as its
 * fixed IP, so Neutron never gives that address to anything else; the segment itself is the
 * network and its subnets, which the operator made and ensm only checks at the first join.
 */
public final class NetworkExposure implements Exposure {
    private static final Logger log = LoggerFactory.getLogger(NetworkExposure.class);

    private final Neutron neutron;
    private final MarkedPorts ports;
    private final String networkRef;
    private final String physicalNetwork;
    private final int segment;
    private final TakenAddresses taken;
    private volatile Network network;

    /**
     * @param networkRef the network's id or unique name
     * @param segment    its provider segment: the VLAN every connection of this endpoint uses
     */
    public NetworkExposure(Neutron neutron, MarkedPorts ports, String networkRef, String physicalNetwork, int segment) {
        this.neutron = neutron;
        this.ports = ports;
        this.networkRef = networkRef;
        this.physicalNetwork = physicalNetwork;
        this.segment = segment;
        this.taken = new TakenAddresses(neutron, ports.marker());
    }

    /**
     * Reads a network and, when this user may see its provider attributes, checks that it is a
     * VLAN network on the physical network ensm's uplink reaches.
     *
     * @throws BackendException REJECTED when it is another kind of network
     */
    public static Network checked(Neutron neutron, String networkRef, String physicalNetwork) throws BackendException {
        Network n = neutron.network(networkRef);
        if (n.providerVisible() && (!"vlan".equals(n.networkType()) || !physicalNetwork.equals(n.physicalNetwork()))) {
            throw new BackendException(Kind.REJECTED, "network " + networkRef + " is a " + n.networkType() + " network"
                    + (n.physicalNetwork() == null ? "" : " on " + n.physicalNetwork()) + ", not a VLAN network on " + physicalNetwork);
        }
        return n;
    }

    /** The segment of a network, which must be visible to this user. */
    public static int segmentOf(Neutron neutron, String networkRef, String physicalNetwork) throws BackendException {
        Network n = checked(neutron, networkRef, physicalNetwork);
        if (!n.providerVisible()) {
            throw new BackendException(Kind.REJECTED, "network " + networkRef + ": its provider attributes are hidden from this user"
                    + " (Neutron shows them to admins by default); set vlans to its segmentation id");
        }
        return n.segmentationId();
    }

    @Override
    public void provision(ProvisionIntent intent) throws BackendException {
        String id = intent.connectionId();
        Marker.check(id);
        Network net = network();
        List<String> ips = Addresses.of(intent);
        Optional<Port> existing = ports.find(id);
        if (existing.isPresent()) {
            Port p = existing.get();
            if (!p.networkId().equals(net.id())) {
                ports.delete(p);
                log.info("event=openstack-port-replaced endpoint={} connection={} port={} reason=\"on network {} instead of {}\"",
                        ports.marker().endpoint(), id, p.id(), p.networkId(), net.id());
            } else {
                if (!Addresses.same(p.addresses(), ips)) {
                    neutron.updateFixedIps(p.id(), ips);
                    log.info("event=openstack-port-repaired endpoint={} connection={} port={} fixed_ips={} was={}",
                            ports.marker().endpoint(), id, p.id(), ips, p.addresses());
                }
                return;
            }
        }
        try {
            Port p = ports.create(id, net.id(), ips, null);
            log.info("event=openstack-port-created endpoint={} connection={} port={} network={} vlan={} fixed_ips={}",
                    ports.marker().endpoint(), id, p.id(), net.id(), segment, ips);
        } catch (BackendException e) {
            if (e.kind() == Kind.NOT_FOUND) {
                network = null;
            }
            if (intent.segment() != null && inUse(e)) {
                throw takenByAnotherPort(e, net);
            }
            throw e;
        }
    }

    /** Reads what the network's other ports hold, so that the next connection gets none of it. */
    private BackendException takenByAnotherPort(BackendException refusal, Network net) {
        try {
            int held = taken.read(net.id()).size();
            return new BackendException(Kind.REJECTED, refusal.getMessage() + "; another port on network " + networkRef
                    + " holds it, and new connections of the segment get none of " + held + " such addresses from now on");
        } catch (BackendException e) {
            log.warn("event=openstack-taken-read-failed endpoint={} network={} reason=\"{}\"", ports.marker().endpoint(), net.id(),
                    e.getMessage());
            return refusal;
        }
    }

    /** Neutron's refusal of a fixed IP that another port holds. */
    private static boolean inUse(BackendException e) {
        return e instanceof NeutronFailure f && (f.type().equals("IpAddressAlreadyAllocated") || f.type().equals("IpAddressInUse"));
    }

    @Override
    public void release(ProvisionIntent intent) throws BackendException {
        String id = intent.connectionId();
        Marker.check(id);
        Optional<Port> port = ports.find(id);
        if (port.isEmpty()) {
            Network net = network;
            port = net == null ? Optional.empty() : ports.findUntagged(id, net.id());
        }
        if (port.isPresent() && ports.delete(port.get())) {
            log.info("event=openstack-port-deleted endpoint={} connection={} port={}", ports.marker().endpoint(), id, port.get().id());
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
        if (!p.networkId().equals(network().id()) || !Addresses.same(p.addresses(), Addresses.of(intent))) {
            return Verification.DRIFTED;
        }
        return Verification.PRESENT;
    }

    @Override
    public boolean servesSegments() {
        return true;
    }

    /**
     * Checks that the segment is this network: its VLAN is the network's segment, and each of its
     * subnets is one of the network's with the same gateway. Writes nothing: the network's
     * subnets and their gateway are the segment's shared part, and they are the operator's.
     */
    @Override
    public void joinSegment(ProvisionIntent intent) throws BackendException {
        Network net = network();
        int vlan = intent.allocation().vlanId();
        String service = intent.endpoint().service();
        if (vlan != segment) {
            throw new BackendException(Kind.REJECTED, "network " + networkRef + " is VLAN " + segment + ", but the segment of service "
                    + service + " has VLAN " + vlan + "; set the segment's vlan to 0 or " + segment);
        }
        SegmentSubnets.check(networkRef, service, neutron.subnets(net.id()), intent.allocation().endpointAddrs());
        List<String> held = taken.read(net.id());
        log.info("event=openstack-segment-checked endpoint={} service={} network={} vlan={} gateways={} taken_by_other_ports={}",
                ports.marker().endpoint(), service, net.id(), segment, intent.allocation().endpointAddrs(), held.size());
        List<String> clash = Addresses.of(intent).stream()
                .filter(a -> held.stream().anyMatch(h -> Addresses.same(List.of(a), List.of(h)))).toList();
        if (!clash.isEmpty()) {
            throw new BackendException(Kind.REJECTED, "address " + String.join(", ", clash) + " of connection " + intent.connectionId()
                    + " is held by another port on network " + networkRef + "; new connections of the segment get none of "
                    + held.size() + " such addresses from now on");
        }
    }

    /** What other ports hold on the network, as last read: new connections of the segment get none of it. */
    @Override
    public List<String> reserved() {
        return taken.now();
    }

    @Override
    public Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        Set<String> removed = new LinkedHashSet<>();
        for (Port p : ports.all()) {
            Optional<String> id = Marker.connectionOf(p.tags());
            if (id.isPresent() && !isKnown.test(id.get()) && ports.delete(p)) {
                removed.add(id.get());
                log.info("event=openstack-orphan-deleted endpoint={} connection={} port={}", ports.marker().endpoint(), id.get(), p.id());
            }
        }
        return removed;
    }

    private Network network() throws BackendException {
        Network n = network;
        if (n != null) {
            return n;
        }
        n = checked(neutron, networkRef, physicalNetwork);
        if (n.providerVisible() && n.segmentationId() != segment) {
            throw new BackendException(Kind.REJECTED, "network " + networkRef + " now has segment " + n.segmentationId()
                    + ", but this endpoint serves VLAN " + segment + "; restart ensm to take the new segment");
        }
        network = n;
        return n;
    }
}
