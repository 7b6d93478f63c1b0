package io.ensm.core.alloc;

import io.grpc.Status;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The point-to-point addresses of one network service. Each connection gets one pair per
 * configured family (dual stack when both are configured): the first address of the pair for the
 * NSE side, the second for the client; see {@link PairRange} for which addresses a CIDR yields.
 *
 * <p>State is in memory only; the store row is the durable copy and {@link #restore} rebuilds the
 * pool from it at start. Per connection the pool keeps one small lease (CIDR index and slot per
 * family), so a refresh of a known id is a hash lookup. Thread-safe: one lock, held briefly.
 */
public final class AddressPool {
    private static final int NONE = -1;

    /** What one connection holds: per family, the index of its range and the slot in it. */
    private record Lease(int v4Range, long v4Slot, int v6Range, long v6Slot) {}

    private final String service;
    private final List<PairRange> ranges;
    private final boolean hasV4;
    private final boolean hasV6;
    private final Map<String, Lease> leases = new HashMap<>();

    /**
     * @param service the service name, for messages
     * @param cidrs   pool prefixes, any mix of IPv4 and IPv6; tried in this order within a family.
     *                Empty is allowed (a service without addresses) and yields {@link AddressPair#EMPTY}.
     * @throws IllegalArgumentException naming a malformed, duplicate or overlapping CIDR, or one
     *                                  without room for a pair (/32, /128)
     */
    public AddressPool(String service, List<String> cidrs) {
        this.service = Objects.requireNonNull(service, "service");
        List<PairRange> rs = new ArrayList<>();
        for (String cidr : cidrs) {
            IpPrefix p;
            try {
                p = IpPrefix.parse(cidr);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("service " + service + ": " + e.getMessage(), e);
            }
            for (PairRange other : rs) {
                if (other.prefix.overlaps(p)) {
                    throw new IllegalArgumentException("service " + service + ": CIDR " + cidr + " overlaps " + other.prefix);
                }
            }
            try {
                rs.add(new PairRange(p));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("service " + service + ": " + e.getMessage(), e);
            }
        }
        this.ranges = List.copyOf(rs);
        this.hasV4 = ranges.stream().anyMatch(r -> !r.prefix.isV6());
        this.hasV6 = ranges.stream().anyMatch(r -> r.prefix.isV6());
    }

    public String service() {
        return service;
    }

    /**
     * The connection's addresses: its existing ones when the id is known (a refresh keeps its
     * addresses, whatever it excludes now), else a new pair per family, lowest free first,
     * none inside {@code excludedPrefixes}.
     *
     * @param excludedPrefixes CIDRs or bare addresses; host bits are ignored ("10.0.0.5/24" excludes 10.0.0.0/24)
     * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT naming a malformed excluded prefix;
     *                                        RESOURCE_EXHAUSTED naming the pool of a family with no free pair
     */
    public synchronized AddressPair allocate(String connectionId, List<String> excludedPrefixes) {
        Lease known = leases.get(connectionId);
        if (known != null) {
            return pairOf(known);
        }
        if (ranges.isEmpty()) {
            return AddressPair.EMPTY;
        }
        List<IpPrefix> excluded = parseExcluded(excludedPrefixes);
        int v4Range = NONE;
        long v4Slot = NONE;
        if (hasV4) {
            long[] got = allocateFamily(false, excluded, excludedPrefixes);
            v4Range = (int) got[0];
            v4Slot = got[1];
        }
        int v6Range = NONE;
        long v6Slot = NONE;
        if (hasV6) {
            try {
                long[] got = allocateFamily(true, excluded, excludedPrefixes);
                v6Range = (int) got[0];
                v6Slot = got[1];
            } catch (RuntimeException e) {
                if (v4Range != NONE) {
                    ranges.get(v4Range).free(v4Slot); // all families or nothing
                }
                throw e;
            }
        }
        Lease lease = new Lease(v4Range, v4Slot, v6Range, v6Slot);
        leases.put(connectionId, lease);
        return pairOf(lease);
    }

    private List<IpPrefix> parseExcluded(List<String> excludedPrefixes) {
        if (excludedPrefixes == null || excludedPrefixes.isEmpty()) {
            return List.of();
        }
        List<IpPrefix> out = new ArrayList<>(excludedPrefixes.size());
        for (String s : excludedPrefixes) {
            try {
                out.add(IpPrefix.parseCovering(s));
            } catch (IllegalArgumentException e) {
                throw Status.INVALID_ARGUMENT
                        .withDescription("excluded prefix '" + s + "' is not a valid CIDR")
                        .asRuntimeException();
            }
        }
        return out;
    }

    /** {range index, slot} of a new pair of the family. */
    private long[] allocateFamily(boolean v6, List<IpPrefix> excluded, List<String> excludedText) {
        for (int i = 0; i < ranges.size(); i++) {
            PairRange r = ranges.get(i);
            if (r.prefix.isV6() == v6) {
                long slot = r.allocate(excluded);
                if (slot >= 0) {
                    return new long[] {i, slot};
                }
            }
        }
        String pools = ranges.stream().filter(r -> r.prefix.isV6() == v6)
                .map(r -> r.prefix.toString()).collect(Collectors.joining(", "));
        String why = excluded.isEmpty() ? "" : " (excluding " + String.join(", ", excludedText) + ")";
        throw Status.RESOURCE_EXHAUSTED
                .withDescription("address pool " + pools + " of service " + service + " is exhausted" + why)
                .asRuntimeException();
    }

    /** Frees the connection's addresses; unknown ids are ignored. */
    public synchronized void release(String connectionId) {
        Lease lease = leases.remove(connectionId);
        if (lease != null) {
            if (lease.v4Range != NONE) {
                ranges.get(lease.v4Range).free(lease.v4Slot);
            }
            if (lease.v6Range != NONE) {
                ranges.get(lease.v6Range).free(lease.v6Slot);
            }
        }
    }

    /**
     * Marks addresses taken from a stored allocation. Idempotent for the same id and addresses.
     *
     * @throws IllegalArgumentException when an address is malformed or not a pair of this pool
     *                                  (e.g. the CIDRs changed since it was handed out)
     * @throws IllegalStateException    when an address is held by another connection, or the id
     *                                  already holds different addresses
     */
    public synchronized void restore(String connectionId, List<String> endpointAddrs, List<String> clientAddrs) {
        if (endpointAddrs.size() != clientAddrs.size()) {
            throw new IllegalArgumentException("connection " + connectionId + ": " + endpointAddrs.size()
                    + " endpoint addresses but " + clientAddrs.size() + " client addresses");
        }
        if (endpointAddrs.isEmpty()) {
            return;
        }
        int v4Range = NONE;
        long v4Slot = NONE;
        int v6Range = NONE;
        long v6Slot = NONE;
        for (int i = 0; i < endpointAddrs.size(); i++) {
            long[] found = locate(connectionId, endpointAddrs.get(i), clientAddrs.get(i));
            boolean v6 = ranges.get((int) found[0]).prefix.isV6();
            if ((v6 ? v6Range : v4Range) != NONE) {
                throw new IllegalArgumentException("connection " + connectionId + " holds two "
                        + (v6 ? "IPv6" : "IPv4") + " pairs in service " + service);
            }
            if (v6) {
                v6Range = (int) found[0];
                v6Slot = found[1];
            } else {
                v4Range = (int) found[0];
                v4Slot = found[1];
            }
        }
        Lease lease = new Lease(v4Range, v4Slot, v6Range, v6Slot);
        Lease known = leases.get(connectionId);
        if (known != null) {
            if (known.equals(lease)) {
                return;
            }
            throw new IllegalStateException("connection " + connectionId + " already holds "
                    + pairOf(known) + " in service " + service + ", cannot restore " + endpointAddrs + "/" + clientAddrs);
        }
        for (int i = 0; i < endpointAddrs.size(); i++) {
            long[] found = locate(connectionId, endpointAddrs.get(i), clientAddrs.get(i));
            if (ranges.get((int) found[0]).isUsed(found[1])) {
                throw new IllegalStateException("cannot restore connection " + connectionId + ": address "
                        + endpointAddrs.get(i) + " / " + clientAddrs.get(i) + " of service " + service
                        + " is held by another connection");
            }
        }
        if (v4Range != NONE) {
            ranges.get(v4Range).take(v4Slot);
        }
        if (v6Range != NONE) {
            ranges.get(v6Range).take(v6Slot);
        }
        leases.put(connectionId, lease);
    }

    /** {range index, slot} of a stored pair; IllegalArgumentException when it is not one of ours. */
    private long[] locate(String connectionId, String endpointAddr, String clientAddr) {
        IpAddress ep = hostAddress(connectionId, endpointAddr);
        IpAddress cl = hostAddress(connectionId, clientAddr);
        for (int i = 0; i < ranges.size(); i++) {
            PairRange r = ranges.get(i);
            long slot = r.slotOf(ep, 0);
            if (slot >= 0 && r.slotOf(cl, 1) == slot) {
                return new long[] {i, slot};
            }
        }
        throw new IllegalArgumentException("connection " + connectionId + ": " + endpointAddr + " / " + clientAddr
                + " is not an address pair of service " + service + " (pools " + ranges.stream()
                .map(r -> r.prefix.toString()).collect(Collectors.joining(", ")) + ")");
    }

    private static IpAddress hostAddress(String connectionId, String text) {
        try {
            int slash = text.indexOf('/');
            return IpAddress.parse(slash < 0 ? text : text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("connection " + connectionId + ": " + e.getMessage(), e);
        }
    }

    /** Number of connections holding addresses. */
    public synchronized int inUse() {
        return leases.size();
    }

    /** Pairs handed out and pairs in all, per family, for utilisation metrics. */
    public synchronized List<PoolUsage> usage() {
        List<PoolUsage> out = new ArrayList<>(2);
        for (boolean v6 : new boolean[] {false, true}) {
            long used = 0;
            long capacity = 0;
            boolean any = false;
            for (PairRange r : ranges) {
                if (r.prefix.isV6() == v6) {
                    any = true;
                    used += r.used();
                    // IPv6 pools are huge; saturate rather than overflow
                    capacity = capacity > Long.MAX_VALUE - r.pairs() ? Long.MAX_VALUE : capacity + r.pairs();
                }
            }
            if (any) {
                out.add(new PoolUsage(v6 ? PoolUsage.Kind.IPV6 : PoolUsage.Kind.IPV4, service, used, capacity));
            }
        }
        return out;
    }

    private AddressPair pairOf(Lease lease) {
        List<String> endpoint = new ArrayList<>(2);
        List<String> client = new ArrayList<>(2);
        if (lease.v4Range != NONE) {
            PairRange r = ranges.get(lease.v4Range);
            endpoint.add(r.endpoint(lease.v4Slot) + "/32");
            client.add(r.client(lease.v4Slot) + "/32");
        }
        if (lease.v6Range != NONE) {
            PairRange r = ranges.get(lease.v6Range);
            endpoint.add(r.endpoint(lease.v6Slot) + "/128");
            client.add(r.client(lease.v6Slot) + "/128");
        }
        return new AddressPair(endpoint, client);
    }
}
