package io.ensm.tf.backend;

import io.ensm.core.model.PlanKind;
import io.ensm.core.model.Segment;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.ReadBack;
import io.ensm.core.spi.Verification;
import io.ensm.tf.backend.ConnectionObjects.Desired;
import io.ensm.tf.backend.ConnectionObjects.Ip;
import io.ensm.tf.vnc.VncClient;
import io.ensm.tf.vnc.VncException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import static io.ensm.tf.backend.ConnectionObjects.INSTANCE_IP;
import static io.ensm.tf.backend.ConnectionObjects.INTERFACE;

/**
 * A TF virtual network as an NSE. Each connection becomes a virtual-machine-interface bound to the
 * virtual-port-group of ensm's fabric uplink with ensm's VLAN, plus an instance-ip per address
 * family (see {@link ConnectionObjects}); the forwarder gets that VLAN on ensm's uplink. Objects
 * are created first and looked at only when TF says they exist, so a new connection costs one call
 * per object; a failure half-way deletes what this call created. Close deletes the instance-ips,
 * then the interface (TF refuses to delete an interface an instance-ip still refers to).
 *
 * <p>A shared segment's connections have one interface between them on the group, with the
 * segment's VLAN (one VLAN per network on a group: what an enterprise-style fabric allows), made by
 * {@link #joinSegment} and deleted by {@link #leaveSegment}; each connection only reserves its
 * client addresses as instance-ips of the network, made by {@link #provision} and deleted by
 * {@link #release}. Those refer to the network alone, so the interface can be deleted, or
 * re-created by a repair, whoever is on the segment.
 */
public final class TungstenBackend implements Backend {
    public static final String TYPE = "tungsten";
    private static final Logger log = LoggerFactory.getLogger(TungstenBackend.class);

    private final String endpoint;
    private final String owner;
    private final TungstenSettings settings;
    private final VncClient client;
    private final AnchorResolver resolver;
    private final ConnectionObjects objects;
    private final BackendCapabilities baseCapabilities;
    /** The endpoint's service's segment; null when its connections are point to point. */
    private final Segment segment;
    private volatile BackendCapabilities capabilities;
    private volatile Anchors anchors;

    /**
     * @param owner   the name every mark this backend writes carries; only objects with it are swept
     * @param segment the endpoint's service's segment, or null
     */
    TungstenBackend(String endpoint, TungstenSettings settings, VncClient client, Owner owner, Segment segment) {
        this.endpoint = endpoint;
        this.owner = owner.name();
        this.settings = settings;
        this.client = client;
        this.segment = segment;
        this.resolver = new AnchorResolver(client, settings, segment != null);
        this.objects = new ConnectionObjects(endpoint, this.owner);
        this.baseCapabilities = new BackendCapabilities(settings.plans(), settings.vlanPool(), settings.vlans(), null);
        this.capabilities = baseCapabilities;
    }

    /** Finds the configured network, fabric and port group now; the provider turns failures into start-up errors. */
    void start() throws VncException, AnchorResolver.Missing {
        Anchors a = resolver.resolve();
        use(a);
        log.info("event=tf-endpoint-ready endpoint={} api={} network={} network_uuid={} port_group={} ports={} tf_reserved={}",
                endpoint, client.base(), a.network(), a.networkUuid(), a.portGroup(), a.links().size(), a.reserved());
        if (segment != null) {
            checkGateways(a);
        }
    }

    /**
     * A segment's gateway that TF does not keep for itself (its subnet's gateway, service address,
     * network or broadcast) may be handed by TF to a workload of the network. Not refused: the
     * gateway may be a router TF does not manage, with the address kept out of TF's allocation.
     */
    private void checkGateways(Anchors a) {
        for (String gateway : segment.gateways()) {
            if (a.reserved().stream().noneMatch(r -> ConnectionObjects.sameAddress(r, gateway))) {
                log.warn("event=tf-segment-gateway-not-reserved endpoint={} network={} gateway={} tf_reserved={} reason=\"TF may give"
                        + " this address to another interface of the network; the subnet's gateway in TF is the usual choice\"",
                        endpoint, a.network(), gateway, a.reserved());
            }
        }
    }

