package io.ensm.core.alloc;

import io.ensm.core.spi.VlanRange;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * VLAN-id pools, one per pool key (one per uplink: endpoints behind the same uplink share it).
 * Ids are unique per pool and stable per connection id. Thread-safe; one lock for all pools,
 * since every operation is a few map and bit operations.
 */
public final class VlanPools {
    private final Map<String, IdPool> pools = new HashMap<>();

    /**
     * Creates the pool, or keeps it when registered again with the same range.
     *
     * @throws IllegalArgumentException when the key is registered with a different range
     */
    public synchronized void register(String poolKey, VlanRange range) {
        IdPool existing = pools.get(poolKey);
        if (existing == null) {
            pools.put(poolKey, new IdPool("VLAN pool " + poolKey + " (" + range + ")", range.first(), range.last()));
        } else if (existing.first() != range.first() || existing.last() != range.last()) {
            throw new IllegalArgumentException("VLAN pool " + poolKey + " is registered with range "
                    + existing.first() + "-" + existing.last() + ", not " + range);
        }
    }

    /** The connection's VLAN id in the pool; RESOURCE_EXHAUSTED naming the pool when none is free. */
    public synchronized int allocate(String poolKey, String connectionId) {
        return pool(poolKey).allocate(connectionId);
    }

    /** Frees the connection's id; unknown pools and ids are ignored. */
    public synchronized void release(String poolKey, String connectionId) {
        IdPool pool = pools.get(poolKey);
        if (pool != null) {
            pool.release(connectionId);
        }
    }

    /** Whether the pool is registered and its range holds the id. */
    public synchronized boolean contains(String poolKey, int vlanId) {
        IdPool pool = pools.get(poolKey);
        return pool != null && vlanId >= pool.first() && vlanId <= pool.last();
    }

    /** Marks a stored VLAN id taken; IllegalStateException when another connection holds it. */
    public synchronized void restore(String poolKey, String connectionId, int vlanId) {
        pool(poolKey).restore(connectionId, vlanId);
    }

    public synchronized int inUse(String poolKey) {
        IdPool pool = pools.get(poolKey);
        return pool == null ? 0 : pool.inUse();
    }

    /** Every pool's ids in use and in all, for utilisation metrics. */
    public synchronized List<PoolUsage> usage() {
        List<PoolUsage> out = new ArrayList<>(pools.size());
        pools.forEach((key, pool) -> out.add(new PoolUsage(PoolUsage.Kind.VLAN, key, pool.inUse(), pool.capacity())));
        return out;
    }

    private IdPool pool(String poolKey) {
        IdPool pool = pools.get(poolKey);
        if (pool == null) {
            throw new IllegalArgumentException("VLAN pool " + poolKey + " is not registered");
        }
        return pool;
    }
}
