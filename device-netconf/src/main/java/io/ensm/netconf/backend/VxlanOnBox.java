package io.ensm.netconf.backend;

import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.Owner;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.netconf.client.NetconfException;
import io.ensm.netconf.client.Rpcs;
import io.ensm.netconf.driver.Driver;
import io.ensm.netconf.driver.FoundVxlan;
import io.ensm.netconf.driver.VxlanChange;
import io.ensm.netconf.driver.VxlanNetwork;
import io.ensm.netconf.driver.VxlanState;
import io.ensm.netconf.session.SessionPool;
import io.ensm.netconf.transaction.GroupCommitter;
import io.ensm.netconf.transaction.ItemResult;
import io.ensm.netconf.transaction.TransactionRunner;
import org.onlab.packet.VlanId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The box terminates the callers' VXLAN itself (the DEVICE_VXLAN plan): each connection is a VLAN
 * mapped to its VNI with the caller's node as static remote VTEP and the box's address on the
 * VLAN's layer-3 unit; the node's entry in the box's global remote VTEP list is shared by every
 * VLAN naming that node, and goes with the last of them.
 *
 * <p>Who else needs a node's entry is read from the box, not counted in memory, so a crash between
 * connections leaves nothing to reconcile: a VLAN and its global entry are written in one
 * edit-config, and a release reads which other VLANs (ensm's or the operator's) still name the
 * node before it removes the entry. Writes and the reads they decide on run one at a time per box,
 * so a release never drops an entry a concurrent provision has just relied on.
 */
final class VxlanOnBox {
    private static final Logger log = LoggerFactory.getLogger(VxlanOnBox.class);

    private final String device;
    private final Driver driver;
    private final SessionPool pool;
    private final TransactionRunner runner;
    private final GroupCommitter.Guard guard;
    private final Owner owner;
    private final String vtepAddress;
    private final AtomicLong reads;
    private final VxlanCodec codec;
    private final ReentrantLock decide = new ReentrantLock();

    VxlanOnBox(String device, Driver driver, SessionPool pool, TransactionRunner runner, GroupCommitter.Guard guard,
               Owner owner, String vtepAddress, AtomicLong reads) {
        this.device = device;
        this.driver = driver;
        this.pool = pool;
        this.runner = runner;
        this.guard = guard;
        this.owner = owner;
        this.vtepAddress = vtepAddress;
        this.reads = reads;
        this.codec = new VxlanCodec(driver);
    }

    Attachment provision(ProvisionIntent intent) throws BackendException {
        VxlanNetwork wanted = wanted(intent);
        decide.lock();
        try {
            write(List.of(new VxlanChange.Put(wanted)), "vxlan_provisioned", intent.connectionId());
        } finally {
            decide.unlock();
        }
        return new Attachment.DeviceVxlan(vtepAddress, wanted.vni());
    }

    void release(ProvisionIntent intent) throws BackendException {
        VxlanNetwork key = key(intent);
        decide.lock();
        try {
            VxlanState state = read();
            Optional<FoundVxlan> found = state.find(key.vlanName());
            if (found.isPresent() && !found.get().marker().equals(Optional.of(intent.connectionId()))) {
                // Another connection's or the operator's VLAN of this VNI: not this connection's to remove.
                log.warn("event=netconf_vxlan_release_skipped device={} connection={} vlan={} reason=\"marked for {}\"",
                        device, intent.connectionId(), key.vlanName(), found.get().marker().orElse("nobody"));
                return;
            }
            List<String> nodes = found.map(f -> f.state().remoteVteps())
                    .orElseGet(() -> intent.peer() == null ? List.of() : List.of(intent.peer().ip()));
            List<String> drop = nodes.stream().filter(v -> !state.namedElsewhere(v, key.vlanName())).toList();
            if (found.isEmpty() && drop.stream().noneMatch(state.remoteVteps()::contains)) {
                return; // nothing of it on the box
            }
            write(List.of(new VxlanChange.Remove(key, drop)), "vxlan_released", intent.connectionId());
        } finally {
            decide.unlock();
        }
    }

    /** Present when the VLAN, its layer-3 unit and the node's global entry read back as written. */
    Verification verify(ProvisionIntent intent, VxlanState state) throws BackendException {
        VxlanNetwork wanted = wanted(intent);
        Optional<FoundVxlan> found = state.find(wanted.vlanName());
        if (found.isEmpty()) {
            return Verification.MISSING;
        }
        return found.get().state().equals(wanted) && state.remoteVteps().containsAll(wanted.remoteVteps())
                ? Verification.PRESENT : Verification.DRIFTED;
    }

    void logVerify(ProvisionIntent intent, VxlanState state, Verification v) throws BackendException {
        VxlanNetwork wanted = wanted(intent);
        log.info("event=netconf_verify device={} connection={} vlan={} result={} found=\"{}\" global_remote_vteps={}", device,
                intent.connectionId(), wanted.vlanName(), v,
                state.find(wanted.vlanName()).map(f -> VxlanCodec.describe(f.state())).orElse("none"), state.remoteVteps());
    }

    /** The connection ids of this owner's marked VXLAN networks in {@code state}. */
    Set<String> sweepable(VxlanState state) {
        Set<String> out = new HashSet<>();
        for (FoundVxlan f : state.networks()) {
            if (f.marker().isPresent() && f.state().owner().equals(owner.name())) {
                out.add(f.marker().get());
            }
        }
        return out;
    }

