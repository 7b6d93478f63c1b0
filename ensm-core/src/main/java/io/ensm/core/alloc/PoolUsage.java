package io.ensm.core.alloc;

/**
 * How full one pool is.
 *
 * @param kind     what the pool hands out
 * @param name     the service (addresses), the pool key (VLAN ids, one per uplink) or {@code vni}
 * @param used     ids or address pairs held by connections
 * @param capacity ids or address pairs in all (saturates at {@link Long#MAX_VALUE} for huge IPv6 pools)
 */
public record PoolUsage(Kind kind, String name, long used, long capacity) {
    public enum Kind { IPV4, IPV6, VLAN, VNI }

    /** Used over capacity, 0 to 1. */
    public double ratio() {
        return capacity == 0 ? 1.0 : (double) used / capacity;
    }
}
