package io.ensm.netconf.backend;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.EndpointFence;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.ReadBack;
import io.ensm.core.spi.Verification;
import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.Rpcs;
import io.ensm.netconf.driver.Change;
import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.FoundSubInterface;
import io.ensm.netconf.driver.SubInterface;
import io.ensm.netconf.driver.VxlanState;
import io.ensm.netconf.session.DeviceConfig;
import io.ensm.netconf.session.NetconfSessions;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.ensm.netconf.session.SessionPool;
import io.ensm.netconf.session.LocalSessions;
import io.ensm.netconf.transaction.Fencing;
import io.ensm.netconf.transaction.GroupCommitter;
import io.ensm.netconf.transaction.StaleLocks;
import io.ensm.netconf.transaction.Step;
import io.ensm.netconf.transaction.TransactionOptions;
import io.ensm.netconf.transaction.TransactionRunner;
import org.onlab.packet.VlanId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One box port as an NSE: each connection becomes a VLAN sub-interface of {@code parentPort},
 * written through the device's group committer and read back over the device's session pool.
 * The box-side leg is reached by ensm's forwarder on {@code uplink} with the same VLAN id, or by
 * the caller's forwarder on a shared fabric VLAN. Every sub-interface is marked with the owner's
 * name, and only sub-interfaces with this owner's mark are swept as orphans.
 *
 * <p>A shared segment's connections have one sub-interface between them, written by
 * {@link #joinSegment} and removed by {@link #leaveSegment}, marked with the segment's id in place
 * of a connection id; provision and release of such a connection touch nothing on the box. Every
 * driver serves segments: a segment's sub-interface differs from a connection's only in its
 * addresses' prefix lengths and its mark.
 *
 * <p>With the DEVICE_VXLAN plan (a driver that terminates VXLAN) the box ends the caller's tunnel
 * itself: a connection is a VLAN mapped to its VNI with the caller's node as remote VTEP
 * ({@link VxlanOnBox}), and nothing of it is on the parent port or ensm's forwarder.
 */
public final class NetconfBackend implements Backend {
    public static final String TYPE = "netconf";
    private static final Logger log = LoggerFactory.getLogger(NetconfBackend.class);

    private final String device;
    private final Driver driver;
    private final String parentPort;
    private final String uplink;
    private final UplinkMode uplinkMode;
    private final int mtu;
    private final BackendCapabilities capabilities;
    private final NetconfSessions sessions;
    private final SessionPool pool;
    private final GroupCommitter<Change> writer;
    private final Duration writeTimeout;
    private final Owner owner;
    private volatile Runnable meters = () -> {};
    /** Sub-interfaces whose unowned mark was reported, so that each is reported once, not every pass. */
    private final Set<String> reportedUnowned = ConcurrentHashMap.newKeySet();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong edits = new AtomicLong();
    private final ChangeCodec codec;
    private final TransactionRunner runner = new TransactionRunner(TransactionOptions.DEFAULTS, (session, step) -> {
        if (step == Step.EDIT) {
            edits.incrementAndGet();
        }
    });
    private final PortFence portFence;
    private final StaleLocks staleLocks;
    /** The fence of this replica's holds on the endpoint; NONE for the only replica (nothing read or written for it). */
    private volatile EndpointFence fence = EndpointFence.NONE;
    /** The newest token a transaction of this replica went through under: on the box since. */
    private final AtomicLong onBox = new AtomicLong();
    /** The box's own VXLAN networks; null unless the endpoint offers the DEVICE_VXLAN plan. */
    private final VxlanOnBox vxlan;

    /**
     * @param config     the device's connection settings; its name names the device in every message
     * @param parentPort the box's port the sub-interfaces sit on, valid for the driver
     * @param uplink     ensm's interface towards the box
     * @param uplinkMode whether frames on {@code uplink} carry the VLAN tag or the box's access port adds it
     * @param mtu        the IP MTU written on every sub-interface
     * @param owner      the name every mark this backend writes carries
     */
    public NetconfBackend(DeviceConfig config, Driver driver, String parentPort, String uplink, UplinkMode uplinkMode,
                          int mtu, BackendCapabilities capabilities, Owner owner) {
        this.device = config.name();
        this.driver = driver;
        this.parentPort = parentPort;
        this.uplink = uplink;
        this.uplinkMode = uplinkMode;
        this.mtu = mtu;
        this.capabilities = capabilities;
        this.owner = owner;
        // Each backend owns its sessions, so closing one endpoint never closes another's pool.
        this.sessions = new NetconfSessions();
        this.pool = sessions.pool(config);
        this.codec = new ChangeCodec(driver);
        this.portFence = new PortFence(driver, parentPort, owner.name());
        this.staleLocks = new StaleLocks(config.username(), id -> LocalSessions.isOwn(config.host(), config.port(), id));
        GroupCommitter.Guard guard = new GroupCommitter.Guard() {
            @Override
            public GroupCommitter.Guard.Terms terms() throws NetconfException {
                return NetconfBackend.this.terms();
            }

            @Override
            public void held(GroupCommitter.Guard.Terms terms) {
                if (terms.fencing() != null) {
                    onBox.accumulateAndGet(terms.fencing().token(), Math::max);
                }
            }
        };
        this.writer = new GroupCommitter<>(pool, runner, codec, 256, guard);
        this.vxlan = capabilities.plans().contains(PlanKind.DEVICE_VXLAN)
                ? new VxlanOnBox(device, driver, pool, runner, guard, owner, capabilities.deviceVxlanIp(), reads) : null;
        // Queueing behind a running batch plus lock, edit, commit, read-back and confirm.
        this.writeTimeout = config.timeouts().rpc().multipliedBy(4);
    }

    /** Replicas on a shared store: every write checks, and when older replaces, the token on the parent port. */
    @Override
    public void fenceWith(EndpointFence fence) {
        this.fence = fence;
    }

    /** Writes this hold's token on the box now, in a locked transaction of its own (nothing when it is there already). */
    @Override
    public void takeOver(long token) throws BackendException {
        if (fence.token().isEmpty()) {
            return;
        }
        try {
            pool.withSession(s -> runner.run(s, List.<Change>of(), codec, new Fencing(portFence, token), staleLocks));
            onBox.accumulateAndGet(token, Math::max);
        } catch (NetconfException e) {
            throw e.toBackendException();
        }
    }

    /**
     * The terms of the next transaction: unfenced for the only replica, else under the latest hold's
     * token; a stale lock holder's session may be ended only until that token is on the box.
     */
    private GroupCommitter.Guard.Terms terms() throws NetconfException {
        OptionalLong token = fence.token();
        if (token.isEmpty()) {
            return new GroupCommitter.Guard.Terms(null, null);
        }
        if (token.getAsLong() == EndpointFence.NEVER_HELD) {
            throw new NetconfException.Fenced(device, "fence", "this replica has not held the endpoint; nothing was written", 0, 0);
        }
        return new GroupCommitter.Guard.Terms(new Fencing(portFence, token.getAsLong()),
                token.getAsLong() > onBox.get() ? staleLocks : null);
    }

    @Override
    public BackendCapabilities capabilities() {
        return capabilities;
    }

    /** The driver writing this box's statements, as the settings chose it. */
    Driver driver() {
        return driver;
    }

    @Override
    public Attachment provision(ProvisionIntent intent) throws BackendException {
        if (intent.plan() == PlanKind.DEVICE_VXLAN) {
            return vxlan(intent).provision(intent);
        }
        if (intent.segment() != null) {
            // The segment's sub-interface, written by joinSegment, carries this connection too.
            segmentOnBox(intent);
            return attachment(intent);
        }
        SubInterface wanted = wanted(intent);
        write(new Change.Put(wanted), "provisioned", intent.connectionId());
        return attachment(intent);
    }

    /** Where ensm's forwarder (or the caller's, on a fabric VLAN) meets the box for the connection. */
    private Attachment attachment(ProvisionIntent intent) throws BackendException {
        int vlan = intent.allocation().vlanId();
        return switch (intent.plan()) {
            case FORWARDER_VXLAN -> switch (uplinkMode) {
                case TAGGED -> new Attachment.Vlan(uplink, vlan);
                case ACCESS -> new Attachment.Untagged(uplink);
            };
            case FABRIC_VLAN -> new Attachment.FabricVlan(vlan);
            case DEVICE_VXLAN -> throw new IllegalStateException("a DEVICE_VXLAN connection has no sub-interface");
        };
    }

    /** The box's VXLAN networks for a DEVICE_VXLAN intent; refused when this endpoint does not offer the plan. */
    private VxlanOnBox vxlan(ProvisionIntent intent) throws BackendException {
        if (vxlan == null) {
            throw new BackendException(BackendException.Kind.REJECTED, "device " + device + ": connection "
                    + intent.connectionId() + ": plan device-vxlan is not among this endpoint's plans");
        }
        if (intent.segment() != null) {
            throw new BackendException(BackendException.Kind.REJECTED, "device " + device + ": connection "
                    + intent.connectionId() + ": a shared segment is not carried by device-vxlan");
        }
        return vxlan;
    }

    @Override
    public void release(ProvisionIntent intent) throws BackendException {
        if (intent.plan() == PlanKind.DEVICE_VXLAN) {
            vxlan(intent).release(intent);
            return;
        }
        if (intent.segment() != null) {
            return; // the segment's sub-interface goes with leaveSegment, after its last connection
        }
        write(new Change.Remove(key(intent)), "released", intent.connectionId());
    }

    @Override
    public boolean servesSegments() {
        return true;
    }

    /**
     * Writes the segment's sub-interface unless the box already holds it as wanted: one small
     * get-config of that sub-interface first, so a repair of many connections of one segment, or
     * the first join after a restart, writes at most once.
     */
    @Override
    public void joinSegment(ProvisionIntent intent) throws BackendException {
        SubInterface wanted = segmentOnBox(intent);
        Change put = new Change.Put(wanted);
        String name = driver.subInterfaceName(parentPort, wanted.vlan());
        try {
            driver.check(put);
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.REJECTED,
                    "device " + device + ": segment of service " + intent.endpoint().service() + ": " + e.getMessage(), e);
        }
        Optional<FoundSubInterface> found = readOne(put, name);
        if (found.isPresent() && found.get().state().equals(wanted)) {
            log.debug("event=netconf_segment_present device={} service={} sub_interface={}", device, intent.endpoint().service(), name);
            return;
        }
        if (found.isPresent() && found.get().marker().isPresent() && !found.get().state().owner().isEmpty()
                && !found.get().marker().get().equals(wanted.connectionId())) {
            // A connection's sub-interface on the segment's VLAN (this ensm's or another's): overwriting
            // it would cut that connection. Unmarked entries and marks naming no owner are replaced,
            // as provision replaces them.
            throw new BackendException(BackendException.Kind.REJECTED, "device " + device + ": segment of service "
                    + intent.endpoint().service() + ": " + name + " is marked for " + found.get().marker().get()
                    + ", not for the segment; not overwritten");
        }
        write(put, "segment_joined", wanted.connectionId());
    }

    /** Removes the segment's sub-interface; an absent one is fine. */
    @Override
    public void leaveSegment(ProvisionIntent intent) throws BackendException {
        SubInterface s = segmentOnBox(intent);
        write(new Change.Remove(s), "segment_left", s.connectionId());
    }

    /** One get-config of the port for this connection; what it did not find as written is logged. */
    @Override
    public Verification verify(ProvisionIntent intent) throws BackendException {
        if (intent.plan() == PlanKind.DEVICE_VXLAN) {
            VxlanOnBox box = vxlan(intent);
            VxlanState state = box.read();
            Verification v = box.verify(intent, state);
            if (v != Verification.PRESENT) {
                box.logVerify(intent, state, v);
            }
            return v;
        }
        PortReadBack read = new PortReadBack(read());
        Verification v = read.verify(intent);
        if (v != Verification.PRESENT) {
            SubInterface wanted = onBox(intent);
            String name = driver.subInterfaceName(parentPort, wanted.vlan());
            log.info("event=netconf_verify device={} connection={} sub_interface={} marker={} result={} found=\"{}\"", device,
                    intent.connectionId(), name, wanted.connectionId(), v,
                    read.found(name).map(f -> ChangeCodec.describe(f.state())).orElse("none"));
        }
        return v;
    }

    /** One get-config of the parent port, answering for every connection on it and for the orphan sweep. */
    @Override
    public ReadBack readBack() throws BackendException {
        return new PortReadBack(read(), vxlan == null ? null : vxlan.read());
    }

    /** What one read of the parent port found, by sub-interface name. */
    private final class PortReadBack implements ReadBack {
        private final Map<String, FoundSubInterface> byName = new HashMap<>();
        private final Set<String> sweepable = new HashSet<>();
        private final VxlanState vxlanState;

        PortReadBack(List<FoundSubInterface> found) {
            this(found, null);
        }

        /** @param vxlanState the box's VXLAN networks, read in the same pass; null when the endpoint has none */
        PortReadBack(List<FoundSubInterface> found, VxlanState vxlanState) {
            this.vxlanState = vxlanState;
            if (vxlanState != null) {
                sweepable.addAll(vxlan.sweepable(vxlanState));
            }
            for (FoundSubInterface f : found) {
                byName.putIfAbsent(f.name(), f);
                // only this owner's marks: another's never call for a sweep of ours
                if (f.marker().isPresent() && sweepable(f) && f.state().owner().equals(owner.name())) {
                    sweepable.add(f.marker().get());
                }
            }
        }

        /** Not logged: a pass reads again on its own what this answer did not find as written. */
        @Override
        public Verification verify(ProvisionIntent intent) throws BackendException {
            if (intent.plan() == PlanKind.DEVICE_VXLAN) {
                VxlanOnBox box = vxlan(intent);
                return box.verify(intent, vxlanState != null ? vxlanState : box.read());
            }
            SubInterface wanted = onBox(intent);
            Optional<FoundSubInterface> found = found(driver.subInterfaceName(parentPort, wanted.vlan()));
            return found.isEmpty() ? Verification.MISSING
                    : found.get().state().equals(wanted) ? Verification.PRESENT : Verification.DRIFTED;
        }

        Optional<FoundSubInterface> found(String name) {
            return Optional.ofNullable(byName.get(name));
        }

        @Override
        public Optional<Set<String>> markers() {
            return Optional.of(Set.copyOf(sweepable));
        }
    }

    /** Whether the orphan sweep may remove a marked entry: on this port, with a VLAN id it can name. */
    private boolean sweepable(FoundSubInterface f) {
        return f.state().parentPort().equals(parentPort) && f.state().vlan().toShort() >= 1 && f.state().vlan().toShort() <= 4094;
    }

    @Override
    public Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        Set<String> removed = new LinkedHashSet<>();
        BackendException failed = null;
        if (vxlan != null) {
            try {
                removed.addAll(vxlan.removeOrphans(isKnown));
            } catch (BackendException e) {
                failed = e; // the sub-interfaces are still swept
            }
        }
        removed.addAll(removeOrphanSubInterfaces(isKnown));
        if (failed != null) {
            throw failed;
        }
        return removed;
    }

    private Set<String> removeOrphanSubInterfaces(Predicate<String> isKnown) throws BackendException {
        List<FoundSubInterface> orphans = new ArrayList<>();
        for (FoundSubInterface f : read()) {
            if (f.marker().isEmpty() || isKnown.test(f.marker().get()) || !ownMark(f)) {
                continue;
            }
            if (!sweepable(f)) {
                log.warn("event=netconf_orphan_skipped device={} sub_interface={} connection={} reason=\"no VLAN or another port\"",
                        device, f.name(), f.marker().get());
                continue;
            }
            orphans.add(f);
        }
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (FoundSubInterface f : orphans) {
            done.add(writer.submit(new Change.Remove(f.state())));
        }
        Set<String> removed = new LinkedHashSet<>();
        BackendException first = null;
        for (int i = 0; i < orphans.size(); i++) {
            FoundSubInterface f = orphans.get(i);
            try {
                done.get(i).get(writeTimeout.toMillis(), TimeUnit.MILLISECONDS);
                removed.add(f.marker().get());
                log.info("event=netconf_orphan_removed device={} sub_interface={} connection={}", device, f.name(), f.marker().get());
            } catch (ExecutionException e) {
                BackendException b = e.getCause() instanceof NetconfException n ? n.toBackendException()
                        : new BackendException(BackendException.Kind.REJECTED, "device " + device + ": remove orphan "
                        + f.name() + ": " + e.getCause(), e.getCause());
                log.warn("event=netconf_orphan_remove_failed device={} sub_interface={} error=\"{}\"", device, f.name(), b.getMessage());
                first = first == null ? b : first;
            } catch (TimeoutException e) {
                first = first == null ? new BackendException(BackendException.Kind.UNREACHABLE, "device " + device
                        + ": remove orphan " + f.name() + ": no result within " + writeTimeout.toMillis() + " ms", e) : first;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException(BackendException.Kind.UNREACHABLE, "device " + device + ": remove orphans: interrupted", e);
            }
        }
        if (first != null) {
            throw first;
        }
        return removed;
    }

    /**
     * Whether a marked sub-interface of an unknown connection is this owner's to sweep. One that
     * names another owner is that ensm's; one that names none was written before marks named
     * their owner, by this ensm or another on the same port: it is reported once and left alone.
     */
    private boolean ownMark(FoundSubInterface f) {
        String markOwner = f.state().owner();
        if (markOwner.equals(owner.name())) {
            return true;
        }
        if (markOwner.isEmpty() && reportedUnowned.add(f.name() + "/" + f.marker().get())) {
            log.info("event=netconf_orphan_skipped device={} sub_interface={} connection={} reason=\"its mark names no owner:"
                    + " not swept, since it may be another ensm's; remove it by hand if it is nobody's\"", device, f.name(), f.marker().get());
        }
        return false;
    }

    /**
     * How many times the parent port was read (get-config) for read-backs and orphan sweeps, and a
     * segment's sub-interface before a join: the cost a reconciliation pass puts on the box. A
     * write's own read-back and keep-alives are not counted.
     */
    public long reads() {
        return reads.get();
    }

    /**
     * How many edit-configs the backend sent: the writes it put on the box (a group commit of many
     * changes is one; an edit retried without a failed item is another).
     */
    public long edits() {
        return edits.get();
    }

    /** The one sub-interface a change names, as the box's running datastore holds it. */
    private Optional<FoundSubInterface> readOne(Change change, String name) throws BackendException {
        String filter = driver.readBackFilter(List.of(change));
        reads.incrementAndGet();
        try {
            String data = pool.withSession(s -> s.rpc(Rpcs.getConfig(Rpcs.Datastore.RUNNING, filter)).dataXml());
            return driver.parse(data).stream().filter(f -> f.name().equals(name)).findFirst();
        } catch (NetconfException e) {
            throw e.toBackendException();
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.REJECTED, "device " + device + ": get-config: " + e.getMessage(), e);
        }
    }

    /** Every sub-interface on the parent port, as the box's running datastore holds it. */
    private List<FoundSubInterface> read() throws BackendException {
        String filter = driver.readFilter(List.of(parentPort));
        reads.incrementAndGet();
        long t0 = System.nanoTime();
        try {
            String data = pool.withSession(s -> s.rpc(Rpcs.getConfig(Rpcs.Datastore.RUNNING, filter)).dataXml());
            List<FoundSubInterface> found = driver.parse(data).stream().filter(f -> f.state().parentPort().equals(parentPort)).toList();
            log.debug("event=netconf_read device={} port={} sub_interfaces={} ms={}", device, parentPort, found.size(),
                    (System.nanoTime() - t0) / 1_000_000);
            return found;
        } catch (NetconfException e) {
            throw e.toBackendException();
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.REJECTED, "device " + device + ": get-config: " + e.getMessage(), e);
        }
    }

    /** @param event what the log calls the write; {@code id} is the connection or segment id the mark carries */
    private void write(Change change, String event, String connectionId) throws BackendException {
        try {
            driver.check(change);
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.REJECTED,
                    "device " + device + ": intent of connection " + connectionId + ": " + e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        try {
            writer.apply(change, writeTimeout);
        } catch (NetconfException e) {
            throw e.toBackendException();
        }
        log.info("event=netconf_{} device={} connection={} sub_interface={} ms={}", event, device, connectionId,
                driver.subInterfaceName(change.subInterface().parentPort(), change.subInterface().vlan()),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** The sub-interface the intent asks for; the box gets the endpoint-side address of each pair. */
    private SubInterface wanted(ProvisionIntent intent) throws BackendException {
        try {
            return new SubInterface(parentPort, vlan(intent), BoxAddresses.of(intent.allocation()), mtu, intent.connectionId(),
                    owner.name());
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.REJECTED,
                    "device " + device + ": intent of connection " + intent.connectionId() + ": " + e.getMessage(), e);
        }
    }

    /** What the box holds for the intent: its own sub-interface, or its segment's. */
    private SubInterface onBox(ProvisionIntent intent) throws BackendException {
        return intent.segment() != null ? segmentOnBox(intent) : wanted(intent);
    }

    /**
     * The segment's sub-interface: the segment's VLAN, the gateways with their subnets' prefix
     * lengths, marked with the segment's id.
     */
    private SubInterface segmentOnBox(ProvisionIntent intent) throws BackendException {
        try {
            return new SubInterface(parentPort, vlan(intent), BoxAddresses.ofSegment(intent.allocation()), mtu,
                    intent.segmentMarker(), owner.name());
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.REJECTED, "device " + device + ": segment of service "
                    + intent.endpoint().service() + " (connection " + intent.connectionId() + "): " + e.getMessage(), e);
        }
    }

    private SubInterface key(ProvisionIntent intent) throws BackendException {
        try {
            return new SubInterface(parentPort, vlan(intent), List.of(), mtu, intent.connectionId(), owner.name());
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.REJECTED,
                    "device " + device + ": intent of connection " + intent.connectionId() + ": " + e.getMessage(), e);
        }
    }

    private static VlanId vlan(ProvisionIntent intent) {
        int id = intent.allocation().vlanId();
        if (id < 1 || id > 4094) {
            throw new IllegalArgumentException("vlan: " + id + " is outside 1-4094 (no VLAN id allocated)");
        }
        return VlanId.vlanId((short) id);
    }

    /**
     * Gauges of the device's NETCONF sessions and of the group committer's queue, tagged with the
     * endpoint and the device; removed again when the backend closes.
     */
    public void bindMeters(MeterRegistry registry, String endpoint) {
        Tags tags = Tags.of("endpoint", endpoint, "device", device);
        List<Meter> made = List.of(
                Gauge.builder("ensm.netconf.sessions", pool, p -> p.stats().idle()).tags(tags).tag("state", "idle")
                        .description("open NETCONF sessions to the device, by state").register(registry),
                Gauge.builder("ensm.netconf.sessions", pool, p -> p.stats().inUse()).tags(tags).tag("state", "in_use")
                        .description("open NETCONF sessions to the device, by state").register(registry),
                Gauge.builder("ensm.netconf.circuit.open", pool, p -> p.stats().circuitOpen() ? 1 : 0).tags(tags)
                        .description("1 while connecting to the device is paused after failures").register(registry),
                FunctionCounter.builder("ensm.netconf.connect.attempts", pool, p -> p.stats().connectAttempts()).tags(tags)
                        .description("SSH connections to the device tried").register(registry),
                Gauge.builder("ensm.netconf.commit.queue", writer, GroupCommitter::queued).tags(tags)
                        .description("changes waiting for the device's next group commit").register(registry));
        meters = () -> made.forEach(registry::remove);
    }

    @Override
    public void close() {
        meters.run();
        writer.close();
        sessions.close();
    }

    @Override
    public String toString() {
        return "NetconfBackend[device=" + device + ", driver=" + driver.name() + ", port=" + parentPort + ", owner=" + owner + "]";
    }
}
