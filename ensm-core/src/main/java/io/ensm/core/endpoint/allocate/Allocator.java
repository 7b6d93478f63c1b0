package io.ensm.core.endpoint.allocate;

import io.ensm.core.alloc.Claims;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;

import java.util.List;
import java.util.Set;

/**
 * Hands out what a connection needs from ensm's pools: an address pair per family of the
 * service's CIDRs, a VLAN id when the plan or the backend needs one, a VNI for VXLAN plans.
 * All-or-nothing: a failure part-way gives back what it took.
 */
public interface Allocator {

    Allocation allocate(String connectionId, ServiceSpec service, BackendCapabilities capabilities, PlanKind plan,
                        List<String> excludedPrefixes);

    /**
     * As {@link #allocate}, but a VXLAN plan's VNI is {@code callerVni} (the one the caller's
     * mechanism carries, kept as NSM's vni server keeps it), not a new one; 0 means none.
     * INVALID_ARGUMENT when ensm may not hand it out, ALREADY_EXISTS when another connection holds it.
     */
    Allocation allocate(String connectionId, ServiceSpec service, BackendCapabilities capabilities, PlanKind plan,
                        List<String> excludedPrefixes, int callerVni);

    /**
     * As {@link #allocate(String, ServiceSpec, BackendCapabilities, PlanKind, List, int)} for a
     * connection without a record yet: the cluster-wide claims of the values may be left to the
     * connection's first record write ({@link Claims#claimWithRecord}), which then fails with
     * {@link io.ensm.core.alloc.ClaimsRefused} when another connection holds one of them; the
     * caller then hands the allocation to {@link #refused} and allocates again.
     */
    default Allocation allocateNew(String connectionId, ServiceSpec service, BackendCapabilities capabilities, PlanKind plan,
                                   List<String> excludedPrefixes, int callerVni) {
        return allocate(connectionId, service, capabilities, plan, excludedPrefixes, callerVni);
    }

    /**
     * The first record of a connection allocated by {@link #allocateNew} was refused because
     * another connection holds {@code refused}: gives the allocation back (none of it was claimed)
     * so that the next allocation picks other values. Throws ALREADY_EXISTS when the refused value
     * is the caller's VNI, which cannot be replaced.
     */
    default void refused(String connectionId, String service, Allocation allocation, Set<Claims.Claim> refused, int callerVni) {
        release(connectionId, service, allocation);
    }

    void release(String connectionId, String service, Allocation allocation);

    /**
     * Drops a connection's allocation here only: the connection lives on at another replica (its
     * endpoint was handed over), so what the cluster knows it holds stays held.
     */
    default void forget(String connectionId, String service, Allocation allocation) {
        release(connectionId, service, allocation);
    }

    /** Re-takes a stored allocation at start-up. */
    void restore(String connectionId, String service, Allocation allocation);
}
