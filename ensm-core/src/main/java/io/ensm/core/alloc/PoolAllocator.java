package io.ensm.core.alloc;

import io.ensm.core.endpoint.allocate.Allocator;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

/**
 * The {@link Allocator} over ensm's pools: one address pool per service, VLAN-id pools per uplink
 * (registered from the backends' capabilities), one VNI pool.
 */
public final class PoolAllocator implements Allocator {
    private final Map<String, AddressPool> addressPools;
    private final Map<String, SegmentAddresses> segments;
    private final VlanPools vlanPools;
    private final VniPool vniPool;
    /** Segment services by name: their fixed VLAN id, or 0. */
    private final Map<String, Integer> segmentVlans;
    /** Connections on each segment's VLAN, by VLAN pool and service: the VLAN goes with the last. */
    private final Map<String, Set<String>> segmentMembers = new HashMap<>();
    /**
     * VLAN ids other replicas' members already hold for a segment, by VLAN pool and service: this
     * replica's first member joins that id instead of picking one of its own.
     */
    private final Map<String, Integer> agreedVlans = new HashMap<>();

    /** @param addressPools by service name; a service without CIDRs has none */
    public PoolAllocator(Map<String, AddressPool> addressPools, VlanPools vlanPools, VniPool vniPool) {
        this(addressPools, List.of(), vlanPools, vniPool);
    }

    /**
     * @param segmentServices services whose connections share one segment: their addresses come from
     *                        the segment's subnets, not from {@code addressPools}
     * @throws IllegalArgumentException naming a segment whose subnets or gateways are wrong
     */
    public PoolAllocator(Map<String, AddressPool> addressPools, List<ServiceSpec> segmentServices, VlanPools vlanPools,
                         VniPool vniPool) {
        this.addressPools = Map.copyOf(addressPools);
        Map<String, SegmentAddresses> segs = new HashMap<>();
        Map<String, Integer> fixed = new HashMap<>();
        for (ServiceSpec s : segmentServices) {
            try {
                segs.put(s.name(), new SegmentAddresses(s.name(), s.cidrs(), s.segment().gateways()));
            } catch (IllegalArgumentException e) {
                throw new InvalidSegment(s.name(), e);
            }
            fixed.put(s.name(), s.segment().vlanId());
        }
        this.segments = Map.copyOf(segs);
        this.segmentVlans = Map.copyOf(fixed);
        this.vlanPools = vlanPools;
        this.vniPool = vniPool;
    }

    /** A segment whose subnets or gateways are wrong; names its service so the caller can name the setting. */
    public static final class InvalidSegment extends IllegalArgumentException {
        private final String service;

        InvalidSegment(String service, IllegalArgumentException cause) {
            super("service " + service + ": " + cause.getMessage(), cause);
            this.service = service;
        }

        public String service() {
            return service;
        }
    }

    /** Whether the service's connections share a segment. */
    public boolean isSegment(String service) {
        return segments.containsKey(service);
    }

