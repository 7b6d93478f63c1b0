package io.ensm.core.testing;

import io.ensm.core.model.PlanKind;
import io.ensm.core.spi.Attachment;
import io.ensm.core.spi.Backend;
import io.ensm.core.spi.BackendCapabilities;
import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.ProvisionIntent;
import io.ensm.core.spi.Verification;
import io.ensm.core.spi.VlanRange;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A {@link Backend} that keeps the provisioned intents in memory by connection id and counts its
 * calls. Its capabilities are configurable; {@link #failNext} makes the next calls of one operation
 * throw a {@link BackendException}; {@link #duringProvision} runs a check while provision runs (for
 * example that the store already holds PENDING); {@link #lose} and {@link #drift} change what a
 * read-back finds.
 */
public final class RecordingBackend implements Backend {
    public enum Op { PROVISION, RELEASE, VERIFY, SWEEP }

    public static final String UPLINK = "uplink0";

    private final BackendCapabilities capabilities;
    private final Map<String, ProvisionIntent> provisioned = new HashMap<>();
    private final Map<String, Verification> readBack = new HashMap<>();
    private final Faults<Op> faults = new Faults<>(Op.class);
    private final AtomicInteger provisions = new AtomicInteger();
    private final AtomicInteger releases = new AtomicInteger();
    private final AtomicInteger verifies = new AtomicInteger();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile Consumer<ProvisionIntent> duringProvision = i -> {};

    public RecordingBackend(BackendCapabilities capabilities) {
        this.capabilities = capabilities;
    }

    /** Serves the given plans with VLAN pool "uplink:uplink0" (ids 100-199) and device VXLAN at 198.51.100.1. */
    /** Not IANA's 4789, so a reply that ignores the box's port shows. */
    public static final int DEVICE_VXLAN_PORT = 8472;

    public static RecordingBackend serving(PlanKind... plans) {
        return new RecordingBackend(capabilities(plans));
    }

    public static BackendCapabilities capabilities(PlanKind... plans) {
        Set<PlanKind> set = plans.length == 0 ? EnumSet.noneOf(PlanKind.class) : EnumSet.copyOf(List.of(plans));
        return new BackendCapabilities(set, "uplink:" + UPLINK, new VlanRange(100, 199), "198.51.100.1", List.of(), DEVICE_VXLAN_PORT);
    }

    @Override
    public BackendCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public Attachment provision(ProvisionIntent intent) throws BackendException {
        provisions.incrementAndGet();
        calls.add("provision " + intent.connectionId());
        duringProvision.accept(intent);
        faults.check(Op.PROVISION);
        synchronized (this) {
            provisioned.put(intent.connectionId(), intent);
            readBack.remove(intent.connectionId());
        }
        return attachmentFor(intent);
    }

    @Override
    public void release(ProvisionIntent intent) throws BackendException {
        releases.incrementAndGet();
        calls.add("release " + intent.connectionId());
        faults.check(Op.RELEASE);
        synchronized (this) {
            provisioned.remove(intent.connectionId());
            readBack.remove(intent.connectionId());
        }
    }

    @Override
    public Verification verify(ProvisionIntent intent) throws BackendException {
        verifies.incrementAndGet();
        calls.add("verify " + intent.connectionId());
        faults.check(Op.VERIFY);
        synchronized (this) {
            Verification forced = readBack.get(intent.connectionId());
            if (forced != null) {
                return forced;
            }
            ProvisionIntent have = provisioned.get(intent.connectionId());
            if (have == null) {
                return Verification.MISSING;
            }
            return have.equals(intent) ? Verification.PRESENT : Verification.DRIFTED;
        }
    }

    @Override
    public Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        calls.add("sweep");
        faults.check(Op.SWEEP);
        synchronized (this) {
            Set<String> orphans = new TreeSet<>();
            for (String id : provisioned.keySet()) {
                if (!isKnown.test(id)) {
                    orphans.add(id);
                }
            }
            orphans.forEach(provisioned::remove);
            return orphans;
        }
    }

    /** The attachment this backend answers for an intent. */
    public static Attachment attachmentFor(ProvisionIntent intent) {
        int vlan = intent.allocation().vlanId();
        return switch (intent.plan()) {
            case DEVICE_VXLAN -> new Attachment.DeviceVxlan("198.51.100.1", intent.allocation().vni());
            case FABRIC_VLAN -> new Attachment.FabricVlan(vlan);
            case FORWARDER_VXLAN -> vlan == 0 ? new Attachment.Untagged(UPLINK) : new Attachment.Vlan(UPLINK, vlan);
        };
    }

    /** The next {@code times} calls of {@code op} fail with this kind and message. */
    public RecordingBackend failNext(Op op, BackendException.Kind kind, String message) {
        return failNext(op, 1, kind, message);
    }

    public RecordingBackend failNext(Op op, int times, BackendException.Kind kind, String message) {
        faults.fail(op, times, kind, message);
        return this;
    }

    public RecordingBackend healed() {
        faults.clear();
        return this;
    }

    /** Runs while provision is called, before it takes effect; an AssertionError it throws reaches the test. */
    public RecordingBackend duringProvision(Consumer<ProvisionIntent> check) {
        this.duringProvision = check;
        return this;
    }

    /** Marks an intent as already present, as if a previous run had provisioned it. */
    public synchronized RecordingBackend preload(ProvisionIntent intent) {
        provisioned.put(intent.connectionId(), intent);
        return this;
    }

    /** The objects of a connection disappear behind ensm's back. */
    public synchronized void lose(String connectionId) {
        provisioned.remove(connectionId);
    }

    /** The objects of a connection are changed behind ensm's back. */
    public synchronized void drift(String connectionId) {
        readBack.put(connectionId, Verification.DRIFTED);
    }

    public synchronized Optional<ProvisionIntent> intentOf(String connectionId) {
        return Optional.ofNullable(provisioned.get(connectionId));
    }

    public synchronized Map<String, ProvisionIntent> provisioned() {
        return Map.copyOf(provisioned);
    }

    public int provisionCalls() {
        return provisions.get();
    }

    public int releaseCalls() {
        return releases.get();
    }

    public int verifyCalls() {
        return verifies.get();
    }

    /** Every call in order, like "provision ID", "release ID", "verify ID". */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    /** Provision plus release calls: the device I/O a refresh must not do. */
    public int writeCalls() {
        return provisions.get() + releases.get();
    }
}