    /** New connections get no address TF keeps in the network's subnets as they are now. */
    private void use(Anchors a) {
        anchors = a;
        capabilities = baseCapabilities.withReservedAddresses(a.reserved());
    }

    @Override
    public BackendCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public Attachment provision(ProvisionIntent intent) throws BackendException {
        Anchors a = anchors();
        boolean onSegment = intent.segment() != null;
        Desired d = onSegment ? objects.client(intent, a) : objects.desired(intent, a);
        Deque<Created> created = new ArrayDeque<>();
        try {
            if (!onSegment) {
                ensureInterface(d, a, created); // a segment's is made by joinSegment
            }
            for (Ip ip : d.ips()) {
                ensureIp(ip, d, a, created);
            }
        } catch (BackendException e) {
            undo(created, d.connectionId());
            throw e;
        }
        log.info("event=tf-connection-provisioned endpoint={} connection={} interface={} vlan={} addresses={}",
                endpoint, d.connectionId(), d.interfaceUuid(), d.vlan(), d.ips().stream().map(Ip::address).toList());
        return attachment(intent, d.vlan());
    }

    private Attachment attachment(ProvisionIntent intent, int vlan) {
        return intent.plan() == PlanKind.FABRIC_VLAN ? new Attachment.FabricVlan(vlan) : new Attachment.Vlan(settings.uplink(), vlan);
    }

    @Override
    public void release(ProvisionIntent intent) throws BackendException {
        String id = intent.connectionId();
        boolean onSegment = intent.segment() != null;
        List<String> addresses = onSegment ? intent.allocation().clientAddrs() : intent.allocation().endpointAddrs();
        List<String> ips = addresses.stream()
                .map(a -> ObjectIds.instanceIpUuid(endpoint, id, a.indexOf(':') >= 0 ? ObjectIds.V6 : ObjectIds.V4)).toList();
        for (String uuid : ips.reversed()) {
            delete(INSTANCE_IP, uuid, "delete instance-ip " + uuid + " of connection " + id);
        }
        if (onSegment) {
            log.info("event=tf-connection-released endpoint={} connection={} segment={}", endpoint, id, intent.segmentMarker());
            return; // the segment's interface goes with leaveSegment, after its last connection
        }
        String vmi = ObjectIds.interfaceUuid(endpoint, id);
        String step = "delete virtual-machine-interface " + vmi + " of connection " + id;
        try {
            client.delete(INTERFACE, vmi);
        } catch (VncException e) {
            if (!e.isConflict()) {
                throw Faults.of(step, e);
            }
            // Still referred to: an instance-ip of ours from an earlier allocation may be left; anything else is not ours.
            Optional<ObjectNode> existing = read(INTERFACE, vmi, step);
            if (existing.isEmpty() || deleteOwnIps(existing.get(), id, Set.of(), step) == 0) {
                throw Faults.of(step, e);
            }
            delete(INTERFACE, vmi, step);
        }
        log.info("event=tf-connection-released endpoint={} connection={} interface={}", endpoint, id, vmi);
    }

    @Override
    public Verification verify(ProvisionIntent intent) throws BackendException {
        Anchors a = anchors();
        if (intent.segment() != null) {
            String step = "read back connection " + intent.connectionId();
            return verifyOnSegment(intent, a, uuid -> read(INTERFACE, uuid, step), uuid -> read(INSTANCE_IP, uuid, step));
        }
        Desired d = objects.desired(intent, a);
        String step = "read back connection " + d.connectionId();
        Optional<ObjectNode> vmi = read(INTERFACE, d.interfaceUuid(), step);
        if (vmi.isEmpty()) {
            return Verification.MISSING;
        }
        Optional<String> diff = objects.interfaceDifference(vmi.get(), d, a);
        if (diff.isEmpty()) {
            Set<String> stale = staleIps(vmi.get(), d);
            diff = stale.isEmpty() ? Optional.empty() : Optional.of("it has instance-ips of an earlier allocation " + stale);
        }
        diff = diff.isPresent() ? diff : ipsDifference(d, a, uuid -> read(INSTANCE_IP, uuid, step));
        if (diff.isPresent()) {
            log.info("event=tf-connection-drifted endpoint={} connection={} difference=\"{}\"", endpoint, d.connectionId(), diff.get());
            return Verification.DRIFTED;
        }
        return Verification.PRESENT;
    }

