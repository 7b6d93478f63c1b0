package io.ensm.core.alloc;

import io.ensm.core.store.StoreException;

import java.util.Set;

/**
 * A record write that carried its connection's claims ({@link Claims#claimWithRecord}) found
 * values another connection holds: nothing was written, neither the record nor any claim. The
 * caller gives the values back and allocates others.
 */
public final class ClaimsRefused extends StoreException {
    private final transient Set<Claims.Claim> refused;

    public ClaimsRefused(String connectionId, Set<Claims.Claim> refused) {
        super("connection " + connectionId + ": values held by another connection: " + refused + "; nothing was written", null);
        this.refused = Set.copyOf(refused);
    }

    /** The values another connection holds. */
    public Set<Claims.Claim> refused() {
        return refused;
    }
}