    @Override
    public Allocation allocate(String connectionId, ServiceSpec service, BackendCapabilities caps, PlanKind plan,
                               List<String> excludedPrefixes) {
        SegmentAddresses segment = segments.get(service.name());
        if (segment != null) {
            return allocateOnSegment(connectionId, service.name(), segment, caps, plan, excludedPrefixes);
        }
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

    /**
     * The caller's VNI is taken first, so a refusal leaves nothing behind; the allocation that
     * follows finds it held by the connection and keeps it.
     */
    @Override
    public Allocation allocate(String connectionId, ServiceSpec service, BackendCapabilities caps, PlanKind plan,
                               List<String> excludedPrefixes, int callerVni) {
        if (callerVni == 0 || !plan.mechanismType().equals("VXLAN")) {
            return allocate(connectionId, service, caps, plan, excludedPrefixes);
        }
        boolean held = vniPool.holds(connectionId);
        vniPool.take(connectionId, callerVni);
        try {
            return allocate(connectionId, service, caps, plan, excludedPrefixes);
        } catch (RuntimeException e) {
            if (!held) {
                vniPool.release(connectionId);
            }
            throw e;
        }
    }

    /**
     * One address per subnet for the client, the gateways for the far side, the segment's VLAN
     * (fixed, or one per uplink pool shared by all its connections) and a VNI of its own.
     */
    private Allocation allocateOnSegment(String connectionId, String service, SegmentAddresses segment, BackendCapabilities caps,
                                         PlanKind plan, List<String> excludedPrefixes) {
        AddressPair pair = segment.allocate(connectionId, excluded(excludedPrefixes, caps));
        Allocation a = new Allocation(pair.endpointAddrs(), pair.clientAddrs(), "", 0, 0);
        try {
            if (caps.needsVlan() || plan == PlanKind.FABRIC_VLAN) {
                a = a.withVlan(caps.vlanPool(), joinVlan(service, caps.vlanPool(), connectionId, 0));
            }
            if (plan.mechanismType().equals("VXLAN")) {
                a = a.withVni(vniPool.allocate(connectionId));
            }
            return a;
        } catch (RuntimeException e) {
            release(connectionId, service, a);
            throw e;
        }
    }

    /**
     * The segment's VLAN id in the pool, taken for it (by the segment, not the connection) with
     * its first member. {@code stored} is the id a restored connection has, 0 for a new one.
     */
    private int joinVlan(String service, String pool, String connectionId, int stored) {
        String owner = segmentOwner(service);
        int fixed = segmentVlans.get(service);
        int id;
        if (fixed != 0) {
            id = fixed;
            if (vlanPools.contains(pool, fixed)) {
                vlanPools.restore(pool, owner, fixed); // kept from the pool's other connections
            }
        } else if (stored != 0) {
            vlanPools.restore(pool, owner, stored);
            id = stored;
        } else {
            Integer agreed;
            synchronized (segmentMembers) {
                agreed = agreedVlans.get(pool + "|" + service);
            }
            if (agreed != null) {
                vlanPools.restore(pool, owner, agreed);
                id = agreed;
            } else {
                id = vlanPools.allocate(pool, owner);
            }
        }
        synchronized (segmentMembers) {
            segmentMembers.computeIfAbsent(pool + "|" + service, k -> new HashSet<>()).add(connectionId);
        }
        return id;
    }

    private void leaveVlan(String service, String pool, String connectionId) {
        boolean last;
        synchronized (segmentMembers) {
            Set<String> members = segmentMembers.get(pool + "|" + service);
            if (members == null || !members.remove(connectionId)) {
                return;
            }
            last = members.isEmpty();
            if (last) {
                segmentMembers.remove(pool + "|" + service);
                agreedVlans.remove(pool + "|" + service);
            }
        }
        if (last && !pool.isEmpty()) {
            vlanPools.release(pool, segmentOwner(service));
        }
    }

    /**
     * Makes the segment's next first member in the pool join {@code vlanId}, the id the segment
     * holds there across replicas; ignored while members here hold one already.
     */
    public void agreeSegmentVlan(String service, String pool, int vlanId) {
        synchronized (segmentMembers) {
            if (!segmentMembers.containsKey(pool + "|" + service)) {
                agreedVlans.put(pool + "|" + service, vlanId);
            }
        }
    }

    /** How a segment holds its VLAN id in a pool: one holder for all its connections. */
    static String segmentOwner(String service) {
        return "segment:" + service;
    }

    /** Connections on the service's segment behind the pool, for tests and metrics. */
    int segmentMembers(String service, String pool) {
        synchronized (segmentMembers) {
            return segmentMembers.getOrDefault(pool + "|" + service, Set.of()).size();
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
        SegmentAddresses segment = segments.get(service);
        if (segment != null) {
            segment.release(connectionId);
            if (allocation.vlanId() != 0) {
                leaveVlan(service, allocation.vlanPool(), connectionId);
            }
            if (allocation.vni() != 0) {
                vniPool.release(connectionId);
            }
            return;
        }
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
        segments.values().forEach(p -> out.addAll(p.usage()));
        out.addAll(vlanPools.usage());
        out.add(vniPool.usage());
        return out;
    }

    @Override
    public void restore(String connectionId, String service, Allocation allocation) {
        SegmentAddresses segment = segments.get(service);
        if (segment != null) {
            segment.restore(connectionId, allocation.clientAddrs());
            if (allocation.vlanId() != 0) {
                joinVlan(service, allocation.vlanPool(), connectionId, allocation.vlanId());
            }
            if (allocation.vni() != 0) {
                vniPool.restore(connectionId, allocation.vni());
            }
            return;
        }
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