    /** How the connection's instance-ips differ from the wanted ones; empty when they do not. */
    private Optional<String> ipsDifference(Desired d, Anchors a, Lookup ips) throws BackendException {
        for (Ip ip : d.ips()) {
            Optional<ObjectNode> iip = ips.find(ip.uuid());
            Optional<String> diff = iip.isEmpty() ? Optional.of("instance-ip " + ip.address() + " is missing")
                    : objects.ipDifference(iip.get(), ip, d, a).map(s -> "instance-ip " + ip.address() + ": " + s);
            if (diff.isPresent()) {
                return diff;
            }
        }
        return Optional.empty();
    }

    /** Finds an object by uuid: read now, or in what a pass read up front. */
    @FunctionalInterface
    private interface Lookup {
        Optional<ObjectNode> find(String uuid) throws BackendException;
    }

    /** The segment's interface as joinSegment makes it, and the connection's own instance-ips. */
    private Verification verifyOnSegment(ProvisionIntent intent, Anchors a, Lookup interfaces, Lookup ips) throws BackendException {
        Desired s = objects.segment(intent, a);
        Desired d = objects.client(intent, a);
        Optional<ObjectNode> vmi = interfaces.find(s.interfaceUuid());
        Optional<String> diff = vmi.isEmpty() ? Optional.of("the segment's interface " + s.interfaceUuid() + " is missing")
                : objects.interfaceDifference(vmi.get(), s, a).map(x -> "the segment's interface: " + x);
        diff = diff.isPresent() ? diff : ipsDifference(d, a, ips);
        if (diff.isPresent()) {
            log.info("event=tf-connection-drifted endpoint={} connection={} segment={} difference=\"{}\"", endpoint, d.connectionId(),
                    s.connectionId(), diff.get());
            return Verification.DRIFTED;
        }
        return Verification.PRESENT;
    }

    /**
     * For a segment endpoint, a pass reads the network's instance-ips in one listing and the
     * segment's interface once, instead of three reads for each connection. A point-to-point
     * endpoint reads each connection back as before.
     */
    @Override
    public ReadBack readBack() throws BackendException {
        if (segment == null) {
            return this::verify;
        }
        Anchors a = anchors();
        String step = "read back the segment of endpoint " + endpoint;
        Map<String, ObjectNode> ips = new HashMap<>();
        try {
            for (ObjectNode iip : client.listReferring(INSTANCE_IP, a.networkUuid(),
                    List.of("annotations", "instance_ip_address", "virtual_network_refs", "virtual_machine_interface_refs"))) {
                ips.put(iip.path("uuid").asString(""), iip);
            }
        } catch (VncException e) {
            throw Faults.of(step + ": list instance-ips of virtual network " + a.network(), e);
        }
        Map<String, Optional<ObjectNode>> interfaces = new ConcurrentHashMap<>();
        Lookup once = uuid -> {
            Optional<ObjectNode> known = interfaces.get(uuid);
            if (known == null) {
                known = read(INTERFACE, uuid, step);
                interfaces.put(uuid, known);
            }
            return known;
        };
        return intent -> intent.segment() == null ? verify(intent)
                : verifyOnSegment(intent, a, once, uuid -> Optional.ofNullable(ips.get(uuid)));
    }

    @Override
    public boolean servesSegments() {
        return true;
    }