    /**
     * Removes this owner's marked VXLAN networks of unknown connections, in one edit-config, with
     * the global entries of nodes no remaining VLAN names. The operator's VLANs and other owners' are
     * never touched; their remote VTEPs keep the global entries they need.
     */
    Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        decide.lock();
        try {
            VxlanState state = read();
            List<FoundVxlan> orphans = state.networks().stream()
                    .filter(f -> f.marker().isPresent() && f.state().owner().equals(owner.name()) && !isKnown.test(f.marker().get()))
                    .toList();
            if (orphans.isEmpty()) {
                return Set.of();
            }
            Set<String> leaving = new HashSet<>();
            orphans.forEach(f -> leaving.add(f.vlanName()));
            Set<String> stillNamed = new HashSet<>();
            state.networks().stream().filter(f -> !leaving.contains(f.vlanName())).forEach(f -> stillNamed.addAll(f.state().remoteVteps()));
            List<VxlanChange> changes = new ArrayList<>();
            Set<String> dropped = new HashSet<>();
            Set<String> removed = new LinkedHashSet<>();
            for (FoundVxlan f : orphans) {
                List<String> drop = f.state().remoteVteps().stream()
                        .filter(v -> !stillNamed.contains(v) && state.remoteVteps().contains(v) && dropped.add(v)).toList();
                VxlanNetwork key = new VxlanNetwork(f.state().vni(), f.state().vlan(), List.of(), false, List.of(), 0,
                        f.marker().get(), owner.name());
                if (!key.vlanName().equals(f.vlanName()) || f.state().vlan().equals(VlanId.NONE)) {
                    log.warn("event=netconf_orphan_skipped device={} vlan={} connection={} reason=\"not named by its VNI, or no VLAN id\"",
                            device, f.vlanName(), f.marker().get());
                    continue;
                }
                changes.add(new VxlanChange.Remove(key, drop));
                removed.add(f.marker().get());
            }
            if (!changes.isEmpty()) {
                write(changes, "vxlan_orphans_removed", String.join(",", removed));
            }
            return removed;
        } finally {
            decide.unlock();
        }
    }

    /** Every VXLAN network on the box and its global remote VTEPs, as the running datastore holds them. */
    VxlanState read() throws BackendException {
        String filter = driver.vxlanReadFilter();
        reads.incrementAndGet();
        try {
            String data = pool.withSession(s -> s.rpc(Rpcs.getConfig(Rpcs.Datastore.RUNNING, filter)).dataXml());
            return driver.parseVxlan(data);
        } catch (NetconfException e) {
            throw e.toBackendException();
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.REJECTED, "device " + device + ": get-config: " + e.getMessage(), e);
        }
    }

    /** One locked transaction with the changes, under the backend's fence; every item must apply. */
    private void write(List<VxlanChange> changes, String event, String connectionIds) throws BackendException {
        try {
            driver.renderVxlan(changes);
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.REJECTED,
                    "device " + device + ": intent of connection " + connectionIds + ": " + e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        try {
            GroupCommitter.Guard.Terms terms = guard.terms();
            List<ItemResult<VxlanChange>> results = pool.withSession(
                    s -> runner.run(s, changes, codec, terms.fencing(), terms.staleLocks()));
            guard.held(terms);
            for (ItemResult<VxlanChange> r : results) {
                if (r.failure().isPresent()) {
                    throw r.failure().get();
                }
            }
        } catch (NetconfException e) {
            throw e.toBackendException();
        }
        log.info("event=netconf_{} device={} connection={} vlans={} ms={}", event, device, connectionIds,
                changes.stream().map(c -> c.network().vlanName()).toList(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** The VXLAN network the intent asks for: its VNI, its VLAN, the caller's node, the box's end of each pair. */
    private VxlanNetwork wanted(ProvisionIntent intent) throws BackendException {
        try {
            return new VxlanNetwork(intent.allocation().vni(), vlan(intent), List.of(peer(intent)), true,
                    BoxAddresses.of(intent.allocation()), intent.mtu(), intent.connectionId(), owner.name());
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.REJECTED,
                    "device " + device + ": intent of connection " + intent.connectionId() + ": " + e.getMessage(), e);
        }
    }

    private VxlanNetwork key(ProvisionIntent intent) throws BackendException {
        try {
            return new VxlanNetwork(intent.allocation().vni(), vlan(intent), List.of(), false, List.of(), 0,
                    intent.connectionId(), owner.name());
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.REJECTED,
                    "device " + device + ": intent of connection " + intent.connectionId() + ": " + e.getMessage(), e);
        }
    }

    private static String peer(ProvisionIntent intent) {
        if (intent.peer() == null) {
            throw new IllegalArgumentException("peer: missing (the caller's src_ip is the box's remote VTEP)");
        }
        return intent.peer().ip();
    }

    private static VlanId vlan(ProvisionIntent intent) {
        int id = intent.allocation().vlanId();
        if (id < 1 || id > 4094) {
            throw new IllegalArgumentException("vlan: " + id + " is outside 1-4094 (no VLAN id allocated)");
        }
        return VlanId.vlanId((short) id);
    }
}
