package io.ensm.core.testing;

import io.ensm.core.spi.BackendException;

import java.util.EnumMap;
import java.util.Map;

/** Failures queued per operation for the recording backend and forwarder. */
final class Faults<O extends Enum<O>> {
    private final Map<O, Fault> next;

    Faults(Class<O> ops) {
        this.next = new EnumMap<>(ops);
    }

    synchronized void fail(O op, int times, BackendException.Kind kind, String message) {
        next.put(op, new Fault(times, kind, message));
    }

    synchronized void clear() {
        next.clear();
    }

    synchronized void check(O op) throws BackendException {
        Fault f = next.get(op);
        if (f == null) {
            return;
        }
        if (f.times <= 1) {
            next.remove(op);
        } else {
            next.put(op, new Fault(f.times - 1, f.kind, f.message));
        }
        throw new BackendException(f.kind, f.message);
    }

    private record Fault(int times, BackendException.Kind kind, String message) {}
}