    /**
     * Creates the segment's interface, or keeps it when TF holds it as wanted (a repair of many of
     * the segment's connections finds it there and writes nothing). TF refuses a second interface of
     * the network on the group on an enterprise-style fabric; its message is passed on.
     */
    @Override
    public void joinSegment(ProvisionIntent intent) throws BackendException {
        Anchors a = anchors();
        Desired s = objects.segment(intent, a);
        Deque<Created> created = new ArrayDeque<>();
        try {
            ensureInterface(s, a, created);
        } catch (BackendException e) {
            undo(created, s.connectionId());
            throw e;
        }
        log.info("event=tf-segment-joined endpoint={} segment={} interface={} vlan={} connection={}", endpoint, s.connectionId(),
                s.interfaceUuid(), s.vlan(), intent.connectionId());
    }

    /** Deletes the segment's interface; an absent one is fine. */
    @Override
    public void leaveSegment(ProvisionIntent intent) throws BackendException {
        String marker = intent.segmentMarker();
        String vmi = ObjectIds.segmentInterfaceUuid(owner, endpoint, marker);
        String step = "delete virtual-machine-interface " + vmi + " of " + marker;
        Optional<ObjectNode> found = read(INTERFACE, vmi, step);
        if (found.isEmpty()) {
            return;
        }
        if (!Marker.marks(found.get(), endpoint, owner, marker)) {
            throw new BackendException(BackendException.Kind.REJECTED, step + ": " + found.get().path("fq_name")
                    + " exists in TF without ensm's mark for this segment; ensm leaves it alone");
        }
        delete(INTERFACE, vmi, step);
        log.info("event=tf-segment-left endpoint={} segment={} interface={} connection={}", endpoint, marker, vmi, intent.connectionId());
    }

