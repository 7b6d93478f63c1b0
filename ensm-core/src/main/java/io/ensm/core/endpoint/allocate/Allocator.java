package io.ensm.core.endpoint.allocate;

import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;

import java.util.List;

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
