package io.ensm.core.alloc;

import java.util.List;
import java.util.Set;

/**
 * Claims on allocated values that every replica of a cluster sees, so two replicas never hand out
 * the same address pair, VLAN id or VNI: each replica allocates from its own pools, then claims
 * what it took in the shared store before using it.
 */
public interface Claims {

    /**
     * A value of a pool: {@code vlan/<pool>} and {@code 100}, {@code addresses/<service>} and an address.
     * {@code holder} is null for a value the connection holds alone; a shared claim names the holder
     * all its connections hold it as (a segment's VLAN id: {@code segment:<service>}), is granted
     * while it is absent or held by that holder, and goes with its last connection.
     */
    record Claim(String pool, String value, String holder) {
        public Claim(String pool, String value) {
            this(pool, value, null);
        }

        public boolean shared() {
            return holder != null;
        }
    }

    /**
     * Claims every value for the connection, all or none. Returns the values another connection
     * holds (then nothing was claimed); empty when the connection holds them all now, also when it
     * held some or all of them already. A refused shared claim comes back naming the holder that
     * has it, so the caller can join that holder's value instead.
     */
    Set<Claim> claim(String connectionId, List<Claim> claims);

    /**
     * Where the store writes claims in the same transaction as the connection's record (a new
     * connection then needs no commit of its own for them), leaves the claims (none of them shared)
     * to the connection's next record write and returns true: that write makes them with the
     * record or, when another connection holds any of them, writes nothing and throws
     * {@link ClaimsRefused} naming those. Values the connection holds already count as its own. A
     * later call for the connection replaces what waits; {@link #release} drops it. Returns false,
     * taking nothing, where the store does not: the caller claims them with {@link #claim}.
     */
    default boolean claimWithRecord(String connectionId, List<Claim> claims) {
        return false;
    }

    /**
     * Gives back the connection's claims on these values; values it does not hold are left alone. A
     * shared claim goes only when no other connection holds it any more, whichever replica made it.
     */
    void release(String connectionId, List<Claim> claims);

    /**
     * Deletes claims that no stored connection explains (a replica that died between its claim
     * and its record, a release that failed). A claim goes only when two sweeps at least
     * {@code grace} apart found it unchanged and unexplained, so a Request between its claim and
     * its record is never robbed; a shared claim stays while any connection holds it. Returns how
     * many claims were deleted.
     */
    default int sweep(java.time.Duration grace) {
        return 0;
    }

    /** No other replica: every claim is granted. */
    Claims NONE = new Claims() {
        @Override
        public Set<Claim> claim(String connectionId, List<Claim> claims) {
            return Set.of();
        }

        @Override
        public void release(String connectionId, List<Claim> claims) {}
    };
}