    @Override
    public Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        Anchors a = refreshAnchors(anchors());
        List<ObjectNode> interfaces;
        try {
            interfaces = client.list(INTERFACE, a.projectUuid(), List.of("annotations"), false);
        } catch (VncException e) {
            throw Faults.of("list virtual-machine-interfaces of project " + a.network().parent(), e);
        }
        Set<String> removed = new LinkedHashSet<>();
        for (ObjectNode vmi : interfaces) {
            Optional<String> id = Marker.connectionOf(vmi, endpoint, owner);
            if (id.isEmpty() || isKnown.test(id.get())) {
                continue;
            }
            String uuid = vmi.path("uuid").asString("");
            String step = "remove orphaned virtual-machine-interface " + uuid + " of connection " + id.get();
            try {
                // The listing holds only the mark: read the interface for its instance-ips.
                Optional<ObjectNode> full = read(INTERFACE, uuid, step);
                if (full.isPresent()) {
                    deleteOwnIps(full.get(), id.get(), Set.of(), step);
                    delete(INTERFACE, uuid, step);
                }
                removed.add(id.get());
                log.info("event=tf-orphan-removed endpoint={} connection={} interface={}", endpoint, id.get(), uuid);
            } catch (BackendException e) {
                log.warn("event=tf-orphan-not-removed endpoint={} connection={} reason=\"{}\"", endpoint, id.get(), e.getMessage());
            }
        }
        if (segment != null) {
            removed.addAll(removeOrphanedAddresses(a, isKnown));
        }
        return removed;
    }

    /**
     * A segment connection's instance-ips refer to the network alone, so no interface leads to
     * them: list the network's instance-ips (their marks only) and delete ensm's whose connection
     * is not known. Only segment endpoints pay for this listing.
     */
    private Set<String> removeOrphanedAddresses(Anchors a, Predicate<String> isKnown) throws BackendException {
        List<ObjectNode> ips;
        try {
            ips = client.listReferring(INSTANCE_IP, a.networkUuid(), List.of("annotations"));
        } catch (VncException e) {
            throw Faults.of("list instance-ips of virtual network " + a.network(), e);
        }
        Set<String> removed = new LinkedHashSet<>();
        for (ObjectNode iip : ips) {
            Optional<String> id = Marker.connectionOf(iip, endpoint, owner);
            if (id.isEmpty() || isKnown.test(id.get())) {
                continue;
            }
            String uuid = iip.path("uuid").asString("");
            try {
                delete(INSTANCE_IP, uuid, "remove orphaned instance-ip " + uuid + " of connection " + id.get());
                removed.add(id.get());
                log.info("event=tf-orphan-removed endpoint={} connection={} instance_ip={}", endpoint, id.get(), uuid);
            } catch (BackendException e) {
                log.warn("event=tf-orphan-not-removed endpoint={} connection={} reason=\"{}\"", endpoint, id.get(), e.getMessage());
            }
        }
        return removed;
    }

    @Override
    public void close() {
        client.close();
    }

    // ---- provisioning steps --------------------------------------------------------------------

    /** An object this call created (or may have: the create's answer was lost), for undo. */
    private record Created(String type, String uuid, String name) {}

    private void ensureInterface(Desired d, Anchors a, Deque<Created> created) throws BackendException {
        String step = "create virtual-machine-interface " + d.interfaceName();
        Created mine = new Created(INTERFACE, d.interfaceUuid(), d.interfaceName().toString());
        VncException exists = create(d.interfaceBody(), mine, created, step);
        if (exists == null) {
            return;
        }
        ObjectNode vmi = read(INTERFACE, d.interfaceUuid(), step).orElseThrow(() -> Faults.of(step, exists));
        requireOwn(vmi, d, step);
        Set<String> keep = new LinkedHashSet<>(d.ips().stream().map(Ip::uuid).toList());
        deleteOwnIps(vmi, d.connectionId(), keep, step);
        Optional<String> diff = objects.interfaceDifference(vmi, d, a);
        if (diff.isEmpty()) {
            return;
        }
        log.info("event=tf-object-repaired endpoint={} connection={} type={} uuid={} difference=\"{}\" action=recreate",
                endpoint, d.connectionId(), INTERFACE, d.interfaceUuid(), diff.get());
        deleteOwnIps(vmi, d.connectionId(), Set.of(), step);
        delete(INTERFACE, d.interfaceUuid(), step);
        VncException again = create(d.interfaceBody(), mine, created, step);
        if (again != null) {
            throw Faults.of(step, again);
        }
    }

    private void ensureIp(Ip ip, Desired d, Anchors a, Deque<Created> created) throws BackendException {
        String step = "create instance-ip " + ip.address() + " (" + ip.name() + ")";
        Created mine = new Created(INSTANCE_IP, ip.uuid(), ip.name().toString());
        VncException exists = create(ip.body(), mine, created, step);
        if (exists == null) {
            return;
        }
        // A 409 for a name or uuid of ours means it is there; for anything else (an address in use) it is not ours.
        ObjectNode iip = read(INSTANCE_IP, ip.uuid(), step).orElseThrow(() -> Faults.of(step, exists));
        requireOwn(iip, d, step);
        Optional<String> diff = objects.ipDifference(iip, ip, d, a);
        if (diff.isEmpty()) {
            return;
        }
        log.info("event=tf-object-repaired endpoint={} connection={} type={} uuid={} difference=\"{}\" action=recreate",
                endpoint, d.connectionId(), INSTANCE_IP, ip.uuid(), diff.get());
        delete(INSTANCE_IP, ip.uuid(), step);
        VncException again = create(ip.body(), mine, created, step);
        if (again != null) {
            throw Faults.of(step, again);
        }
    }

    /** Creates the object; returns null when done, or TF's 409 when it exists already. */
    private VncException create(ObjectNode body, Created mine, Deque<Created> created, String step) throws BackendException {
        created.push(mine);
        try {
            client.create(mine.type(), body);
            log.debug("event=tf-object-created endpoint={} type={} uuid={} name={}", endpoint, mine.type(), mine.uuid(), mine.name());
            return null;
        } catch (VncException e) {
            if (!e.mayHaveLanded()) {
                created.remove(mine); // TF made nothing: nothing to undo
            }
            if (e.isConflict()) {
                return e;
            }
            throw Faults.of(step, e);
        }
    }

    private void requireOwn(JsonNode object, Desired d, String step) throws BackendException {
        if (!Marker.marks(object, endpoint, owner, d.connectionId())) {
            throw new BackendException(BackendException.Kind.REJECTED, step + ": " + object.path("fq_name")
                    + " exists in TF without ensm's mark for this connection; ensm leaves it alone");
        }
    }

    /** Deletes this connection's instance-ips that refer to the interface, except {@code keep}; returns how many. */
    private int deleteOwnIps(JsonNode vmi, String connectionId, Set<String> keep, String step) throws BackendException {
        int deleted = 0;
        List<String> own = ObjectIds.allInstanceIpUuids(endpoint, connectionId);
        for (String uuid : ConnectionObjects.refUuids(vmi, "instance_ip_back_refs")) {
            if (own.contains(uuid) && !keep.contains(uuid)) {
                delete(INSTANCE_IP, uuid, step);
                deleted++;
            }
        }
        return deleted;
    }

    private Set<String> staleIps(JsonNode vmi, Desired d) {
        List<String> own = ObjectIds.allInstanceIpUuids(endpoint, d.connectionId());
        Set<String> wanted = new LinkedHashSet<>(d.ips().stream().map(Ip::uuid).toList());
        Set<String> stale = new LinkedHashSet<>();
        for (String uuid : ConnectionObjects.refUuids(vmi, "instance_ip_back_refs")) {
            if (own.contains(uuid) && !wanted.contains(uuid)) {
                stale.add(uuid);
            }
        }
        return stale;
    }

    private void undo(Deque<Created> created, String connectionId) {
        while (!created.isEmpty()) {
            Created c = created.pop();
            try {
                client.delete(c.type(), c.uuid());
                log.info("event=tf-undo endpoint={} connection={} type={} uuid={}", endpoint, connectionId, c.type(), c.uuid());
            } catch (VncException e) {
                // Marked, so the orphan sweep removes it once TF answers again.
                log.warn("event=tf-undo-failed endpoint={} connection={} type={} uuid={} reason=\"{}\"",
                        endpoint, connectionId, c.type(), c.uuid(), e.getMessage());
            }
        }
    }

    // ---- calls ---------------------------------------------------------------------------------

    private Optional<ObjectNode> read(String type, String uuid, String step) throws BackendException {
        try {
            return client.read(type, uuid);
        } catch (VncException e) {
            throw Faults.of(step, e);
        }
    }

    /** Deletes; an object that is already gone is fine. */
    private void delete(String type, String uuid, String step) throws BackendException {
        try {
            client.delete(type, uuid);
        } catch (VncException e) {
            throw Faults.of(step, e);
        }
    }

    /** The configured objects, resolved at start or, when TF was unreachable then, now. */
    private Anchors anchors() throws BackendException {
        Anchors a = anchors;
        if (a != null) {
            return a;
        }
        synchronized (this) {
            if (anchors == null) {
                try {
                    start();
                } catch (VncException e) {
                    throw Faults.of("find the configured TF objects", e);
                } catch (AnchorResolver.Missing e) {
                    throw new BackendException(BackendException.Kind.NOT_FOUND, e.key() + ": " + e.getMessage());
                }
            }
            return anchors;
        }
    }

    /**
     * Looks the configured objects up again once per reconciliation pass, so that an operator's
     * change (ports added to the group, a network re-created under the same name, its subnets
     * changed) reaches new connections without a restart. When that fails, the known ones are kept.
     */
    private Anchors refreshAnchors(Anchors known) {
        try {
            Anchors fresh = resolver.resolve();
            if (!fresh.equals(known)) {
                use(fresh);
                log.info("event=tf-endpoint-changed endpoint={} network_uuid={} port_group_uuid={} ports={} tf_reserved={}", endpoint,
                        fresh.networkUuid(), fresh.portGroupUuid(), fresh.links(), fresh.reserved());
            }
            return fresh;
        } catch (VncException | AnchorResolver.Missing e) {
            log.warn("event=tf-endpoint-unreadable endpoint={} reason=\"{}\" action=\"keep what was found before\"", endpoint,
                    e instanceof AnchorResolver.Missing m ? m.key() + ": " + m.getMessage() : e.getMessage());
            return known;
        }
    }

    @Override
    public String toString() {
        return "TungstenBackend[" + endpoint + " -> " + settings.virtualNetwork() + " at " + client.base() + "]";
    }
}
