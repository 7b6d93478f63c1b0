package io.ensm.core.testing;

import io.ensm.core.spi.BackendException;
import io.ensm.core.spi.CrossConnect;
import io.ensm.core.spi.Forwarder;
import io.ensm.core.spi.Verification;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Forwarder} that keeps its cross-connects in memory by connection id, counts its calls and
 * fails on demand like {@link RecordingBackend}.
 */
public final class RecordingForwarder implements Forwarder {
    public enum Op { CONNECT, DISCONNECT, VERIFY, SWEEP }

    public static final ForwarderInfo DEFAULT_INFO = new ForwarderInfo("192.0.2.10", 4789, 1450);

    private final ForwarderInfo info;
    private final Map<String, CrossConnect> connected = new HashMap<>();
    private final Faults<Op> faults = new Faults<>(Op.class);
    private final AtomicInteger connects = new AtomicInteger();
    private final AtomicInteger disconnects = new AtomicInteger();
    private final AtomicInteger verifies = new AtomicInteger();
    private final List<String> calls = new CopyOnWriteArrayList<>();

    public RecordingForwarder() {
        this(DEFAULT_INFO);
    }

    public RecordingForwarder(ForwarderInfo info) {
        this.info = info;
    }

    @Override
    public ForwarderInfo info() {
        return info;
    }

    @Override
    public void connect(CrossConnect crossConnect) throws BackendException {
        connects.incrementAndGet();
        calls.add("connect " + crossConnect.connectionId());
        faults.check(Op.CONNECT);
        synchronized (this) {
            connected.put(crossConnect.connectionId(), crossConnect);
        }
    }

    @Override
    public void disconnect(CrossConnect crossConnect) throws BackendException {
        disconnects.incrementAndGet();
        calls.add("disconnect " + crossConnect.connectionId());
        faults.check(Op.DISCONNECT);
        synchronized (this) {
            connected.remove(crossConnect.connectionId());
        }
    }

    @Override
    public Verification verify(CrossConnect crossConnect) throws BackendException {
        verifies.incrementAndGet();
        calls.add("verify " + crossConnect.connectionId());
        faults.check(Op.VERIFY);
        synchronized (this) {
            CrossConnect have = connected.get(crossConnect.connectionId());
            if (have == null) {
                return Verification.MISSING;
            }
            return have.equals(crossConnect) ? Verification.PRESENT : Verification.DRIFTED;
        }
    }

    @Override
    public Set<String> removeOrphans(Predicate<String> isKnown) throws BackendException {
        calls.add("sweep");
        faults.check(Op.SWEEP);
        synchronized (this) {
            Set<String> orphans = new TreeSet<>();
            for (String id : connected.keySet()) {
                if (!isKnown.test(id)) {
                    orphans.add(id);
                }
            }
            orphans.forEach(connected::remove);
            return orphans;
        }
    }

    public RecordingForwarder failNext(Op op, BackendException.Kind kind, String message) {
        return failNext(op, 1, kind, message);
    }

    public RecordingForwarder failNext(Op op, int times, BackendException.Kind kind, String message) {
        faults.fail(op, times, kind, message);
        return this;
    }

    public RecordingForwarder healed() {
        faults.clear();
        return this;
    }

    public synchronized Optional<CrossConnect> crossConnectOf(String connectionId) {
        return Optional.ofNullable(connected.get(connectionId));
    }

    public synchronized Map<String, CrossConnect> connected() {
        return Map.copyOf(connected);
    }

    public int connectCalls() {
        return connects.get();
    }

    public int disconnectCalls() {
        return disconnects.get();
    }

    public int verifyCalls() {
        return verifies.get();
    }

    /** Every call in order, like "connect ID", "disconnect ID", "verify ID". */
    public List<String> calls() {
        return List.copyOf(calls);
    }
}
