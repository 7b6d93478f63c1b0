package io.ensm.core.alloc;

import io.ensm.core.endpoint.allocate.Allocator;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link Allocator} over ensm's pools: one address pool per service, VLAN-id pools per uplink
 * (registered from the backends' capabilities), one VNI pool.
 */
public final class PoolAllocator implements Allocator {
    private final Map<String, AddressPool> addressPools;
    private final VlanPools vlanPools;
    private final VniPool vniPool;

    /** @param addressPools by service name; a service without CIDRs has none */
    public PoolAllocator(Map<String, AddressPool> addressPools, VlanPools vlanPools, VniPool vniPool) {
        this.addressPools = Map.copyOf(addressPools);
        this.vlanPools = vlanPools;
        this.vniPool = vniPool;
    }

    @Override
    public Allocation allocate(String connectionId, ServiceSpec service, BackendCapabilities caps, PlanKind plan,
                               List<String> excludedPrefixes) {
        AddressPool pool = addressPools.get(service.name());
        AddressPair pair = pool == null ? AddressPair.EMPTY : pool.allocate(connectionId, excluded(excludedPrefixes, caps));
        Allocation a = new Allocation(pair.endpointAddrs(), pair.clientAddrs(), "", 0, 0);
        try {
            if (caps.needsVlan() || plan == PlanKind.FABRIC_VLAN) {
                a = a.withVlan(caps.vlanPool(), vlanPools.allocate(caps.vlanPool(), connectionId));
            }
            if (plan.mechanismType().equals("VXLAN")) {
                a = a.withVni(vniPool.allocate(connectionId));
            }
            return a;
        } catch (RuntimeException e) {
            release(connectionId, service.name(), a);
            throw e;
        }
    }

    /** What the client excludes and what the backend's network keeps for itself: no new pair touches either. */
    private static List<String> excluded(List<String> excludedPrefixes, BackendCapabilities caps) {
        if (caps.reservedAddresses().isEmpty()) {
            return excludedPrefixes;
        }
        List<String> all = new ArrayList<>(excludedPrefixes == null ? List.of() : excludedPrefixes);
        all.addAll(caps.reservedAddresses());
        return all;
    }

    @Override
    public void release(String connectionId, String service, Allocation allocation) {
        AddressPool pool = addressPools.get(service);
        if (pool != null && !allocation.endpointAddrs().isEmpty()) {
            pool.release(connectionId);
        }
        if (allocation.vlanId() != 0) {
            vlanPools.release(allocation.vlanPool(), connectionId);
        }
        if (allocation.vni() != 0) {
            vniPool.release(connectionId);
        }
    }

    /** Utilisation of every pool: addresses per service and family, VLAN ids per uplink, VNIs. */
    public List<PoolUsage> usage() {
        List<PoolUsage> out = new ArrayList<>();
        addressPools.values().forEach(p -> out.addAll(p.usage()));
        out.addAll(vlanPools.usage());
        out.add(vniPool.usage());
        return out;
    }

    @Override
    public void restore(String connectionId, String service, Allocation allocation) {
        AddressPool pool = addressPools.get(service);
        if (pool != null && !allocation.endpointAddrs().isEmpty()) {
            pool.restore(connectionId, allocation.endpointAddrs(), allocation.clientAddrs());
        }
        if (allocation.vlanId() != 0) {
            vlanPools.restore(allocation.vlanPool(), connectionId, allocation.vlanId());
        }
        if (allocation.vni() != 0) {
            vniPool.restore(connectionId, allocation.vni());
        }
    }
}
