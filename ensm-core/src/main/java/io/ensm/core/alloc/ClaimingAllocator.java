package io.ensm.core.alloc;

import io.ensm.core.endpoint.allocate.Allocator;
import io.ensm.core.model.Allocation;
import io.ensm.core.model.PlanKind;
import io.ensm.core.model.ServiceSpec;
import io.ensm.core.spi.BackendCapabilities;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Allocates from this replica's pools, then claims the values cluster-wide. A value another
 * replica holds is marked taken here (as held by a stand-in connection) and the allocation is made
 * again; the marks are dropped by {@link #forgetForeign} (each reconcile pass), so a value the
 * other replica gave back becomes usable again, at worst after one more refused claim.
 */
public final class ClaimingAllocator implements Allocator {
    private static final Logger log = LoggerFactory.getLogger(ClaimingAllocator.class);
    /** Stand-in connection ids of values other replicas hold start with this. */
    static final String FOREIGN = "claimed-elsewhere:";
    private static final int ATTEMPTS = 32;
    /** Pools of the shared claims saying which VLAN id a segment holds behind a pool, and their holders' prefix. */
    static final String SEGMENT_VLANS = "segment-vlans/";
    static final String VLAN_HOLDER = "vlan:";

    private final PoolAllocator pools;
    private final Claims claims;
    /** Stand-ins marked in the pools: id, service, what it marks. */
    private final ConcurrentHashMap<String, Marked> foreign = new ConcurrentHashMap<>();

    private record Marked(String service, Allocation allocation) {}

    public ClaimingAllocator(PoolAllocator pools, Claims claims) {
        this.pools = pools;
        this.claims = claims;
    }

    @Override
    public Allocation allocate(String connectionId, ServiceSpec service, BackendCapabilities caps, PlanKind plan,
                               List<String> excludedPrefixes) {
        return allocate(connectionId, service, caps, plan, excludedPrefixes, 0);
    }

    /** A caller's VNI another replica holds cannot be skipped past: it is refused, not retried. */
    @Override
    public Allocation allocate(String connectionId, ServiceSpec service, BackendCapabilities caps, PlanKind plan,
                               List<String> excludedPrefixes, int callerVni) {
        return allocate(connectionId, service, caps, plan, excludedPrefixes, callerVni, false);
    }

    /**
     * Where the store writes claims with the record, the claims of a new connection wait for its
     * first record (one etcd commit less per connection). A segment's shared claims are granted
     * by holder, not created once, so an allocation with any of them is claimed here as before.
     */
    @Override
    public Allocation allocateNew(String connectionId, ServiceSpec service, BackendCapabilities caps, PlanKind plan,
                                  List<String> excludedPrefixes, int callerVni) {
        return allocate(connectionId, service, caps, plan, excludedPrefixes, callerVni, true);
    }

    private Allocation allocate(String connectionId, ServiceSpec service, BackendCapabilities caps, PlanKind plan,
                                List<String> excludedPrefixes, int callerVni, boolean withRecord) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Allocation a = pools.allocate(connectionId, service, caps, plan, excludedPrefixes, callerVni);
            List<Claims.Claim> wanted = claimsOf(service.name(), a, pools.isSegment(service.name()));
            Set<Claims.Claim> refused;
            try {
                if (withRecord && wanted.stream().noneMatch(Claims.Claim::shared) && claims.claimWithRecord(connectionId, wanted)) {
                    return a;
                }
                refused = claims.claim(connectionId, wanted);
            } catch (RuntimeException e) {
                pools.release(connectionId, service.name(), a);
                throw e;
            }
            if (refused.isEmpty()) {
                return a;
            }
            refused(connectionId, service.name(), a, refused, callerVni);
            log.debug("event=claim-refused connection={} values={} attempt={}", connectionId, refused, attempt);
        }
        throw Status.RESOURCE_EXHAUSTED.withDescription("service " + service.name() + ": every value tried in " + ATTEMPTS
                + " attempts is held by another ensm replica").asRuntimeException();
    }

    /** Gives the values back here and marks those held elsewhere, so that the next allocation skips them. */
    @Override
    public void refused(String connectionId, String service, Allocation a, Set<Claims.Claim> refused, int callerVni) {
        pools.release(connectionId, service, a);
        if (callerVni != 0 && refused.contains(new Claims.Claim("vni", Integer.toString(callerVni)))) {
            throw Status.ALREADY_EXISTS.withDescription("VNI " + callerVni + " is held by another ensm replica")
                    .asRuntimeException();
        }
        markForeign(service, a, refused);
    }

    @Override
    public void release(String connectionId, String service, Allocation allocation) {
        pools.release(connectionId, service, allocation);
        claims.release(connectionId, claimsOf(service, allocation, pools.isSegment(service)));
    }

    /** Local pools only: the claims name the connection, which the next holder serves with the same values. */
    @Override
    public void forget(String connectionId, String service, Allocation allocation) {
        pools.release(connectionId, service, allocation);
    }

    /** Re-takes a stored allocation; marks of values held elsewhere go first, they may be this very one's. */
    @Override
    public void restore(String connectionId, String service, Allocation allocation) {
        if (!foreign.isEmpty()) {
            forgetForeign();
        }
        pools.restore(connectionId, service, allocation);
    }

    /** Drops the marks of values other replicas held: they are asked again at the next claim. */
    public void forgetForeign() {
        foreign.forEach((id, m) -> {
            if (foreign.remove(id, m)) {
                pools.release(id, m.service(), m.allocation());
            }
        });
    }

    /** How many values are marked as held elsewhere. */
    public int foreignMarks() {
        return foreign.size();
    }

    /** The claims an allocation stands for: each address pair by its endpoint address, the VLAN id, the VNI. */
    static List<Claims.Claim> claimsOf(String service, Allocation a) {
        return claimsOf(service, a, false);
    }

    /**
     * As {@link #claimsOf(String, Allocation)}; on a segment, whose members share the gateways and
     * the VLAN, each member claims its own address, and the VLAN is two shared claims: which id the
     * segment has behind the pool (so replicas joining it through one uplink agree), and the id
     * itself (so no other connection or segment takes it).
     */
    static List<Claims.Claim> claimsOf(String service, Allocation a, boolean segment) {
        List<Claims.Claim> out = new ArrayList<>();
        for (String address : segment ? a.clientAddrs() : a.endpointAddrs()) {
            out.add(new Claims.Claim("addresses/" + service, bare(address)));
        }
        if (a.vlanId() != 0 && segment) {
            out.add(new Claims.Claim(SEGMENT_VLANS + a.vlanPool(), service, VLAN_HOLDER + a.vlanId()));
            out.add(new Claims.Claim("vlan/" + a.vlanPool(), Integer.toString(a.vlanId()),
                    PoolAllocator.segmentOwner(service)));
        } else if (a.vlanId() != 0) {
            out.add(new Claims.Claim("vlan/" + a.vlanPool(), Integer.toString(a.vlanId())));
        }
        if (a.vni() != 0) {
            out.add(new Claims.Claim("vni", Integer.toString(a.vni())));
        }
        return out;
    }

    private static String bare(String address) {
        return address.substring(0, address.indexOf('/') < 0 ? address.length() : address.indexOf('/'));
    }

    private void markForeign(String service, Allocation a, Set<Claims.Claim> refused) {
        boolean segment = pools.isSegment(service);
        for (Claims.Claim c : refused) {
            if (c.pool().startsWith(SEGMENT_VLANS) && c.holder() != null && c.holder().startsWith(VLAN_HOLDER)) {
                // The segment holds another id behind this pool: join it, marking nothing.
                pools.agreeSegmentVlan(service, c.pool().substring(SEGMENT_VLANS.length()),
                        Integer.parseInt(c.holder().substring(VLAN_HOLDER.length())));
                continue;
            }
            String id = FOREIGN + c.pool() + "/" + c.value();
            Allocation part = partOf(service, a, c, segment);
            // A VLAN id or VNI is marked outside any service: on a segment's pools it would join the segment.
            String markedAs = part != null && part.endpointAddrs().isEmpty() && part.clientAddrs().isEmpty() ? "" : service;
            if (part != null && foreign.putIfAbsent(id, new Marked(markedAs, part)) == null) {
                try {
                    pools.restore(id, markedAs, part);
                } catch (RuntimeException e) {
                    foreign.remove(id);
                    throw e;
                }
            }
        }
    }

    /** The piece of {@code a} a refused claim names, as an allocation of its own. */
    private static Allocation partOf(String service, Allocation a, Claims.Claim c, boolean segment) {
        if (c.pool().equals("vni")) {
            return Allocation.NONE.withVni(a.vni());
        }
        if (c.pool().startsWith("vlan/")) {
            return Allocation.NONE.withVlan(a.vlanPool(), a.vlanId());
        }
        for (int i = 0; i < a.endpointAddrs().size() && i < a.clientAddrs().size(); i++) {
            String claimed = segment ? a.clientAddrs().get(i) : a.endpointAddrs().get(i);
            if (bare(claimed).equals(c.value())) {
                return Allocation.NONE.withAddresses(List.of(a.endpointAddrs().get(i)), List.of(a.clientAddrs().get(i)));
            }
        }
        return null;
    }
}
