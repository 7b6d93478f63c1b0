package io.ensm.core.alloc;

import io.grpc.Status;

import java.util.HashMap;
import java.util.Map;

/**
 * Integer ids in [first, last] handed out per connection id. Allocation continues after the
 * last id handed out (wrapping around), so a just-freed id is not reused at once: a box may
 * still be tearing down the old VLAN or tunnel. Not thread-safe; callers lock.
 */
final class IdPool {
    private final String name;
    private final int first;
    private final int last;
    private final SlotSet used = new SlotSet();
    private final Map<String, Integer> byConnection = new HashMap<>();
    /** Slot after the last one handed out: where the next search starts. */
    private long cursor;

    /** @param name how messages call the pool, e.g. "VNI pool 1-16777215" */
    IdPool(String name, int first, int last) {
        if (first > last) {
            throw new IllegalArgumentException(name + ": empty range " + first + "-" + last);
        }
        this.name = name;
        this.first = first;
        this.last = last;
    }

    int first() {
        return first;
    }

    int last() {
        return last;
    }

    /** The connection's id, or the next free one; RESOURCE_EXHAUSTED when none is free. */
    int allocate(String connectionId) {
        Integer known = byConnection.get(connectionId);
        if (known != null) {
            return known;
        }
        long size = (long) last - first + 1;
        long slot = used.nextFree(cursor, size);
        if (slot < 0) {
            slot = used.nextFree(0, size);
        }
        if (slot < 0) {
            throw Status.RESOURCE_EXHAUSTED.withDescription(name + " is exhausted").asRuntimeException();
        }
        used.add(slot);
        cursor = slot + 1 == size ? 0 : slot + 1;
        int id = (int) (first + slot);
        byConnection.put(connectionId, id);
        return id;
    }

    /**
     * Takes the id a caller asked for. A connection that already holds one keeps it (as with
     * {@link #allocate}); INVALID_ARGUMENT when the id is outside the range, ALREADY_EXISTS when
     * another connection holds it.
     */
    int take(String connectionId, int id, String what) {
        Integer known = byConnection.get(connectionId);
        if (known != null) {
            return known;
        }
        if (id < first || id > last) {
            throw Status.INVALID_ARGUMENT.withDescription(what + " " + id + " is outside " + name).asRuntimeException();
        }
        if (!used.add(id - (long) first)) {
            throw Status.ALREADY_EXISTS.withDescription(what + " " + id + " is held by another connection").asRuntimeException();
        }
        byConnection.put(connectionId, id);
        return id;
    }

    /** Frees the connection's id; unknown ids are ignored. */
    void release(String connectionId) {
        Integer id = byConnection.remove(connectionId);
        if (id != null) {
            used.remove(id - (long) first);
        }
    }

    /** Marks a stored id taken; idempotent for the same pair, IllegalStateException on a conflict. */
    void restore(String connectionId, int id) {
        if (id < first || id > last) {
            throw new IllegalArgumentException("cannot restore connection " + connectionId + ": " + id + " is outside " + name);
        }
        Integer known = byConnection.get(connectionId);
        if (known != null) {
            if (known == id) {
                return;
            }
            throw new IllegalStateException("cannot restore " + id + " for connection " + connectionId
                    + ": it already holds " + known + " in " + name);
        }
        if (!used.add(id - (long) first)) {
            throw new IllegalStateException("cannot restore connection " + connectionId + ": " + id
                    + " in " + name + " is held by another connection");
        }
        byConnection.put(connectionId, id);
    }

    boolean holds(String connectionId) {
        return byConnection.containsKey(connectionId);
    }

    int inUse() {
        return byConnection.size();
    }

    long capacity() {
        return (long) last - first + 1;
    }
}
