package io.ensm.core.alloc;

/**
 * The 24-bit VXLAN network identifiers of ensm's tunnels, one per connection. Thread-safe.
 * Allocation is round-robin, so a just-freed VNI is not handed out again at once.
 */
public final class VniPool {
    public static final int MAX_VNI = 0xFFFFFF;
    /** The highest VNI a box terminating VXLAN itself takes: Junos's {@code vxlan vni} stops one below 24 bits. */
    public static final int MAX_DEVICE_VNI = 16_777_214;

    private final IdPool ids;

    /** The whole 24-bit range, 1-16777215. */
    public VniPool() {
        this(1, MAX_VNI);
    }

    /** @throws IllegalArgumentException when the range is empty or not within 1-16777215 */
    public VniPool(int first, int last) {
        if (first < 1 || last > MAX_VNI || first > last) {
            throw new IllegalArgumentException("VNI range " + first + "-" + last + " is not within 1-" + MAX_VNI);
        }
        this.ids = new IdPool("VNI pool " + first + "-" + last, first, last);
    }

    /** The connection's VNI (the same one on every call); RESOURCE_EXHAUSTED when none is free. */
    public synchronized int allocate(String connectionId) {
        return ids.allocate(connectionId);
    }

    /**
     * The VNI the caller's mechanism carries, taken for the connection (one it already holds wins);
     * INVALID_ARGUMENT outside the pool's range, ALREADY_EXISTS when another connection holds it.
     */
    public synchronized int take(String connectionId, int vni) {
        return ids.take(connectionId, vni, "VNI");
    }

    /** Whether the connection holds a VNI. */
    public synchronized boolean holds(String connectionId) {
        return ids.holds(connectionId);
    }

    public synchronized void release(String connectionId) {
        ids.release(connectionId);
    }

    /** Marks a stored VNI taken; IllegalStateException when another connection holds it. */
    public synchronized void restore(String connectionId, int vni) {
        ids.restore(connectionId, vni);
    }

    public synchronized int inUse() {
        return ids.inUse();
    }

    public synchronized PoolUsage usage() {
        return new PoolUsage(PoolUsage.Kind.VNI, "vni", ids.inUse(), ids.capacity());
    }
}
